"""Reads are monotonic across workers and instances: once a write has answered, every read
that starts after it sees the write, whichever process or instance answers it.

Real servers, as `make serve` starts them (granian, 2 workers), on the test database, with the
generation pushed through Redis pub/sub or LISTEN/NOTIFY (PostgreSQL) or the shared file
(SQLite). Every
request goes over a connection of its own, so the two workers (and the two instances) share
the reads. The poll interval stays at its default (0.5 s), far above the bound held here.
Then, in this process: the shared file, a lost subscription, no channel at all, and the 412
that names the current ETag.
"""

import http.client
import json
import os
import time
import uuid
from contextlib import ExitStack, contextmanager

import pytest
import redis
from sqlalchemy import text

from api import create_app
from api.config import TestConfig

from .conftest import empty_database, make_key, seeded_app
from .servers import free_port, running_server, serve_command

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BOUND = 0.050  # seconds: how long after a write's answer another process may still serve the old
TRIALS = 30
READS = 4  # rounds of reads over new connections after each write's answer

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
# PostgreSQL: Redis pub/sub, or LISTEN/NOTIFY without Redis. SQLite: the shared file.
CHANNELS = ["redis", "postgresql"] if ON_POSTGRESQL else ["file"]
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="SQLite has its shared file")


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A seeded database of this module's own, and an editor key on it."""
    url = empty_database(tmp_path_factory, "test_invalidation")
    app = seeded_app(url)
    return url, {"Authorization": f"Bearer {make_key(app, 'invalidation')}"}


@contextmanager
def server(tmp_path, database_url: str, channel: str, prefix: str):
    """`make serve`'s server on a free port; yields the port once every worker started."""
    port = free_port()
    command = serve_command(port)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL if channel == "redis" else "",
        "CHANNEL_PREFIX": prefix,
        "RATE_LIMITS_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    with running_server(command, env, tmp_path / f"server-{port}.log"):
        yield port


def request(port: int, method: str, path: str, body=None, headers=None):
    """One request over a connection of its own: (status, headers, decoded body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        return response.status, response.headers, json.loads(content) if content else None
    finally:
        connection.close()


def write_then_read(write_port, read_ports: list[int], path: str, editor: dict, old: str, n: int):
    """A PATCH over `old` (the current ETag), then reads and a stale client's retry right
    after its answer.

    Returns (stale reads, reads, window in seconds: from the answer to the start of the last
    stale read, failed retries, the new ETag).
    """
    for port in read_ports * 3:  # every process has an answer stored
        status, _, _ = request(port, "GET", path)
        assert status == 200
    summary = f"Changed by trial {n}."
    status, headers, _ = request(
        write_port, "PATCH", path, {"summary": summary}, {**editor, "If-Match": old}
    )
    answered = time.monotonic()
    assert status == 200
    new = headers["ETag"]
    stale, reads, last_stale, fresh_rounds = 0, 0, answered, 0
    # READS rounds over the processes; while some are stale, on until one is fresh everywhere.
    while reads < READS * len(read_ports) or fresh_rounds == 0:
        fresh_rounds += 1
        for port in read_ports:
            started = time.monotonic()
            _, headers, body = request(port, "GET", path)
            reads += 1
            if headers["ETag"] != new or body["summary"] != summary:
                stale += 1
                last_stale, fresh_rounds = started, 0
        assert time.monotonic() - answered < 5, "still stale 5 s after the answer"
    # A client that still holds the old ETag: 412, GET it again, retry.
    status, _, _ = request(
        read_ports[-1], "PATCH", path, {"summary": "too late"}, {**editor, "If-Match": old}
    )
    assert status == 412
    _, headers, _ = request(read_ports[-1], "GET", path)
    status, headers, _ = request(
        read_ports[-1], "PATCH", path, {"summary": summary}, {**editor, "If-Match": headers["ETag"]}
    )
    return stale, reads, last_stale - answered, int(status != 200), new


def run_trials(write_port, read_ports, path, editor):
    time.sleep(1)  # longer than any poll: every process has the current content
    _, headers, _ = request(write_port, "GET", path)
    etag, results = headers["ETag"], []
    for n in range(TRIALS):
        results.append(write_then_read(write_port, read_ports, path, editor, etag, n))
        etag = results[-1][-1]
    stale = sum(r[0] for r in results)
    reads = sum(r[1] for r in results)
    window = max(r[2] for r in results)
    failed_retries = sum(r[3] for r in results)
    print(
        f"\n{path}: {stale} stale of {reads} reads in {TRIALS} trials, "
        f"worst window {window * 1000:.1f} ms, {failed_retries} failed retries after 412"
    )
    return stale, window, failed_retries


@pytest.mark.parametrize("channel", CHANNELS)
def test_two_workers_serve_a_write_at_once(tmp_path, database, channel):
    database_url, editor = database
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    with server(tmp_path, database_url, channel, prefix) as port:
        stale, window, failed_retries = run_trials(port, [port], "/v1/metrics/uptime", editor)
    assert window <= BOUND, f"{stale} stale reads, up to {window * 1000:.0f} ms after the answer"
    assert failed_retries == 0


@pytest.mark.parametrize("channel", CHANNELS)
def test_two_instances_serve_a_write_at_once(tmp_path, database, channel):
    database_url, editor = database
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        first = stack.enter_context(server(tmp_path, database_url, channel, prefix))
        second = stack.enter_context(server(tmp_path, database_url, channel, prefix))
        stale, window, failed_retries = run_trials(
            first, [second, first], "/v1/metrics/error-rate", editor
        )
    assert window <= BOUND, f"{stale} stale reads, up to {window * 1000:.0f} ms after the answer"
    assert failed_retries == 0


# in this process


def instance(database_url: str, **settings):
    """Another app (another worker or instance) on the same database."""
    config = {"DATABASE_URL": database_url, **settings}
    return create_app(type("InstanceConfig", (TestConfig,), config))


def seen_within(client, path: str, summary: str, seconds: float) -> float:
    """How long after now a read that `client` starts may still miss `summary` at `path`: the
    start of the last read that did (0 when none did). Fails after `seconds`."""
    answered, stale = time.monotonic(), 0.0
    while True:
        started = time.monotonic()
        if client.get(path).json["summary"] == summary:
            return stale
        stale = started - answered
        assert stale < seconds, f"not seen within {seconds} s"
        time.sleep(0.002)


def patch(client, path: str, summary: str, editor: dict) -> None:
    etag = client.get(path, headers={"Cache-Control": "no-cache"}).headers["ETag"]
    response = client.patch(path, json={"summary": summary}, headers={**editor, "If-Match": etag})
    assert response.status_code == 200


def drop_listener_connection(channel: str, name: str, database_url: str) -> None:
    """Close, from the server's side, the connection this process listens on."""
    if channel == "redis":
        server = redis.Redis.from_url(REDIS_URL)
        clients = [c for c in server.client_list() if c["name"] == f"listener:{name}"]
        assert clients, "no listening connection"
        for found in clients:
            server.client_kill_filter(_id=found["id"])
        return
    app = instance(database_url)
    with app.extensions["database"]["engine"].begin() as connection:
        killed = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = :name"
            ),
            {"name": f"listener {name}"},
        ).all()
    assert killed, "no listening connection"


