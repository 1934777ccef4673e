"""Passages: how entries are split, their citations, how they follow writes, /v1/passages."""

import json
import sys

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import Passage
from api.services.indexing import reindex
from api.services.retrieval import retrieve
from api.services.transaction import write_transaction

from .conftest import ROOT, bearer

SEED = ROOT / "seed"


def seeded(name: str) -> list[dict]:
    return json.loads((SEED / f"{name}.json").read_text())


def passages_of(app, collection: str, slug: str) -> dict[str, Passage]:
    with app.app_context():
        rows = db.session.scalars(
            select(Passage)
            .where(Passage.collection == collection, Passage.slug == slug)
            .order_by(Passage.position)
        ).all()
        db.session.expunge_all()
        return {row.anchor: row for row in rows}


def etag_of(client, url: str) -> str:
    return client.get(url).headers["ETag"]


# splitting


def test_an_faq_is_one_passage_its_question_and_answer(app):
    for faq in seeded("faqs"):
        found = passages_of(app, "faqs", faq["slug"])
        assert list(found) == ["answer"]
        passage = found["answer"]
        assert (passage.title, passage.text) == (faq["question"], faq["answer"])
        assert passage.field == "answer"
        assert all(example in passage.search_text for example in faq.get("examples") or [])


def test_a_role_has_its_summary_and_each_filled_cell_of_the_matrix(app):
    for role in seeded("roles"):
        found = passages_of(app, "roles", role["slug"])
        cells = [
            name
            for name, value in role.items()
            if isinstance(value, str) and value and name not in ("slug", "name", "short_name")
        ]
        assert sorted(found) == sorted(cells)
        for name in cells:
            assert found[name].text == role[name]
            assert found[name].field == name


def test_tools_and_metrics_are_one_passage_with_their_roles(app):
    for name in ("tools", "metrics"):
        for entry in seeded(name):
            found = passages_of(app, name, entry["slug"])
            assert list(found) == ["roles"]
            assert entry["summary"] in found["roles"].text
            with app.app_context():
                from api.models import Role

                names = dict(db.session.execute(select(Role.slug, Role.name)).all())
            for role in entry["roles"]:
                assert names[role] in found["roles"].text


def test_workflow_stages_and_schedule_slots_are_passages_of_their_own(app):
    for workflow in seeded("workflows"):
        found = passages_of(app, "workflows", workflow["slug"])
        stages = [a for a in found if a.startswith("stages-")]
        assert stages == [f"stages-{n}" for n in range(1, len(workflow["stages"]) + 1)]
        for n, stage in enumerate(workflow["stages"], 1):
            assert found[f"stages-{n}"].text == stage["summary"]
            assert found[f"stages-{n}"].field == "stages"
            assert stage["name"] in found[f"stages-{n}"].title
    for schedule in seeded("schedules"):
        found = passages_of(app, "schedules", schedule["slug"])
        for n, slot in enumerate(schedule["entries"], 1):
            assert found[f"entries-{n}"].text == slot["activity"]
            assert slot["time"] in found[f"entries-{n}"].title


def test_topics_split_into_paragraphs(app):
    for topic in seeded("topics"):
        found = passages_of(app, "topics", topic["slug"])
        paragraphs = [p.strip() for p in topic["body"].split("\n\n") if p.strip()]
        assert [found[f"body-{n}"].text for n in range(1, len(paragraphs) + 1)] == paragraphs
        assert found["summary"].text == topic["summary"]


def test_every_entry_of_every_collection_has_passages(app):
    with app.app_context():
        have = set(db.session.execute(select(Passage.collection, Passage.slug)).all())
    for path in sorted(SEED.glob("*.json")):
        data = json.loads(path.read_text())
        if isinstance(data, list):
            assert {(path.stem, e["slug"]) for e in data} <= have, path.stem


# citations


def test_citations_carry_the_entrys_version_etag_and_sources(app, client):
    for collection, slug in [
        ("roles", "devops-engineer"),
        ("workflows", "outer-loop"),
        ("faqs", "devops-vs-sre"),
        ("tools", "terraform"),
        ("schedules", "devops-engineer-day"),
    ]:
        response = client.get(f"/v1/{collection}/{slug}")
        entry = response.json
        for passage in passages_of(app, collection, slug).values():
            assert passage.etag == response.headers["ETag"]
            assert passage.version == entry["version"]
            assert passage.sources, passage.anchor
            assert all(source in entry["sources"] for source in passage.sources)


