"""An Idempotency-Key belongs to one API key, one method and one path."""

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import IdempotentRequest

from .conftest import bearer


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "idempotency-scope")


# A body that both collections accept: only the route tells the two requests apart.
BODY = {"slug": "scoped", "name": "Scoped", "summary": "Sent to two routes with one key."}


def test_a_key_reused_on_another_route_is_422_and_replays_nothing(app, client, editor):
    headers = {**editor, "Idempotency-Key": "one-key-two-routes"}
    first = client.post("/v1/tags", json=BODY, headers=headers)
    assert first.status_code == 201
    elsewhere = client.post("/v1/metrics", json=BODY, headers=headers)
    assert elsewhere.status_code == 422, (elsewhere.status_code, elsewhere.headers.get("Location"))
    assert elsewhere.mimetype == "application/problem+json"
    assert "Location" not in elsewhere.headers
    message = elsewhere.json["errors"]["Idempotency-Key"][0]
    assert "POST /v1/tags" in message
    assert client.get("/v1/metrics/scoped").status_code == 404
    # The first route still replays its own answer.
    again = client.post("/v1/tags", json=BODY, headers=headers)
    assert (again.status_code, again.headers["Location"]) == (201, "/v1/tags/scoped")
    assert again.headers["Idempotent-Replayed"] == "true"


def test_the_stored_request_records_its_method_and_path(app, client, editor):
    headers = {**editor, "Idempotency-Key": "recorded-route"}
    body = {"slug": "recorded-tag", "name": "Recorded", "summary": "Kept with its route."}
    assert client.post("/v1/tags", json=body, headers=headers).status_code == 201
    with app.app_context():
        stored = db.session.scalars(
            select(IdempotentRequest).where(IdempotentRequest.key == "recorded-route")
        ).all()
        assert [(s.method, s.path) for s in stored] == [("POST", "/v1/tags")]


def test_two_api_keys_may_use_the_same_idempotency_key(app, client, editor):
    other = bearer(app, "idempotency-scope-other")
    name = "shared-by-two-keys"
    mine = {"slug": "tag-of-one", "name": "One", "summary": "First key."}
    theirs = {"slug": "tag-of-two", "name": "Two", "summary": "Second key."}
    assert client.post("/v1/tags", json=mine, headers={**editor, "Idempotency-Key": name})
    response = client.post("/v1/tags", json=theirs, headers={**other, "Idempotency-Key": name})
    assert (response.status_code, response.headers["Location"]) == (201, "/v1/tags/tag-of-two")
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).select_from(IdempotentRequest).where(IdempotentRequest.key == name)
        )
    assert count == 2


def test_the_migration_gives_stored_requests_the_route_they_answered(tmp_path_factory):
    from sqlalchemy import text

    from api.extensions import make_engine
    from api.migrate import upgrade

    from .conftest import empty_database

    engine = make_engine(empty_database(tmp_path_factory, "idempotency_migration"))
    upgrade(engine, "0006")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO api_keys (id, name, scope, lookup, digest, created_at) "
                "VALUES (1, 'old', 'editor', '0123456789ab', 'x', CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO idempotent_requests "
                "(api_key_id, key, request_digest, status, headers, body, created_at) "
                "VALUES (1, 'before-0007', 'd', 201, :headers, '{}', CURRENT_TIMESTAMP)"
            ),
            {"headers": '{"Location": "/v1/tags/old-tag", "ETag": "\\"e\\""}'},
        )
    upgrade(engine, "0007")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT method, path FROM idempotent_requests")).one()
    engine.dispose()
    assert tuple(row) == ("POST", "/v1/tags")
