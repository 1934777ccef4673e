"""Keep-alive connections survive answers that did not need the body (issue 10, item 11).

Against the production server as `make serve` starts it (granian, the command read from the
Makefile: tests/servers.py), with a real HTTP/1.1 client reusing one connection: after
a 401, 404, 415, ... to a request with a body, the next request on the same connection is
answered. A body over the 1 MiB limit is not read: its answer says `Connection: close`, so
the client opens a new connection instead of waiting for an answer that never comes.
"""

import http.client
import json
import os
import shutil
import socket

import pytest

from .conftest import make_key, seeded_app
from .servers import free_port, running_server, serve_command

LIMIT = 1024 * 1024
pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(port, editor key) of `make serve`'s server on a seeded SQLite file."""
    tmp = tmp_path_factory.mktemp("keepalive")
    database_url = f"sqlite:///{tmp / 'keepalive.db'}"
    key = make_key(seeded_app(database_url), "keepalive")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    with running_server(serve_command(port), env, tmp / "server.log"):
        yield port, key


def chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        yield body[start : start + size]


def send(connection, method, path, body=None, headers=None, chunked=False):
    connection.request(
        method,
        path,
        body=chunks(body) if chunked else body,
        headers=headers or {},
        encode_chunked=chunked,
    )
    response = connection.getresponse()
    return response, response.read()


def cases(key: str) -> dict[str, tuple]:
    editor = {"Authorization": f"Bearer {key}"}
    as_json = {"Content-Type": "application/json"}
    small = json.dumps({"slug": "x", "name": "y"}).encode()
    large = json.dumps({"slug": "x", "name": "y" * 200_000}).encode()
    return {
        "401, small body": ("POST", "/v1/tags", small, as_json, False, 401),
        "401, 200 KB body": ("POST", "/v1/tags", large, as_json, False, 401),
        "401, chunked body": ("POST", "/v1/tags", large, as_json, True, 401),
        "404 to a POST": ("POST", "/v1/nowhere", large, as_json, False, 404),
        "405 to a POST": ("POST", "/v1/tags/sre", large, {**as_json, **editor}, False, 405),
        "415": ("POST", "/v1/tags", large, {"Content-Type": "text/plain", **editor}, False, 415),
        "428 DELETE with a body": (
            "DELETE",
            "/v1/tags/sre",
            large,
            {**as_json, **editor},
            False,
            428,
        ),
        "GET with a body": ("GET", "/v1/tags", large, as_json, False, 200),
        "400 chunked, not JSON": (
            "POST",
            "/v1/tags",
            b"{" * 1000,
            {**as_json, **editor},
            True,
            400,
        ),
    }


CASES = list(cases("k"))


@pytest.mark.parametrize("case", CASES)
def test_the_connection_answers_again_after_an_answer_that_skipped_the_body(served, case):
    port, key = served
    method, path, body, headers, chunked, status = cases(key)[case]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        response, _ = send(connection, method, path, body, headers, chunked)
        assert response.status == status
        assert response.getheader("Connection") != "close"
        socket = connection.sock
        for _ in range(2):
            again, answer = send(connection, "GET", "/v1/tags/sre")
            assert again.status == 200, (again.status, answer[:300])
            assert json.loads(answer)["slug"] == "sre"
        assert connection.sock is socket  # the same connection all along
    finally:
        connection.close()


def test_a_chunked_body_over_the_limit_is_413_with_connection_close(served):
    port, key = served
    body = b'{"slug": "big", "name": "' + b"y" * (LIMIT + 10_000) + b'"}'
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        response, answer = send(connection, "POST", "/v1/tags", body, headers, chunked=True)
        assert response.status == 413
        assert "1 MiB" in json.loads(answer)["detail"]
        assert response.getheader("Connection") == "close"
        # http.client opens a new connection, as any client does after `Connection: close`.
        again, answer = send(connection, "GET", "/v1/tags/sre")
        assert again.status == 200, (again.status, answer[:300])
    finally:
        connection.close()


def test_a_declared_length_over_the_limit_is_413_before_the_body_is_sent(served):
    """As curl does for large bodies: `Expect: 100-continue`, and the answer comes first."""
    port, key = served
    head = (
        "POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {2 * LIMIT}\r\n"
        "Expect: 100-continue\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(head.encode())
        response = http.client.HTTPResponse(raw)
        response.begin()
        answer = response.read()
    assert response.status == 413
    assert "1 MiB" in json.loads(answer)["detail"]
    assert response.getheader("Connection") == "close"