def test_a_passage_cites_the_sources_that_back_its_field(app, client):
    role = client.get("/v1/roles/developer").json
    found = passages_of(app, "roles", "developer")
    for anchor, passage in found.items():
        backing = [s for s in role["sources"] if not s["fields"] or anchor in s["fields"]]
        assert passage.sources == (backing or role["sources"]), anchor


# /v1/passages


def test_passages_answer_with_text_score_and_citation(client):
    response = client.get("/v1/passages", query_string={"q": "terraform", "k": 3})
    assert response.status_code == 200
    body = response.json
    assert body["query"] == "terraform"
    assert 1 <= len(body["passages"]) <= 3
    first = body["passages"][0]
    keys = {"id", "title", "text", "score", "url", "type", "slug", "field", "version", "etag"}
    assert keys | {"sources", "metadata"} <= set(first)
    assert first["url"] == f"/v1/{first['id']}"
    assert first["url"].startswith(f"/v1/{first['id'].split('/')[0]}/{first['slug']}#")
    assert first["metadata"]["url"] == first["url"]
    assert first["metadata"]["etag"] == first["etag"] == etag_of(client, first["url"].split("#")[0])
    scores = [p["score"] for p in body["passages"]]
    assert scores == sorted(scores, reverse=True)


def test_k_defaults_to_five_and_filters_apply(client):
    body = client.get("/v1/passages", query_string={"q": "deployment pipeline"}).json
    assert len(body["passages"]) == 5
    body = client.get("/v1/passages", query_string={"q": "deployment pipeline", "type": "role"})
    assert {p["type"] for p in body.json["passages"]} == {"role"}
    body = client.get(
        "/v1/passages", query_string={"q": "tests", "role": "site-reliability-engineer"}
    ).json
    assert body["passages"]
    assert all("site-reliability-engineer" in p["metadata"]["roles"] for p in body["passages"])


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": ""},
        {"q": "x" * 2001},
        {"q": "ci", "k": 0},
        {"q": "ci", "k": 51},
        {"q": "ci", "k": "many"},
        {"q": "ci", "type": "nothing"},
        {"q": "ci", "role": "Not A Slug"},
        {"q": "ci", "unknown": "1"},
    ],
)
def test_bad_input_is_422_problem_json(client, query):
    response = client.get("/v1/passages", query_string=query)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_long_questions_are_accepted(client):
    question = "so basically " * 100 + "what does a devops engineer worry about"
    assert len(question) <= 2000
    response = client.get("/v1/passages", query_string={"q": question})
    assert response.status_code == 200
    assert response.json["passages"]


def test_retrieve_gives_features_a_calibrator_needs(app):
    with app.test_request_context():
        found = retrieve(db.session, "mean time to recovery", k=3)
    assert [f.rank for f in found] == [1, 2, 3]
    assert found[0].passage.id == "metrics/mttr#roles" or found[0].passage.slug == "mttr"
    for f in found:
        assert 0 <= f.coverage <= 1 and 0 <= f.word_score <= 1
        assert f.margin >= 0
    assert found[0].word_rank is not None


# passages follow writes


@pytest.fixture(scope="module")
def wapp(writable_app):
    return writable_app


