"""Answer ids and feedback on answers: signed ids, one vote per (answer, client), counts."""

import uuid

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.models.analytics import AnswerFeedback
from api.services import answer_ids

from .conftest import bearer

QUESTION = "do devops engineers write code"
ANSWERS = f"/v1/answers?q={QUESTION}"
FEEDBACK = "/v1/answers/feedback"


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture
def client(app):
    return app.test_client()


def from_address(client, address: str):
    """The same app, as seen from another client address."""
    client.environ_base["REMOTE_ADDR"] = address
    return client


def rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AnswerFeedback))


def asked(client, question: str = QUESTION) -> dict:
    response = client.get(f"/v1/answers?q={question}")
    assert response.status_code == 200
    return response.json


def first_faq_passage(client, question: str) -> dict:
    response = client.get(f"/v1/passages?q={question}&type=faq&k=1")
    assert response.status_code == 200
    return response.json["passages"][0]


def vote(client, answer_id: str, helpful: bool, **extra):
    return client.post(FEEDBACK, json={"answer_id": answer_id, "helpful": helpful, **extra})


def test_answer_ids_are_present_signed_and_name_what_was_answered(app, client):
    body = asked(client, "Do DevOps engineers write code??")
    assert body["status"] == "answered"
    assert body["answer_id"] == body["passage"]["answer_id"]
    with app.test_request_context():
        ref = answer_ids.verify(body["answer_id"])
    assert ref.passage_id == body["passage"]["id"]
    assert (ref.collection, ref.slug) == ("faqs", body["passage"]["slug"])
    assert ref.version == body["passage"]["version"]
    assert ref.status == "answered"
    assert ref.question == "do devops engineers write code??"  # normalised
    # Deterministic: a representation made again (or stored) carries the same id.
    again = client.get(
        "/v1/answers?q=Do DevOps engineers write code??",
        headers={"Cache-Control": "no-cache"},
    )
    assert again.json["answer_id"] == body["answer_id"]
    passages = client.get("/v1/passages?q=what keeps devops engineers up at night&k=3").json
    assert passages["answer_id"] == passages["passages"][0]["answer_id"]
    with app.test_request_context():
        for passage in passages["passages"]:
            assert answer_ids.verify(passage["answer_id"]).passage_id == passage["id"]
    assert len({p["answer_id"] for p in passages["passages"]}) == len(passages["passages"])


def test_unanswered_questions_have_an_id_too(app, client):
    body = asked(client, "what is the capital of mongolia? write to jo@example.com")
    assert body["passage"] is None
    with app.test_request_context():
        ref = answer_ids.verify(body["answer_id"])
    assert (ref.passage_id, ref.status) == (None, body["status"])
    # Nothing personal in an id: the question is scrubbed before it is signed.
    assert "jo@example.com" not in ref.question and "<email>" in ref.question


@pytest.mark.parametrize(
    "forge",
    [
        lambda good: good[:-3] + ("abc" if not good.endswith("abc") else "xyz"),  # signature
        lambda good: "x" + good[1:],  # payload
        lambda good: URLSafeSerializer("not the key", salt="answer-id").dumps(
            [1, "q", "faqs/x#answer", "faqs", "x", 1, "answered"]
        ),
        lambda good: "not-an-id",
    ],
)
def test_forged_or_tampered_ids_are_refused_and_nothing_is_stored(app, client, forge):
    good = asked(client)["answer_id"]
    before = rows(app)
    response = vote(client, forge(good), False, reason="incorrect")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "answer_id" in response.json["errors"]
    assert rows(app) == before


