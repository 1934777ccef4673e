"""The evaluation question sets (bench/eval/) are well formed and every answer they accept exists.

The checks live in bench/eval/validate.py, which the benches and a person at a shell use too;
these tests run them on every set (A, questions.jsonl; B, questions-b.jsonl; C,
questions-c.jsonl), and on broken copies of them to show that each check bites.
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


# Each set and the fewest questions it may hold.
SETS = {
    validate.QUESTIONS: 260,
    validate.QUESTIONS_B: 240,
    validate.QUESTIONS_C: 240,
    validate.QUESTIONS_D: 240,
    validate.QUESTIONS_E: 240,
}
# The sets written later, each with its id letter and the earlier sets it must not repeat.
LATER_SETS = {
    validate.QUESTIONS_B: ("b", [validate.QUESTIONS]),
    validate.QUESTIONS_C: ("c", [validate.QUESTIONS, validate.QUESTIONS_B]),
    validate.QUESTIONS_D: ("d", [validate.QUESTIONS, validate.QUESTIONS_B, validate.QUESTIONS_C]),
    validate.QUESTIONS_E: (
        "e",
        [validate.QUESTIONS, validate.QUESTIONS_B, validate.QUESTIONS_C, validate.QUESTIONS_D],
    ),
}


@pytest.fixture(scope="module", params=list(SETS), ids=["A", "B", "C", "D", "E"])
def path(request):
    return request.param


@pytest.fixture(scope="module")
def questions(path):
    return validate.load(path)


@pytest.fixture(scope="module")
def rules(path, entries):
    """The file's id prefix and the texts it must not repeat."""
    return validate.rules_for(path, entries)


@pytest.fixture
def broken(questions):
    """A copy of the set to spoil, one field at a time."""
    return copy.deepcopy(questions)


def first(questions, expect):
    return next(q for q in questions if q["expect"] == expect)


def test_the_set_is_valid(questions, entries, rules):
    errors = validate.check(questions, entries, *rules)
    assert not errors, "\n".join(errors)


def test_the_set_is_large_and_covers_every_kind(path, questions):
    kinds = Counter(q["kind"] for q in questions)
    expects = Counter(q["expect"] for q in questions)
    assert len(questions) >= SETS[path]
    assert set(kinds) == set(validate.KINDS)
    assert min(kinds.values()) >= 10
    unanswered = expects["no_match"] + expects["out_of_domain"]
    assert 0.15 <= unanswered / len(questions) <= 0.25
    assert expects["ambiguous"] >= 10


@pytest.mark.parametrize("later", list(LATER_SETS), ids=["B", "C", "D", "E"])
def test_a_later_set_has_its_own_ids_and_rules(entries, later):
    prefix, elsewhere = validate.rules_for(later, entries)
    letter, earlier = LATER_SETS[later]
    assert prefix == letter
    # Only the sets written before it: B does not have to avoid C's questions.
    assert set(elsewhere) & set(validate.ID_LETTERS) == {path.name for path in earlier}
    assert "a FAQ's example questions" in elsewhere
    assert validate.rules_for(validate.QUESTIONS, entries)[0] == "q"


@pytest.mark.parametrize(
    ("later", "source", "named"),
    [
        (validate.QUESTIONS_B, validate.QUESTIONS, "questions.jsonl"),
        (validate.QUESTIONS_B, "examples", "a FAQ's example questions"),
        (validate.QUESTIONS_C, validate.QUESTIONS, "questions.jsonl"),
        (validate.QUESTIONS_C, validate.QUESTIONS_B, "questions-b.jsonl"),
        (validate.QUESTIONS_C, "examples", "a FAQ's example questions"),
        (validate.QUESTIONS_D, validate.QUESTIONS_C, "questions-c.jsonl"),
        (validate.QUESTIONS_D, "examples", "a FAQ's example questions"),
        (validate.QUESTIONS_E, validate.QUESTIONS_D, "questions-d.jsonl"),
        (validate.QUESTIONS_E, "examples", "a FAQ's example questions"),
    ],
)
def test_a_later_set_refuses_an_earlier_question_or_a_faq_example(entries, later, source, named):
    """A later set must be new to the ranking: not an earlier set's question, nor a FAQ example."""
    questions = validate.load(later)
    if source == "examples":
        taken = next(e for f in entries["faqs"].values() for e in f.get("examples") or [])
    else:
        taken = validate.load(source)[0]["question"]
    questions[0]["question"] = taken.upper().replace(" ", "  ")  # case and spacing do not hide it
    errors = validate.check(questions, entries, *validate.rules_for(later, entries))
    letter = LATER_SETS[later][0]
    assert any(e.startswith(f"{letter}001: is already in {named}") for e in errors)


