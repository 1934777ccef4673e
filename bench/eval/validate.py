"""Checks the evaluation question sets (bench/eval/questions*.jsonl) against the seed fixtures.

    .venv/bin/python bench/eval/validate.py [FILE ...]   # default: every set, A to D

For each file, prints the counts by kind, expect and split, then every problem found, one a
line; exits 1 if any file has one. What is checked is written in bench/eval/README.md;
tests/test_eval_set.py runs the same checks. `matches()` is the one rule for "the answer cites
an acceptable entry", for the benches that score against these sets.
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
# Sets B to E, each written later and apart from the sets before it (README, "Set B", "Set C"):
# each has its own id letter, and none of its questions may repeat one of an earlier set's or a
# FAQ's example question, which ranking indexes.
QUESTIONS_B = QUESTIONS.with_name("questions-b.jsonl")
QUESTIONS_C = QUESTIONS.with_name("questions-c.jsonl")
QUESTIONS_D = QUESTIONS.with_name("questions-d.jsonl")
QUESTIONS_E = QUESTIONS.with_name("questions-e.jsonl")
# Every set (file name, id letter), in the order they were written.
ID_LETTERS = {
    QUESTIONS.name: "q",
    QUESTIONS_B.name: "b",
    QUESTIONS_C.name: "c",
    QUESTIONS_D.name: "d",
    QUESTIONS_E.name: "e",
}
SETS = tuple(QUESTIONS.with_name(name) for name in ID_LETTERS)
SEED = ROOT / "seed"
# Question sets written earlier, which ranking was tuned or checked on: none may come back here.
EARLIER_SETS = (
    ROOT / "tests" / "search_questions.json",
    ROOT / "bench" / "search_questions_unseen.json",
)

FIELDS = ("id", "question", "expect", "acceptable", "kind", "split")
EXPECTS = ("answer", "ambiguous", "no_match", "out_of_domain")
SPLITS = ("tune", "report")
# Kinds whose questions must not be answered, and the status each expects.
UNANSWERED_KINDS = {
    "off-topic": "out_of_domain",
    "near-domain": "out_of_domain",
    "no-match": "no_match",
}
KINDS = (
    "slang",
    "typo",
    "indirect",
    "rambling",
    "short",
    "comparison",
    "role-aspect",
    "tool",
    "metric",
    "workflow",
    "schedule",
    "glossary",
    "topic",
    "faq",
    *UNANSWERED_KINDS,
)
MAX_CHARS = 2000
URL = re.compile(r"^/v1/(?P<collection>[a-z-]+)/(?P<slug>[^/#?]+)(?:#(?P<field>[a-z_]+))?$")
# Fixture fields that hold a title or a question a user might have copied.
TITLE_FIELDS = ("question", "title", "name")


def load(path: Path = QUESTIONS) -> list[dict]:
    """The questions, one JSON object a line, in file order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def seed_entries(seed: Path = SEED) -> dict[str, dict[str, dict]]:
    """Every seeded entry by collection (the file's name) and slug; glossary.json is none."""
    entries = {}
    for path in sorted(seed.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list):
            entries[path.stem] = {entry["slug"]: entry for entry in data}
    return entries


