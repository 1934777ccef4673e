"""The FAQs' phrasings by meaning (api/services/phrasings.py): embedded when the passage index
is built for a content generation, not in an answer's request, and kept in the one cache of
stored questions' vectors (api/services/question_vectors.py) that the gap report reads too.
Skipped without the semantic extra."""

import pytest

from api.extensions import db
from api.services import encoder, question_vectors, semantic
from api.services.nearest_faq import faq_questions

from .conftest import bearer, empty_database, seeded_app

NEW_FAQ = {
    "slug": "okapi-feeding",
    "question": "What do okapis eat in the rainforest?",
    "answer": "Leaves, buds, grasses, ferns and fungi, and clay from riverbanks for minerals.",
    "examples": [
        "what does an okapi feed on",
        "okapi diet in the wild",
        "do okapis eat clay",
    ],
}


@pytest.fixture(scope="module")
def semantic_app(tmp_path_factory):
    for name in semantic.EXTRA:
        pytest.importorskip(name)
    return seeded_app(empty_database(tmp_path_factory, "test_phrasings"), SEMANTIC_SEARCH=True)


def test_an_answer_embeds_its_question_only_once_the_index_is_read(semantic_app):
    client = semantic_app.test_client()
    fresh = {"Cache-Control": "no-cache"}
    editor = bearer(semantic_app, "phrasings-writer")
    assert client.get("/v1/passages", query_string={"q": "who deploys"}).status_code == 200
    # A new FAQ: a new content generation, and phrasings no process has embedded yet.
    assert client.post("/v1/faqs", json=NEW_FAQ, headers=editor).status_code == 201
    try:
        # The first request after the write reads the index again: the new phrasings are
        # embedded there (one call), with the request's question (another).
        calls = encoder.ENCODER.calls
        response = client.get("/v1/passages", query_string={"q": "okapi snacks"}, headers=fresh)
        assert response.status_code == 200
        assert encoder.ENCODER.calls == calls + 2
        calls = encoder.ENCODER.calls
        response = client.get(
            "/v1/answers", query_string={"q": "which leaves do okapis like"}, headers=fresh
        )
        assert response.status_code == 200
        assert encoder.ENCODER.calls == calls + 1  # the question only
    finally:
        etag = client.get("/v1/faqs/okapi-feeding").headers["ETag"]
        headers = {**editor, "If-Match": etag}
        assert client.delete("/v1/faqs/okapi-feeding", headers=headers).status_code == 204


def test_the_gap_report_reuses_the_phrasings_answers_embedded(semantic_app):
    client = semantic_app.test_client()
    response = client.get("/v1/answers", query_string={"q": "do devops engineers write code"})
    assert response.status_code == 200
    with semantic_app.app_context():
        _, texts, _ = faq_questions(db.session)
    assert len(texts) > 300
    calls = encoder.ENCODER.calls
    vectors = question_vectors.embed(texts)  # what api/services/nearest_faq.py embeds
    assert encoder.ENCODER.calls == calls
    assert vectors.shape == (len(texts), 384)


def test_an_faq_is_ranked_by_its_closest_phrasing_too(semantic_app):
    """retrieval.candidates gives each FAQ candidate its closest phrasing's cosine, and
    score() raises the FAQ's cosine W_PHRASING of the way to it."""
    from api.services import retrieval
    from api.services.analysis import analyze, app_glossary

    example = "how much downtime is allowed before SREs stop shipping features"  # seed example
    with semantic_app.test_request_context():
        analysis = analyze(db.session, example, app_glossary())
        found, scored = retrieval.candidates(db.session, example, analysis, None, None, True)
        faqs = {
            found.passages[c.i].slug: c for c in scored if found.passages[c.i].collection == "faqs"
        }
    faq = faqs["what-are-error-budgets-and-slos"]
    assert faq.phrasing == pytest.approx(1.0, abs=1e-4) and faq.phrasing > faq.cosine
    other = next(c for c in scored if found.passages[c.i].collection != "faqs")
    assert other.phrasing is None

    passage = found.passages[faq.i]
    plain = retrieval.Candidate(faq.i, cosine=0.5, entry_cosine=0.5)
    closer = retrieval.Candidate(faq.i, cosine=0.5, entry_cosine=0.5, phrasing=0.9)
    farther = retrieval.Candidate(faq.i, cosine=0.5, entry_cosine=0.5, phrasing=0.3)
    raised = retrieval.W_COSINE * retrieval.W_PHRASING * 0.4
    assert retrieval.score(closer, passage) == pytest.approx(
        retrieval.score(plain, passage) + raised
    )
    assert retrieval.score(farther, passage) == retrieval.score(plain, passage)
