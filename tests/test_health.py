"""Liveness and readiness, including a database that does not answer."""

from api import create_app
from api.config import TestConfig


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready"}


def test_readyz_is_503_when_the_database_is_down_while_healthz_stays_up():
    # Port 9 (discard) has no PostgreSQL: connections are refused at once.
    url = "postgresql://postgres@127.0.0.1:9/none"
    app = create_app(type("DownConfig", (TestConfig,), {"DATABASE_URL": url}))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"


def test_readyz_asks_the_database_at_most_once_per_interval(database_url, app):
    from api.extensions import db

    from .test_auth_limits import count_statements

    config = {"DATABASE_URL": database_url, "READYZ_CACHE_SECONDS": 30.0}
    ready = create_app(type("ReadyConfig", (TestConfig,), config))
    client = ready.test_client()
    with ready.app_context(), count_statements(db.engine) as statements:
        answers = [client.get("/readyz") for _ in range(50)]
    assert [a.status_code for a in answers] == [200] * 50
    assert all(a.headers["Cache-Control"] == "no-store" for a in answers)
    assert [s for s in statements if s != "BEGIN"] == ["SELECT 1"]


def test_readyz_remembers_a_failure_for_the_interval_too():
    from sqlalchemy import event

    from api.extensions import db

    url = "postgresql://postgres@127.0.0.1:9/none"
    config = {"DATABASE_URL": url, "READYZ_CACHE_SECONDS": 30.0}
    app = create_app(type("DownConfig", (TestConfig,), config))
    attempts = []
    with app.app_context():
        event.listen(db.engine, "do_connect", lambda *args: attempts.append(1))
    client = app.test_client()
    answers = [client.get("/readyz") for _ in range(10)]
    assert {a.status_code for a in answers} == {503}
    assert {a.headers["Retry-After"] for a in answers} == {"5"}
    assert len(attempts) <= 2  # the first check may retry once; later calls reuse its answer