def normalize(text: str) -> str:
    """Lower-case words only, so that punctuation and spacing do not hide a copy."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def matches(cited: str, acceptable: list[str]) -> bool:
    """Whether a cited URL names an acceptable answer.

    The entry must be the same; a fragment counts when either side has none or both name the
    same field (/v1/roles/sre counts for /v1/roles/sre#key_metric, #pain_points does not).
    """
    path, _, field = cited.partition("#")
    for url in acceptable:
        want_path, _, want_field = url.partition("#")
        if path == want_path and (not field or not want_field or field == want_field):
            return True
    return False


def split_of(questions: list[dict]) -> dict[str, str]:
    """Each question's split: within each kind, in id order, tune and report alternate."""
    seen: Counter[str] = Counter()
    split = {}
    for q in sorted(questions, key=lambda q: q["id"]):
        split[q["id"]] = SPLITS[seen[q["kind"]] % 2]
        seen[q["kind"]] += 1
    return split


def copied_texts(entries: dict[str, dict[str, dict]]) -> tuple[set[str], list[str]]:
    """Fixture titles and questions of three words or more, and the FAQ questions alone."""
    titles = {
        normalize(entry[field])
        for collection in entries.values()
        for entry in collection.values()
        for field in TITLE_FIELDS
        if isinstance(entry.get(field), str) and len(normalize(entry[field]).split()) >= 3
    }
    faq_questions = [normalize(e["question"]) for e in entries.get("faqs", {}).values()]
    return titles, faq_questions


def earlier_questions() -> set[str]:
    """The questions of the earlier sets, normalized."""
    return {
        normalize(question)
        for path in EARLIER_SETS
        if path.exists()
        for question, _ in json.loads(path.read_text(encoding="utf-8"))
    }


def example_questions(entries: dict[str, dict[str, dict]]) -> set[str]:
    """The FAQs' example questions (other ways people ask them), normalized."""
    return {
        normalize(example)
        for faq in entries.get("faqs", {}).values()
        for example in faq.get("examples") or []
    }


def rules_for(path: Path, entries: dict[str, dict[str, dict]]) -> tuple[str, dict[str, set[str]]]:
    """A file's id prefix, and the texts its questions must not repeat, by where they come from."""
    elsewhere = {"an earlier question set": earlier_questions()}
    names = [earlier.name for earlier in SETS]
    if path.name not in names[1:]:
        return "q", elsewhere
    for earlier in SETS[: names.index(path.name)]:
        elsewhere[earlier.name] = {normalize(q["question"]) for q in load(earlier)}
    elsewhere["a FAQ's example questions"] = example_questions(entries)
    return ID_LETTERS[path.name], elsewhere


def check_url(url: str, entries: dict[str, dict[str, dict]]) -> str | None:
    """What is wrong with one acceptable URL, or None."""
    found = URL.match(url)
    if not found:
        return f"malformed URL {url!r} (want /v1/<collection>/<slug> or …#<field>)"
    collection, slug, field = found.group("collection", "slug", "field")
    if collection not in entries:
        return f"unknown collection {collection!r} in {url!r}"
    if slug not in entries[collection]:
        return f"unknown slug {slug!r} in collection {collection!r} ({url})"
    if field and field not in entries[collection][slug]:
        return f"unknown field {field!r} of {collection}/{slug} ({url})"
    return None


def check_row(q: dict, entries: dict[str, dict[str, dict]]) -> list[str]:
    """The problems of one question on its own."""
    if not isinstance(q, dict) or sorted(q) != sorted(FIELDS):
        return [f"fields must be exactly {', '.join(FIELDS)}: {q!r:.120}"]
    errors = []
    text, expect, kind, acceptable = q["question"], q["expect"], q["kind"], q["acceptable"]
    if not isinstance(text, str) or not text.strip() or text != text.strip():
        errors.append("question must be a non-empty string without surrounding spaces")
    elif len(text) > MAX_CHARS:
        errors.append(f"question has {len(text)} characters, more than {MAX_CHARS}")
    if expect not in EXPECTS:
        errors.append(f"expect {expect!r} is not one of {', '.join(EXPECTS)}")
    if kind not in KINDS:
        errors.append(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    if q["split"] not in SPLITS:
        errors.append(f"split {q['split']!r} is not one of {', '.join(SPLITS)}")
    if kind in UNANSWERED_KINDS and expect != UNANSWERED_KINDS[kind]:
        errors.append(f"a {kind} question expects {UNANSWERED_KINDS[kind]}, not {expect!r}")
    if kind in KINDS and kind not in UNANSWERED_KINDS and expect not in ("answer", "ambiguous"):
        errors.append(f"a {kind} question expects answer or ambiguous, not {expect!r}")
    if not isinstance(acceptable, list) or not all(isinstance(u, str) for u in acceptable):
        return [*errors, "acceptable must be a list of URLs"]
    least = {"answer": 1, "ambiguous": 2}.get(expect, 0)
    if expect in ("no_match", "out_of_domain") and acceptable:
        errors.append(f"a {expect} question has no acceptable answer, yet lists {acceptable}")
    elif len(acceptable) < least:
        errors.append(f"an {expect} question needs at least {least} acceptable answers")
    if len(set(acceptable)) != len(acceptable):
        errors.append("acceptable lists a URL twice")
    errors += [e for e in (check_url(url, entries) for url in acceptable) if e]
    return errors


def check(
    questions: list[dict],
    entries: dict[str, dict[str, dict]] | None = None,
    prefix: str = "q",
    elsewhere: dict[str, set[str]] | None = None,
) -> list[str]:
    """Every problem of the set, each prefixed with the question's id.

    `prefix` is the letter the ids start with; `elsewhere` names the texts (normalized) that no
    question may repeat, by where they come from (default: the earlier sets).
    """
    entries = seed_entries() if entries is None else entries
    if elsewhere is None:
        elsewhere = {"an earlier question set": earlier_questions()}
    errors = [
        f"{q.get('id', f'line {n}')}: {e}"
        for n, q in enumerate(questions, 1)
        for e in check_row(q, entries)
    ]
    if errors:
        return errors
    ids = [q["id"] for q in questions]
    if ids != [f"{prefix}{n:03d}" for n in range(1, len(ids) + 1)]:
        errors.append(
            f"ids must run {prefix}001, {prefix}002, … in file order, with no gap or repeat"
        )
    expected_split = split_of(questions)
    errors += [
        f"{q['id']}: split is {q['split']!r}, the alternation within kind {q['kind']!r} gives "
        f"{expected_split[q['id']]!r}"
        for q in questions
        if q["split"] != expected_split[q["id"]]
    ]
    titles, faq_questions = copied_texts(entries)
    first_seen: dict[str, str] = {}
    for q in questions:
        text = normalize(q["question"])
        if text in first_seen:
            errors.append(f"{q['id']}: same question as {first_seen[text]}")
        first_seen.setdefault(text, q["id"])
        if text in titles:
            errors.append(f"{q['id']}: copies a fixture title or question: {q['question']!r}")
        errors += [
            f"{q['id']}: contains the FAQ question {faq!r}"
            for faq in faq_questions
            if f" {faq} " in f" {text} " and faq != text
        ]
        errors += [
            f"{q['id']}: is already in {where}: {q['question']!r}"
            for where, texts in elsewhere.items()
            if text in texts
        ]
    return errors


def empty_fragments(questions: list[dict], entries: dict[str, dict[str, dict]]) -> list[str]:
    """Acceptable fragments whose field is empty in today's fixtures (content still to come)."""
    empty = []
    for q in questions:
        for url in q["acceptable"]:
            found = URL.match(url)
            if found and found["field"]:
                entry = entries[found["collection"]][found["slug"]]
                if entry.get(found["field"]) in (None, "", []):
                    empty.append(f"{q['id']}: {url}")
    return empty


def counts(questions: list[dict]) -> dict[str, dict[str, int]]:
    """How many questions there are by kind, by expect and by split, and by kind and split."""
    return {
        "kind": dict(Counter(q["kind"] for q in questions)),
        "expect": dict(Counter(q["expect"] for q in questions)),
        "split": dict(Counter(q["split"] for q in questions)),
        "expect_split": dict(Counter(f"{q['expect']}/{q['split']}" for q in questions)),
    }


def main(argv: list[str]) -> int:
    entries = seed_entries()
    paths = [Path(arg) for arg in argv] or list(SETS)
    return max(report(path, entries) for path in paths)


def report(path: Path, entries: dict[str, dict[str, dict]]) -> int:
    """Prints one file's counts and problems; 1 if it has any."""
    questions = load(path)
    errors = check(questions, entries, *rules_for(path, entries))
    print(f"{path.name}: {len(questions)} questions")
    for name, table in counts(questions).items():
        print(f"  by {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(table.items())))
    empty = empty_fragments(questions, entries) if not errors else []
    if empty:
        print(f"{len(empty)} acceptable fragments name a field that is empty today:")
        print("\n".join(f"  {line}" for line in empty))
    print("\n".join(errors) or "no problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