@pytest.mark.parametrize(
    "body",
    [
        {"helpful": True},
        {"answer_id": "x", "helpful": "yes"},
        {"answer_id": "x", "helpful": 1},
        {"answer_id": "x", "helpful": False, "reason": "boring"},
        {"answer_id": "x", "helpful": False, "comment": "x" * 501},
        {"answer_id": "x", "helpful": False, "stars": 5},
    ],
)
def test_malformed_feedback_is_422(client, body):
    response = client.post(FEEDBACK, json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_is_415(client):
    response = client.post(FEEDBACK, data="helpful=true", content_type="text/plain")
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_a_vote_again_replaces_the_clients_vote_and_stuffing_counts_once(app):
    client = from_address(app.test_client(), "198.51.100.7")
    passage = first_faq_passage(client, "what does a devops engineer do on call")
    answer_id, passage_id = passage["answer_id"], passage["id"]
    before = rows(app)
    first = vote(client, answer_id, False, reason="outdated", comment="call me on +44 20 7946 0958")
    assert first.status_code == 201
    assert first.json["replaced"] is False
    assert first.json["counts"]["not_helpful"] >= 1
    assert "7946" not in first.json["comment"] and "<phone>" in first.json["comment"]
    helpful_before = first.json["counts"]["helpful"]
    for _ in range(10):  # stuffing from one client
        again = vote(client, answer_id, True)
        assert again.status_code == 200
        assert again.json["replaced"] is True
    assert rows(app) == before + 1
    assert again.json["counts"]["helpful"] == helpful_before + 1
    assert again.json["counts"]["not_helpful"] == first.json["counts"]["not_helpful"] - 1
    # Another address and a key are other clients.
    other = vote(from_address(app.test_client(), "198.51.100.8"), answer_id, True)
    assert other.status_code == 201
    keyed = app.test_client().post(
        FEEDBACK,
        json={"answer_id": answer_id, "helpful": True},
        headers=bearer(app, f"bot-{uuid.uuid4().hex[:8]}"),
    )
    assert keyed.status_code == 201
    assert keyed.json["counts"]["helpful"] == helpful_before + 3
    with app.app_context():
        stored = db.session.scalars(
            select(AnswerFeedback).where(AnswerFeedback.passage_id == passage_id)
        ).all()
    assert "198.51.100" not in " ".join(s.client for s in stored)
    assert all(len(s.client) == 64 for s in stored)


def test_a_key_that_does_not_verify_is_401(client):
    answer_id = asked(client)["answer_id"]
    response = client.post(
        FEEDBACK,
        json={"answer_id": answer_id, "helpful": True},
        headers={"Authorization": "Bearer wdw_nope_nope"},
    )
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_counts_show_in_the_faq_sub_resource_and_passages_and_go_stale_nowhere(app):
    client = from_address(app.test_client(), "203.0.113.20")
    body = asked(client)
    slug = body["passage"]["slug"]
    item = client.get(f"/v1/faqs/{slug}")
    counts = client.get(f"/v1/faqs/{slug}/feedback")
    assert counts.status_code == 200
    assert counts.headers["Cache-Control"] == "no-store"
    passages = client.get(f"/v1/passages?q={QUESTION}&k=3").json["passages"]
    shown = next(p for p in passages if p["id"] == body["passage"]["id"])
    assert vote(client, body["answer_id"], False, reason="incomplete").status_code == 201
    after = client.get(f"/v1/faqs/{slug}/feedback")
    assert after.json["not_helpful"] == counts.json["not_helpful"] + 1
    assert after.json["helpful"] == counts.json["helpful"]
    assert after.headers["ETag"] != counts.headers["ETag"]
    markdown = client.get(f"/v1/faqs/{slug}/feedback?format=markdown").get_data(as_text=True)
    assert f"Not helpful: {after.json['not_helpful']}" in markdown
    passages = client.get(f"/v1/passages?q={QUESTION}&k=3").json["passages"]
    now = next(p for p in passages if p["id"] == body["passage"]["id"])
    assert now["not_helpful"] == shown["not_helpful"] + 1
    assert asked(client)["passage"]["not_helpful"] == now["not_helpful"]
    # The FAQ itself is untouched by votes: same bytes, same ETag, still from memory.
    again = client.get(f"/v1/faqs/{slug}")
    assert again.data == item.data and again.headers["ETag"] == item.headers["ETag"]
    assert client.get("/v1/faqs/no-such-faq/feedback").status_code == 404


def test_votes_do_not_change_rankings_nor_the_content_generation(app):
    question = "who owns the deployment pipeline"
    before = app.test_client().get(f"/v1/passages?q={question}&k=5").json["passages"]
    generation = app.extensions["generation"].refresh()
    for n in range(5):
        client = from_address(app.test_client(), f"192.0.2.{n + 1}")
        assert vote(client, before[-1]["answer_id"], True).status_code == 201
        assert vote(client, before[0]["answer_id"], False, reason="incorrect").status_code == 201
    after = app.test_client().get(f"/v1/passages?q={question}&k=5").json["passages"]
    assert [(p["id"], p["score"]) for p in after] == [(p["id"], p["score"]) for p in before]
    assert app.extensions["generation"].refresh() == generation


def test_feedback_on_an_answer_whose_entry_was_since_edited_keeps_its_version(app):
    editor = bearer(app, f"editor-{uuid.uuid4().hex[:8]}")
    client = app.test_client()
    passage = first_faq_passage(client, "is devops a job title")
    url = passage["url"].split("#")[0]
    shown_version = passage["version"]
    etag = client.get(url).headers["ETag"]
    edited = client.patch(
        url,
        json={"answer": client.get(url).json["answer"] + " (Edited.)"},
        headers={**editor, "If-Match": etag},
        content_type="application/merge-patch+json",
    )
    assert edited.status_code == 200
    assert edited.json["version"] == shown_version + 1
    response = vote(
        from_address(client, "192.0.2.99"), passage["answer_id"], False, reason="outdated"
    )
    assert response.status_code == 201
    assert response.json["version"] == shown_version


def test_feedback_metrics_by_reason(app):
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'wdw_answer_feedback_votes{helpful="false",reason="incorrect"}' in text


def test_the_feedback_budget_is_per_client_and_over_it_is_429(app):
    config = {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "RATE_LIMITS_ENABLED": True,
        "RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}",
        "RATE_LIMIT_FEEDBACK": "2/minute",
        "REPRESENTATION_CACHE_BYTES": 0,
        "REDIS_URL": "",
    }
    limited = create_app(type("Limited", (TestConfig,), config))
    client = from_address(limited.test_client(), "192.0.2.200")
    answer_id = asked(client)["answer_id"]
    assert vote(client, answer_id, True).status_code == 201
    assert vote(client, answer_id, False).status_code == 200
    refused = vote(client, answer_id, True)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert "Retry-After" in refused.headers
    # Answers draw on their own budget; another client has a budget of its own.
    assert asked(client)["answer_id"] == answer_id
    assert (
        vote(from_address(limited.test_client(), "192.0.2.201"), answer_id, True).status_code == 201
    )