@pytest.mark.skipif(ON_POSTGRESQL, reason="the shared file is SQLite's")
def test_on_sqlite_the_next_read_anywhere_sees_a_write(database):
    database_url, editor = database
    writer, reader = (instance(database_url, CACHE_CHECK_INTERVAL=60) for _ in range(2))
    client, path = reader.test_client(), "/v1/metrics/api-latency"
    for n in range(10):
        client.get(path)
        client.get(path)
        patch(writer.test_client(), path, f"Written {n}.", editor)
        assert client.get(path).json["summary"] == f"Written {n}."


@postgresql_only
@pytest.mark.parametrize("channel", CHANNELS)
def test_a_lost_subscription_is_taken_again_and_nothing_is_missed(database, channel):
    database_url, editor = database
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings = {
        "REDIS_URL": REDIS_URL if channel == "redis" else "",
        "CHANNEL_PREFIX": prefix,
        "CACHE_CHECK_INTERVAL": 60,  # only a message (or a new subscription) can tell
    }
    writer, reader = instance(database_url, **settings), instance(database_url, **settings)
    generation, client, path = (
        reader.extensions["generation"],
        reader.test_client(),
        "/v1/metrics/mttr",
    )
    client.get(path)
    deadline = time.monotonic() + 10
    while not generation.pushed:
        assert time.monotonic() < deadline, "never subscribed"
        time.sleep(0.01)
    patch(writer.test_client(), path, "Pushed.", editor)
    assert seen_within(client, path, "Pushed.", BOUND) <= BOUND

    drop_listener_connection(channel, f"{prefix}:generation", database_url)
    patch(writer.test_client(), path, "Written while nobody listened.", editor)
    seen_within(client, path, "Written while nobody listened.", 5)
    deadline = time.monotonic() + 10
    while not generation.pushed:
        assert time.monotonic() < deadline, "never subscribed again"
        time.sleep(0.01)
    patch(writer.test_client(), path, "Pushed again.", editor)
    assert seen_within(client, path, "Pushed again.", BOUND) <= BOUND


@postgresql_only
def test_with_no_channel_up_the_generation_is_polled(database):
    database_url, editor = database
    settings = {
        "REDIS_URL": "redis://127.0.0.1:9/0",  # nothing listens there
        "CHANNEL_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
        "CACHE_CHECK_INTERVAL": 0.2,
    }
    writer, reader = instance(database_url, **settings), instance(database_url, **settings)
    client, path = reader.test_client(), "/v1/metrics/uptime"
    client.get(path)
    client.get(path)
    patch(writer.test_client(), path, "Polled.", editor)
    assert not reader.extensions["generation"].pushed
    seen_within(client, path, "Polled.", 1.0)


def test_a_412_carries_the_current_etag_to_retry_with(database):
    database_url, editor = database
    client, path = instance(database_url).test_client(), "/v1/metrics/error-budget"
    old = client.get(path).headers["ETag"]
    first = client.patch(path, json={"summary": "First."}, headers={**editor, "If-Match": old})
    assert first.status_code == 200
    late = client.patch(path, json={"summary": "Second."}, headers={**editor, "If-Match": old})
    assert late.status_code == 412
    assert late.content_type == "application/problem+json"
    assert late.headers["ETag"] == first.headers["ETag"] == client.get(path).headers["ETag"]
    retried = client.patch(
        path, json={"summary": "Second."}, headers={**editor, "If-Match": late.headers["ETag"]}
    )
    assert retried.status_code == 200
