"""Passages with SEMANTIC_SEARCH on: stored vectors, re-embedded only when their text changes,
and ranking by meaning. Skipped without the semantic extra."""

import pytest
from sqlalchemy import select

from api.extensions import db
from api.models import Passage
from api.services import encoder, semantic
from api.services.passage_store import embedded_text
from api.services.retrieval import retrieve

from .conftest import bearer, empty_database, seeded_app


@pytest.fixture(scope="module")
def semantic_app(tmp_path_factory):
    for name in semantic.EXTRA:
        pytest.importorskip(name)
    return seeded_app(
        empty_database(tmp_path_factory, "test_passages_semantic"), SEMANTIC_SEARCH=True
    )


def vectors(app) -> dict[str, tuple[bytes, str]]:
    with app.app_context():
        return {
            f"{p.collection}/{p.slug}#{p.anchor}": (p.embedding, p.embedding_digest)
            for p in db.session.scalars(select(Passage))
        }


def test_every_passage_is_embedded_with_the_digest_of_its_text(semantic_app):
    with semantic_app.app_context():
        rows = db.session.scalars(select(Passage)).all()
        assert len(rows) > 300
        for row in rows:
            assert len(row.embedding) == 384 * 4
            assert row.embedding_digest == encoder.digest(embedded_text(row))


def test_a_write_embeds_only_the_passages_whose_text_changed(semantic_app, monkeypatch):
    client, editor = semantic_app.test_client(), bearer(semantic_app, "passage-vectors")
    before = vectors(semantic_app)
    embedded: list[str] = []
    original = encoder.ENCODER.embed

    def counting(texts):
        embedded.extend(texts)
        return original(texts)

    monkeypatch.setattr(encoder.ENCODER, "embed", counting)
    etag = client.get("/v1/roles/site-reliability-engineer").headers["ETag"]
    response = client.patch(
        "/v1/roles/site-reliability-engineer",
        json={"pain_points": "Pager fatigue from noisy alerts."},
        headers={**editor, "If-Match": etag, "Content-Type": "application/merge-patch+json"},
    )
    assert response.status_code == 200, response.json
    after = vectors(semantic_app)
    changed = {key for key in after if after[key] != before.get(key)}
    assert changed == {"roles/site-reliability-engineer#pain_points"}
    # The changed passage, and the entry's search document (api/services/embeddings_store.py).
    assert len(embedded) == 2
    assert sum(t.startswith("Site Reliability Engineer (SRE): pain points") for t in embedded) == 1


def test_ranking_by_meaning_gives_cosines_and_finds_words_it_does_not_share(semantic_app):
    with semantic_app.test_request_context():
        found = retrieve(db.session, "what gives site reliability people headaches", k=5)
    assert found[0].cosine is not None and found[0].entry_cosine is not None
    assert all(-1 <= f.cosine <= 1 for f in found)
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    assert "roles/site-reliability-engineer#pain_points" in [f.passage.id for f in found]
