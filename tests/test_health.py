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
