"""What a stored question keeps: scrubbed of anything personal or secret-shaped, then normalised
(api/services/query_text.py, used by the query log and answer feedback)."""

import pytest

from api.services.query_text import normalise, scrub

PERSONAL = [
    ("email me at jane.doe+work@example.co.uk please", "jane.doe", "<email>"),
    ("call +44 20 7946 0958 about on-call", "7946", "<phone>"),
    ("my number is (555) 123-4567", "123-4567", "<phone>"),
    ("ring 555.123.4567 now", "555.123.4567", "<phone>"),
    # A bare run of seven digits or more is taken for a phone number: scrubbed all the same.
    ("card 4111111111111111 was charged twice", "4111111111111111", "<phone>"),
    ("order 98765432 never shipped", "98765432", "<phone>"),
    ("ticket 123456 is stuck", "123456", "<number>"),
    ("is sk-proj-AbCdEf1234567890abcdef valid", "abcdef1234567890", "<key>"),
    ("sk_live_51HxYzAbCdEfGhIjKl leaked", "51hxyz", "<key>"),
    ("token ghp_16C7e42F292c6912E7710c838347Ae178B4a in ci", "16c7e42f", "<key>"),
    ("AKIAIOSFODNN7EXAMPLE in the repo", "akiaiosfodnn7example", "<key>"),
    (
        "why eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyjhbgcioijiuzi1nij9",
        "<key>",
    ),
    ("xoxb-2048-abcdefghij in slack", "xoxb-2048", "<key>"),
    ("api key a1b2c3d4e5f6g7h8i9j0k1l2 stopped working", "a1b2c3d4e5f6", "<key>"),
]


@pytest.mark.parametrize(("question", "secret", "placeholder"), PERSONAL)
def test_personal_and_secret_shaped_parts_are_replaced(question, secret, placeholder):
    stored = normalise(question)
    assert secret.lower() not in stored
    assert placeholder in stored


@pytest.mark.parametrize(
    "question",
    [
        "how do 2 to 4 people share on-call",
        "what changed in v1.2.3",
        "is iso 27001 worth it",
        "k8s vs nomad for 50 services",
        "http 503 after deploy at 10:30",
    ],
)
def test_ordinary_numbers_and_words_are_kept(question):
    assert scrub(question) == question


def test_normalising_folds_case_width_and_spaces():
    fullwidth = "\uff2d\uff34\uff34\uff32"  # MTTR in full-width letters
    assert normalise(f"  What   is\t{fullwidth}?\n ") == "what is mttr?"


def test_a_question_is_capped():
    assert len(normalise("why " * 2000)) == 2000


def test_scrubbing_happens_before_lower_casing():
    """A key's known prefix (AKIA) is upper case: it must be found before case folding."""
    assert "akia" not in normalise("is AKIAIOSFODNN7EXAMPLE still active")
