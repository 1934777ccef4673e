"""Real servers for the tests that need one: a free port, `make serve`'s command, and a server
run until every worker answers, then killed with its whole process group."""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .conftest import ROOT

SERVED_APP = "api.wsgi:app"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except OSError:
        return False
    return True


def serve_command(port: int, app: str = SERVED_APP) -> list[str]:
    """The server command of `make serve` on `port` (read from the Makefile, so the tests run
    the very flags it uses), serving `app`."""
    dry_run = subprocess.run(
        ["make", "-n", "serve", f"PORT={port}", "HOST=127.0.0.1"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    commands = [shlex.split(line) for line in dry_run.replace("\\\n", " ").splitlines()]
    command = next(c for c in commands if any(word.endswith("/granian") for word in c))
    assert command[-1] == SERVED_APP, command
    return [*command[:-1], app]


@contextlib.contextmanager
def running_server(command: list[str], env: dict[str, str], output: Path):
    """Run `command` (a granian server line) until every worker has started; kill it after.

    Yields the process; the server's output goes to `output`.
    """
    port = int(command[command.index("--port") + 1])
    workers = int(command[command.index("--workers") + 1])
    with output.open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        # A worker still starting up misses a SIGTERM (granian 2.8.7): wait for granian's
        # "Started worker-N" lines as well as an answer.
        deadline = time.monotonic() + 60
        while output.read_text().count("Started worker") < workers or not answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("no server:\n" + output.read_text())
            time.sleep(0.1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
