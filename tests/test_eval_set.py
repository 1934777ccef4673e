"""The evaluation question set (bench/eval/) is well formed and every answer it accepts exists.

The checks live in bench/eval/validate.py, which the benches and a person at a shell use too;
these tests run them on the set, and on broken copies of it to show that each check bites.
"""

import copy
import importlib.util
import json
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "eval_validate", ROOT / "bench" / "eval" / "validate.py"
)
validate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(validate)


@pytest.fixture(scope="module")
def entries():
    return validate.seed_entries()


@pytest.fixture(scope="module")
def questions():
    return validate.load()


@pytest.fixture
def broken(questions):
    """A copy of the set to spoil, one field at a time."""
    return copy.deepcopy(questions)


def first(questions, expect):
    return next(q for q in questions if q["expect"] == expect)


def test_the_set_is_valid(questions, entries):
    errors = validate.check(questions, entries)
    assert not errors, "\n".join(errors)


def test_the_set_is_large_and_covers_every_kind(questions):
    kinds = Counter(q["kind"] for q in questions)
    expects = Counter(q["expect"] for q in questions)
    assert len(questions) >= 260
    assert set(kinds) == set(validate.KINDS)
    assert min(kinds.values()) >= 10
    unanswered = expects["no_match"] + expects["out_of_domain"]
    assert 0.15 <= unanswered / len(questions) <= 0.25
    assert expects["ambiguous"] >= 10


def test_rambling_questions_ramble_and_short_ones_are_short(questions):
    rambling = [len(q["question"]) for q in questions if q["kind"] == "rambling"]
    short = [len(q["question"].split()) for q in questions if q["kind"] == "short"]
    assert min(rambling) >= 300 and max(rambling) >= 1000
    assert max(short) <= 3


def test_each_kind_and_each_expect_is_split_half_and_half(questions):
    for field in ("kind", "expect"):
        counts = Counter((q[field], q["split"]) for q in questions)
        for value in {q[field] for q in questions}:
            assert abs(counts[value, "tune"] - counts[value, "report"]) <= 1, (field, value)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/v1/faqs/no-such-faq", "'no-such-faq'"),
        ("/v1/roles/developer#no_such_field", "'no_such_field'"),
        ("/v1/gadgets/terraform", "'gadgets'"),
        ("/faqs/who-earns-more", "malformed"),
    ],
)
def test_an_acceptable_answer_that_does_not_exist_is_named(broken, entries, url, named):
    question = first(broken, "answer")
    question["acceptable"][0] = url
    errors = validate.check(broken, entries)
    assert len(errors) == 1
    assert errors[0].startswith(question["id"]) and named in errors[0]


def test_a_renamed_seed_slug_fails_the_set(questions, entries):
    """What happens when content renames an entry the set cites: the old slug is named."""
    renamed = copy.deepcopy(entries)
    renamed["faqs"]["who-earns-more-renamed"] = renamed["faqs"].pop("who-earns-more")
    errors = validate.check(questions, renamed)
    assert errors and all("'who-earns-more'" in e for e in errors)


def test_unanswerable_questions_accept_no_answer(broken, entries):
    question = first(broken, "out_of_domain")
    question["acceptable"] = ["/v1/faqs/who-earns-more"]
    assert any(e.startswith(question["id"]) for e in validate.check(broken, entries))


def test_an_ambiguous_question_needs_two_options(broken, entries):
    question = first(broken, "ambiguous")
    question["acceptable"] = question["acceptable"][:1]
    assert any("at least 2" in e for e in validate.check(broken, entries))


def test_a_split_other_than_the_alternation_is_refused(broken, entries):
    broken[0]["split"] = "report" if broken[0]["split"] == "tune" else "tune"
    errors = validate.check(broken, entries)
    assert errors == [
        f"q001: split is {broken[0]['split']!r}, the alternation within kind "
        f"{broken[0]['kind']!r} gives {validate.split_of(broken)['q001']!r}"
    ]


def test_a_copied_faq_question_is_refused(broken, entries):
    faq = next(iter(entries["faqs"].values()))
    broken[0]["question"] = f"hey, {faq['question'].lower()} thanks"
    assert any("contains the FAQ question" in e for e in validate.check(broken, entries))


def test_a_question_from_an_earlier_set_is_refused(broken, entries):
    earlier = json.loads((ROOT / "tests" / "search_questions.json").read_text())[0][0]
    broken[0]["question"] = earlier.upper()
    assert any("earlier question set" in e for e in validate.check(broken, entries))


def test_a_repeated_question_is_refused(broken, entries):
    broken[1]["question"] = broken[0]["question"] + "!"
    assert "q002: same question as q001" in validate.check(broken, entries)


@pytest.mark.parametrize(
    ("cited", "right"),
    [
        ("/v1/roles/site-reliability-engineer", True),
        ("/v1/roles/site-reliability-engineer#key_metric", True),
        ("/v1/roles/site-reliability-engineer#pain_points", False),
        ("/v1/metrics/slo#roles", True),
        ("/v1/metrics/slo", True),
        ("/v1/metrics/slo-x", False),
        ("/v1/faqs/what-is-an-error-budget", False),
    ],
)
def test_a_cited_url_matches_by_entry_and_field(cited, right):
    acceptable = ["/v1/roles/site-reliability-engineer#key_metric", "/v1/metrics/slo"]
    assert validate.matches(cited, acceptable) is right