def test_writes_rewrite_delete_and_refresh_passages(wapp):
    client, editor = wapp.test_client(), bearer(wapp, "passages-tests")
    body = {
        "slug": "what-is-toil",
        "question": "What is toil?",
        "answer": "Manual, repetitive operations work.\n\nIt grows with the service.",
        "roles": ["site-reliability-engineer"],
        "tags": ["sre"],
        "examples": [
            "why is my oncall so boring",
            "grinding manual ops chores",
            "what is toil in sre",
        ],
    }
    created = client.post("/v1/faqs", json=body, headers=editor)
    assert created.status_code == 201, created.json
    found = passages_of(wapp, "faqs", "what-is-toil")
    assert found["answer"].etag == etag_of(client, "/v1/faqs/what-is-toil")
    # Example questions are searched, not shown.
    assert "grinding manual ops chores" in found["answer"].search_text
    assert "grinding" not in found["answer"].text
    # The role lists the FAQ: its passages get the role's new ETag.
    role_etag = etag_of(client, "/v1/roles/site-reliability-engineer")
    assert {p.etag for p in passages_of(wapp, "roles", "site-reliability-engineer").values()} == {
        role_etag
    }
    patch = client.patch(
        "/v1/faqs/what-is-toil",
        json={"answer": "Manual work that automation can remove."},
        headers={
            **editor,
            "If-Match": etag_of(client, "/v1/faqs/what-is-toil"),
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert patch.status_code == 200, patch.json
    found = passages_of(wapp, "faqs", "what-is-toil")
    assert found["answer"].text == "Manual work that automation can remove."
    assert found["answer"].version == 2
    assert found["answer"].etag == etag_of(client, "/v1/faqs/what-is-toil")
    hits = client.get("/v1/passages", query_string={"q": "automation can remove manual work"})
    assert "faqs/what-is-toil#answer" in [p["id"] for p in hits.json["passages"]]
    deleted = client.delete(
        "/v1/faqs/what-is-toil",
        headers={**editor, "If-Match": etag_of(client, "/v1/faqs/what-is-toil")},
    )
    assert deleted.status_code == 204
    assert passages_of(wapp, "faqs", "what-is-toil") == {}
    assert {p.etag for p in passages_of(wapp, "roles", "site-reliability-engineer").values()} == {
        etag_of(client, "/v1/roles/site-reliability-engineer")
    }
    hits = client.get("/v1/passages", query_string={"q": "automation can remove manual work"})
    assert "faqs/what-is-toil#answer" not in [p["id"] for p in hits.json["passages"]]


def test_reindex_rebuilds_the_same_passages(wapp):
    with wapp.app_context():
        before = {
            (p.collection, p.slug, p.anchor): (p.id, p.text, p.etag)
            for p in db.session.scalars(select(Passage))
        }
        # As the app and `flask reindex` write: under the write lock (BEGIN IMMEDIATE on
        # SQLite), which waits for the query log's writer thread; a read that turns into a
        # write would fail at once ("database is locked") if that thread wrote in between.
        with write_transaction(db.session):
            db.session.execute(Passage.__table__.delete().where(Passage.collection == "tools"))
        assert db.session.scalar(select(func.count()).where(Passage.collection == "tools")) == 0
        with write_transaction(db.session):
            reindex(db.session)
        after = {
            (p.collection, p.slug, p.anchor): (p.text, p.etag)
            for p in db.session.scalars(select(Passage))
        }
    assert after == {key: value[1:] for key, value in before.items()}


def test_words_only_ranking_needs_no_numpy(app, monkeypatch):
    """Smallest installs: no vectors stored, and numpy cannot even be imported."""
    from api.services import passage_index

    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.setattr(passage_index, "_INDEXES", {})
    with app.test_request_context():
        found = retrieve(db.session, "who owns mttr", k=3, semantic=False)
    assert found and found[0].cosine is None and found[0].entry_cosine is None
    assert found[0].passage.slug == "mttr"


def test_sub_disciplines_and_single_passage_collections(app):
    for entry in seeded("sub-disciplines"):
        found = passages_of(app, "sub-disciplines", entry["slug"])
        assert found["summary"].text == entry["summary"]
        assert found["focus"].text == entry["focus"]
        if entry.get("question"):
            assert found["question"].text == entry["question"]
    for name in ("responsibilities", "practices", "tags", "resources"):
        for entry in seeded(name):
            found = passages_of(app, name, entry["slug"])
            assert list(found) == ["summary"], (name, entry["slug"])
            assert entry["summary"] in found["summary"].text


def test_a_resource_title_change_refreshes_the_etags_of_its_citers(wapp):
    client, editor = wapp.test_client(), bearer(wapp, "passages-resource-editor")
    etag = etag_of(client, "/v1/resources/editorial")
    response = client.patch(
        "/v1/resources/editorial",
        json={"title": "Written by the editors"},
        headers={**editor, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json
    citers = client.get("/v1/faqs", query_string={"source": "editorial", "page_size": 3}).json
    slugs = [entry["slug"] for entry in citers]
    assert slugs
    for slug in slugs:
        passage = passages_of(wapp, "faqs", slug)["answer"]
        assert passage.etag == etag_of(client, f"/v1/faqs/{slug}")
