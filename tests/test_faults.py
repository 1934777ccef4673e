"""The database going away: 503 with Retry-After, never a 500 or a hang; then recovery."""

import contextlib
import os
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from api import create_app
from api.config import TestConfig
from api.extensions import db

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs a PostgreSQL server to put a proxy in front of",
)


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server; stop() drops every connection and the port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone would not on Linux.
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.sockets = []


def through(url: str, port: int) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    user = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}"))


@pytest.fixture
def proxy(app):  # the shared app: migrated and seeded behind the proxy's target
    url = urlsplit(os.environ["TEST_DATABASE_URL"])
    proxy = TcpProxy((url.hostname, url.port or 5432))
    proxy.start()
    yield proxy
    proxy.stop()


def app_through(proxy: TcpProxy, **settings):
    """An app reaching the database through the proxy, without stored representations
    (which would answer known reads for up to CACHE_CHECK_INTERVAL after the fall)."""
    url = through(os.environ["TEST_DATABASE_URL"], proxy.port)
    settings = {"DATABASE_URL": url, "REPRESENTATION_CACHE_BYTES": 0, **settings}
    return create_app(type("ProxiedConfig", (TestConfig,), settings))


def test_database_down_is_503_fast_then_recovers(proxy):
    client = app_through(proxy).test_client()
    assert all(client.get("/v1/roles").status_code == 200 for _ in range(5))

    proxy.stop()
    for url in ("/v1/roles", "/v1/tools/docker", "/readyz"):
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 503, url
        assert time.monotonic() - started < 5
        assert response.mimetype == "application/problem+json"
        assert response.headers["Retry-After"] == "5"
    assert client.get("/healthz").status_code == 200

    proxy.start()
    statuses = [client.get("/v1/roles").status_code for _ in range(100)]
    assert statuses == [200] * 100


def test_exhausted_pool_is_503_within_the_pool_timeout(proxy):
    app = app_through(proxy, DB_POOL_SIZE=1, DB_MAX_OVERFLOW=0, DB_POOL_TIMEOUT=1)
    with app.app_context():
        held = db.engine.connect()  # the only connection, held elsewhere
        try:
            started = time.monotonic()
            response = app.test_client().get("/v1/roles")
            assert response.status_code == 503
            assert time.monotonic() - started < 3
        finally:
            held.close()
        assert app.test_client().get("/v1/roles").status_code == 200
