"""Every error path answers application/problem+json (RFC 9457), with nothing internal."""

import pytest
from flask import Flask

from api import create_app
from api.config import TestConfig

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["detail"]
    text = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "SELECT ", 'File "'):
        assert leak not in text
    return body


ERROR_PATHS = [
    ("get", "/nowhere", {}, 404),
    ("get", "/v1/roles/nobody", {}, 404),
    ("get", "/v1/nothing-here", {}, 404),
    ("post", "/v1/tools/docker", {"json": {"slug": "x"}}, 405),
    ("put", "/v1/tools", {}, 405),
    ("put", "/v1", {}, 405),
    ("post", "/v1/tools", {"json": {"slug": "x"}}, 401),
    ("delete", "/v1/tools/docker", {"headers": {"Authorization": "Bearer wdw_nope_nope"}}, 401),
    ("get", "/v1/tools?api_key=secret", {}, 400),
    ("get", "/v1/changes?since=not-a-cursor", {}, 422),
    ("get", "/v1/tools/docker/revisions/99", {}, 404),
    ("get", f"/v1/tools/docker/revisions/{2**63}", {}, 404),
    ("get", "/v1/tools", {"headers": {"Accept": "text/html"}}, 406),
    ("get", "/v1/tools/docker", {"headers": {"Accept": "application/xml"}}, 406),
    ("get", "/v1/tools", {"data": "hello", "content_type": "text/plain"}, 415),
    (
        "get",
        "/v1/tools",
        {"data": "x" * (1024 * 1024 + 1), "content_type": "application/json"},
        413,
    ),
    ("get", "/v1/tools?page_size=500", {}, 422),
    ("get", "/v1/tools?category=nope", {}, 422),
    ("get", "/v1/roles/developer?fields=nope", {}, 422),
]


@pytest.mark.parametrize(("method", "url", "kwargs", "status"), ERROR_PATHS)
def test_error_paths_are_problem_details(client, method, url, kwargs, status):
    body = assert_problem(getattr(client, method)(url, **kwargs), status)
    assert body["instance"] == url.split("?")[0]


def test_405_says_what_is_allowed(client):
    response = client.post("/v1/tools/docker")
    assert "GET" in response.headers["Allow"]
    assert "GET" in response.json["detail"]


def test_422_names_each_field(client):
    body = assert_problem(client.get("/v1/tools?page_size=0&category=x&sort=zzz"), 422)
    assert set(body["errors"]) == {"page_size", "category", "sort"}
    assert all(isinstance(v, list) and v for v in body["errors"].values())


def test_accept_problem_json_or_wildcards_is_fine(client):
    for accept in ("application/json", "application/*", "*/*", "application/problem+json"):
        assert client.get("/v1/tools", headers={"Accept": accept}).status_code == 200


@pytest.fixture
def failing_app(database_url) -> Flask:
    app = create_app(type("RunConfig", (TestConfig,), {"DATABASE_URL": database_url}))

    @app.get("/v1/boom")
    def boom():
        raise RuntimeError("secret internal detail: SELECT * FROM keys")

    return app


def test_500_is_problem_details_and_leaks_nothing(failing_app, caplog):
    response = failing_app.test_client().get("/v1/boom")
    body = assert_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    assert "secret internal detail" in caplog.text