@pytest.mark.parametrize("later", list(LATER_SETS), ids=["B", "C", "D", "E"])
def test_a_later_set_ids_must_start_with_its_letter(entries, later):
    questions = validate.load(later)
    for n, q in enumerate(questions, 1):
        q["id"] = f"q{n:03d}"
    errors = validate.check(questions, entries, *validate.rules_for(later, entries))
    assert any(f"ids must run {LATER_SETS[later][0]}001" in e for e in errors)


def test_the_validator_checks_every_file_by_default(capsys):
    assert validate.main([]) == 0
    out = capsys.readouterr().out
    assert all(f"{path.name}: " in out for path in SETS)


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
def test_an_acceptable_answer_that_does_not_exist_is_named(broken, entries, url, named, rules):
    question = first(broken, "answer")
    question["acceptable"][0] = url
    errors = validate.check(broken, entries, *rules)
    assert len(errors) == 1
    assert errors[0].startswith(question["id"]) and named in errors[0]


def test_a_renamed_seed_slug_fails_the_set(questions, entries, rules):
    """What happens when content renames an entry the set cites: the old slug is named."""
    renamed = copy.deepcopy(entries)
    renamed["faqs"]["who-earns-more-renamed"] = renamed["faqs"].pop("who-earns-more")
    errors = validate.check(questions, renamed, *rules)
    assert errors and all("'who-earns-more'" in e for e in errors)


def test_unanswerable_questions_accept_no_answer(broken, entries, rules):
    question = first(broken, "out_of_domain")
    question["acceptable"] = ["/v1/faqs/who-earns-more"]
    assert any(e.startswith(question["id"]) for e in validate.check(broken, entries, *rules))


def test_an_ambiguous_question_needs_two_options(broken, entries, rules):
    question = first(broken, "ambiguous")
    question["acceptable"] = question["acceptable"][:1]
    assert any("at least 2" in e for e in validate.check(broken, entries, *rules))


def test_a_split_other_than_the_alternation_is_refused(broken, entries, rules):
    broken[0]["split"] = "report" if broken[0]["split"] == "tune" else "tune"
    errors = validate.check(broken, entries, *rules)
    first_id = broken[0]["id"]
    assert errors == [
        f"{first_id}: split is {broken[0]['split']!r}, the alternation within kind "
        f"{broken[0]['kind']!r} gives {validate.split_of(broken)[first_id]!r}"
    ]


def test_a_copied_faq_question_is_refused(broken, entries, rules):
    faq = next(iter(entries["faqs"].values()))
    broken[0]["question"] = f"hey, {faq['question'].lower()} thanks"
    assert any("contains the FAQ question" in e for e in validate.check(broken, entries, *rules))


def test_a_question_from_an_earlier_set_is_refused(broken, entries, rules):
    earlier = json.loads((ROOT / "tests" / "search_questions.json").read_text())[0][0]
    broken[0]["question"] = earlier.upper()
    assert any("earlier question set" in e for e in validate.check(broken, entries, *rules))


def test_a_repeated_question_is_refused(broken, entries, rules):
    broken[1]["question"] = broken[0]["question"] + "!"
    message = f"{broken[1]['id']}: same question as {broken[0]['id']}"
    assert message in validate.check(broken, entries, *rules)


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
