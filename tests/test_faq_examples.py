"""FAQ examples: other ways people ask each question, in their words (issue 12, section 4).

Validated (none, or 3 to 6 distinct strings of 8 to 200 characters, none the question
again), stored and versioned with the entry, searched with it, shown in every
representation; every FAQ in the fixtures has them.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from api.extensions import db
from api.models import Faq
from api.services.seeding import SeedError, read_fixtures
from schemas.faqs import EXAMPLES_MAX, EXAMPLES_MIN, same_words

from .conftest import bearer

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = json.loads((ROOT / "seed" / "faqs.json").read_text(encoding="utf-8"))
SLUG = "what-is-mttr"
PATH = f"/v1/faqs/{SLUG}"
NEW = [
    "how long until things work again after a crash",
    "average fix time for outages??",
    "boss wants our recovery number, what is that",
]


@pytest.fixture(scope="module")
def writer_app(writable_app):
    """A database of this module's own for the writes; `client` reads the seeded one."""
    return writable_app


@pytest.fixture
def writer(writer_app):
    return writer_app.test_client()


@pytest.fixture(scope="module")
def editor(writer_app):
    return bearer(writer_app, "examples-editor")


def write(client, editor, method: str, body, path: str = PATH):
    etag = client.get(path).headers["ETag"]
    return client.open(path, method=method, json=body, headers={**editor, "If-Match": etag})


# The fixtures' rule


@pytest.mark.parametrize("faq", FIXTURES, ids=[f["slug"] for f in FIXTURES])
def test_every_fixture_faq_has_three_to_six_distinct_examples(faq):
    examples = faq.get("examples")
    assert isinstance(examples, list) and EXAMPLES_MIN <= len(examples) <= EXAMPLES_MAX
    keys = [same_words(e) for e in examples]
    assert len(set(keys)) == len(keys)
    assert same_words(faq["question"]) not in keys
    assert all(8 <= len(e) <= 200 for e in examples)


def test_no_example_is_shared_between_two_faqs():
    counts = Counter(same_words(e) for f in FIXTURES for e in f["examples"])
    assert [e for e, n in counts.items() if n > 1] == []


def test_examples_are_not_the_question_with_one_word_changed():
    """Other wording, not the question with a word swapped: most of their words are new."""
    word = re.compile(r"[a-z0-9]+")
    for faq in FIXTURES:
        question = word.findall(faq["question"].lower())
        for example in faq["examples"]:
            words = word.findall(example.lower())
            same = sum(a == b for a, b in zip(words, question, strict=False))
            assert not (len(words) == len(question) and same >= len(words) - 1), example


