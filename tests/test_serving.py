"""The production server as `make serve` starts it: a SIGTERM lets requests in flight finish.

The server command is read from the Makefile (`make -n serve`), so the test runs the very
flags `make serve` uses; only the application changes, to tests/slow_app.py, which is the
real app with a way to keep one request in flight for a few seconds.
"""

import json
import os
import shutil
import signal
import socket
import threading
import time
import urllib.request

import pytest

from .conftest import seeded_app
from .servers import free_port, running_server, serve_command

SLOW_APP = "tests.slow_app:app"
DELAY = 3.0  # seconds the in-flight request takes

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture
def server(tmp_path):
    """`make serve`'s server on a seeded SQLite file, every worker started.

    Yields (process, port, the file the slow request creates, the server's output).
    """
    database_url = f"sqlite:///{tmp_path / 'serving.db'}"
    seeded_app(database_url)
    port = free_port()
    started = tmp_path / "slow-request-started"
    output = tmp_path / "server.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SLOW_REQUEST_STARTED": str(started)}
    with running_server(serve_command(port, SLOW_APP), env, output) as process:
        yield process, port, started, output


def test_sigterm_finishes_requests_in_flight_then_exits_0(server):
    process, port, started, output = server
    url = f"http://127.0.0.1:{port}/v1/roles"
    expected = urllib.request.urlopen(url, timeout=5).read()
    answer = {}

    def slow_request():
        request = urllib.request.Request(
            url, headers={"X-Test-Delay": str(DELAY), "X-Request-ID": "in-flight-1"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            answer.update(status=response.status, body=response.read())

    in_flight = threading.Thread(target=slow_request)
    in_flight.start()
    deadline = time.monotonic() + 10
    while not started.exists():
        assert time.monotonic() < deadline, "the slow request never reached the app"
        time.sleep(0.01)

    process.send_signal(signal.SIGTERM)
    sent = time.monotonic()

    # New connections are refused while the request in flight is still being answered.
    while not refused(port):
        assert time.monotonic() - sent < DELAY / 2, "still accepting connections after SIGTERM"
        time.sleep(0.05)
    assert in_flight.is_alive()

    in_flight.join(timeout=30)
    assert answer.get("status") == 200, answer
    assert answer["body"] == expected
    assert json.loads(answer["body"])
    assert process.wait(timeout=30) == 0
    assert refused(port)
    # Its access log line was written before the worker exited.
    lines = [json.loads(line) for line in output.read_text().splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == "in-flight-1"]
    assert [(line["path"], line["status"]) for line in logged] == [("/v1/roles", 200)]