def faq_fixture(tmp_path: Path, examples) -> Path:
    entry = {**FIXTURES[0], "examples": examples}
    if examples is None:
        del entry["examples"]
    (tmp_path / "faqs.json").write_text(json.dumps([entry]), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("examples", [None, [], NEW[:2]])
def test_the_seed_loader_refuses_a_fixture_faq_without_enough_examples(tmp_path, examples):
    with pytest.raises(SeedError) as refused:
        read_fixtures(faq_fixture(tmp_path, examples))
    (message,) = refused.value.messages
    assert f"entry 0 ({FIXTURES[0]['slug']}): field 'examples':" in message


def test_the_seed_loader_takes_a_fixture_faq_with_examples(tmp_path):
    ((_, _, entries),) = read_fixtures(faq_fixture(tmp_path, NEW))
    assert entries[0][1]["examples"] == NEW


# Validation: 422 naming the field, and nothing changes

TOO_LONG = "why " + "really " * 30 + "?"
BAD = {
    "too few": (NEW[:2], "examples"),
    "too many": ([f"another way to ask it, number {i}" for i in range(7)], "examples"),
    "far too many": (["x"] * 900, "examples"),
    "repeated (case and spacing aside)": ([*NEW, "Average  fix time for OUTAGES??"], "examples.3"),
    "the question again": ([*NEW, "what is mttr?"], "examples.3"),
    "too long": ([*NEW, TOO_LONG], "examples.3"),
    "too short": ([*NEW, "mttr?"], "examples.3"),
    "not a string": ([*NEW, 42], "examples.3"),
    "not a list": ("how long does recovery take", "examples"),
    "null inside": ([*NEW, None], "examples.3"),
    "NUL character": ([*NEW, "mean time\x00to recovery"], "examples.3"),
}


def error_at(errors: dict, path: str):
    for part in path.split("."):
        errors = errors[part]
    return errors


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize(("examples", "where"), BAD.values(), ids=BAD.keys())
def test_bad_examples_are_422_naming_the_field_and_change_nothing(
    writer, editor, method, examples, where
):
    before = writer.get(PATH)
    body = {"examples": examples}
    if method == "PUT":
        body = {**before.json, **body}
        for name in ("version", "created_at", "updated_at", "links"):
            body.pop(name)
        body["sources"] = [{k: v for k, v in s.items() if k != "title"} for s in body["sources"]]
    answer = write(writer, editor, method, body)
    assert answer.status_code == 422, answer.json
    assert answer.content_type == "application/problem+json"
    assert error_at(answer.json["errors"], where)
    after = writer.get(PATH)
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.json == before.json


def test_a_new_faq_with_bad_examples_is_not_created(writer, editor):
    body = {"slug": "bad-examples", "question": "Why?", "answer": "Because.", "examples": ["why"]}
    answer = writer.post("/v1/faqs", json=body, headers=editor)
    assert answer.status_code == 422
    assert "examples" in answer.json["errors"]
    assert writer.get("/v1/faqs/bad-examples").status_code == 404


# Writes, history, export


def test_a_write_without_examples_keeps_working_and_means_none(writer, editor):
    body = {"slug": "no-examples-yet", "question": "Is this new?", "answer": "It is."}
    created = writer.post("/v1/faqs", json=body, headers=editor)
    assert created.status_code == 201
    assert created.json["examples"] == []
    patched = write(writer, editor, "PATCH", {"answer": "Still new."}, "/v1/faqs/no-examples-yet")
    assert patched.status_code == 200 and patched.json["examples"] == []


def test_examples_round_trip_through_patch_put_revisions_and_the_change_feed(writer, editor):
    start = writer.get(PATH).json
    assert len(start["examples"]) >= EXAMPLES_MIN  # from the fixtures

    patched = write(writer, editor, "PATCH", {"examples": NEW})
    assert patched.status_code == 200
    assert patched.json["examples"] == NEW  # a merge patch replaces the whole list
    assert patched.json["version"] == start["version"] + 1
    revision = writer.get(f"{PATH}/revisions/{patched.json['version']}").json
    assert revision["changed"] == ["examples"]
    assert revision["snapshot"]["examples"] == NEW

    # The same list again is no change: no new version, same ETag.
    etag = writer.get(PATH).headers["ETag"]
    again = write(writer, editor, "PATCH", {"examples": list(NEW)})
    assert again.status_code == 200 and again.json["version"] == patched.json["version"]
    assert writer.get(PATH).headers["ETag"] == etag

    # PUT replaces the list; leaving it out of a PUT empties it, as with any optional field.
    replaced = [*NEW, "what's the mean time to restore metric"]
    body = {k: start[k] for k in ("slug", "question", "answer", "roles", "tags")}
    body["sources"] = [{k: v for k, v in s.items() if k != "title"} for s in start["sources"]]
    put = write(writer, editor, "PUT", {**body, "examples": replaced})
    assert put.status_code == 200 and put.json["examples"] == replaced
    emptied = write(writer, editor, "PUT", body)
    assert emptied.status_code == 200 and emptied.json["examples"] == []

    # Restoring the seeded version brings the fixture's examples back.
    restore = writer.post(
        f"{PATH}/revisions/{start['version']}/restore",
        headers={**editor, "If-Match": writer.get(PATH).headers["ETag"]},
    )
    assert restore.status_code == 200, restore.json
    assert writer.get(PATH).json["examples"] == start["examples"]

    changes = writer.get("/v1/changes", query_string={"limit": 1000}).json
    mine = [(c["action"], c["changed"]) for c in changes if c["slug"] == SLUG]
    assert mine[-4:] == [("updated", ["examples"])] * 3 + [("restored", ["examples"])]


def test_seed_export_writes_the_examples(writer_app, writer, editor, tmp_path):
    write(writer, editor, "PATCH", {"examples": NEW}, "/v1/faqs/what-is-calms")
    result = writer_app.test_cli_runner().invoke(args=["seed", "export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    exported = {f["slug"]: f for f in json.loads((tmp_path / "faqs.json").read_text())}
    assert exported["what-is-calms"]["examples"] == NEW
    assert list(exported["what-is-calms"])[:4] == ["slug", "question", "answer", "examples"]
    # An FAQ written without examples exports, and the export says the loader would refuse it.
    assert exported["no-examples-yet"]["examples"] == []
    assert "note: seed would refuse" in result.output
    assert "(no-examples-yet): field 'examples'" in result.output


# Search and representations


def only_in_examples() -> tuple[str, str]:
    """A word of one FAQ's examples that no other text of the fixtures holds, and its FAQ."""
    rest = [{k: v for k, v in faq.items() if k != "examples"} for faq in FIXTURES]
    texts = [json.dumps(rest)] + [
        path.read_text(encoding="utf-8") for path in (ROOT / "seed").glob("*.json")
    ]
    texts = [t for t in texts if '"examples"' not in t]  # faqs.json counts without them
    elsewhere = set(re.findall(r"[a-z0-9]+", " ".join(texts).lower()))
    for faq in FIXTURES:
        for example in faq["examples"]:
            for word in re.findall(r"[a-z]{6,}", example.lower()):
                owners = [f["slug"] for f in FIXTURES if word in " ".join(f["examples"]).lower()]
                if word not in elsewhere and owners == [faq["slug"]]:
                    return word, faq["slug"]
    raise AssertionError("no word is only in one FAQ's examples")


def test_search_finds_an_faq_by_words_only_its_examples_hold(client):
    word, slug = only_in_examples()
    hits = client.get("/v1/search", query_string={"q": word, "type": "faq"}).json["hits"]
    assert [h["slug"] for h in hits][:1] == [slug], (word, hits)


def test_the_index_follows_the_examples(writer, editor):
    body = {
        "slug": "examples-indexed",
        "question": "Is this indexed?",
        "answer": "It is.",
        "examples": ["does the zorbulation count", "ask about zorbulation", "zorbulation?!"],
    }
    assert writer.post("/v1/faqs", json=body, headers=editor).status_code == 201

    def found(word):
        return [h["slug"] for h in writer.get("/v1/search", query_string={"q": word}).json["hits"]]

    assert found("zorbulation") == ["examples-indexed"]
    path = "/v1/faqs/examples-indexed"
    other = ["is the quuxification counted", "quuxification please", "what about quuxification"]
    assert write(writer, editor, "PATCH", {"examples": other}, path).status_code == 200
    assert found("zorbulation") == []
    assert found("quuxification") == ["examples-indexed"]


def test_markdown_lists_them_under_also_asked_as(client):
    faq = next(f for f in FIXTURES if f["slug"] == "what-is-kubernetes-used-for")
    text = client.get(f"/v1/faqs/{faq['slug']}", headers={"Accept": "text/markdown"}).text
    block = "## Also asked as\n\n" + "".join(f"- {e}\n" for e in faq["examples"])
    assert block in text
    assert text.index("## Answer") < text.index("## Also asked as") < text.index("## Sources")


def test_json_ld_gives_them_as_the_questions_alternate_names(client):
    faq = next(f for f in FIXTURES if f["slug"] == "what-is-kubernetes-used-for")
    page = client.get(f"/v1/faqs/{faq['slug']}", query_string={"format": "jsonld"}).json
    (question,) = page["mainEntity"]
    assert question["name"] == faq["question"]
    assert question["alternateName"] == faq["examples"]


def test_json_and_sparse_fieldsets_show_them(client):
    listed = client.get("/v1/faqs", query_string={"fields": "slug,examples", "page_size": 100})
    shown = {f["slug"]: f["examples"] for f in listed.json}
    assert shown == {f["slug"]: f["examples"] for f in FIXTURES}


def test_the_database_holds_them_as_a_json_list(app):
    with app.app_context():
        faq = db.session.scalar(select(Faq).where(Faq.slug == "what-is-calms"))
        assert isinstance(faq.examples, list) and all(isinstance(e, str) for e in faq.examples)
