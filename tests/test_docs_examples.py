"""Every shell example in README.md and docs/ runs as written against a live server, twice.

The server is the real app on a fresh SQLite file, migrated and seeded by the CLI commands
`make db` runs, served by `flask run` on a free port; each example's `localhost:8000` is
pointed at it. A block passes when bash runs it to the end (`set -euo pipefail`: a command
that fails, such as curl not reaching the server, fails it) and the server answered none of
its requests with a 5xx (read from the JSON access lines). Every block runs twice in a row,
as a newcomer pasting it again would. Blocks made only of `make` commands are skipped: they
start servers of their own (tests/test_serving.py and tests/test_deployment.py cover them).
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .servers import free_port

FLASK = [sys.executable, "-m", "flask", "--app", "api"]
BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def shell_blocks() -> list[tuple[str, str]]:
    """(where, text) of every shell block that is not only `make` commands."""
    blocks = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, match in enumerate(BLOCK.finditer(path.read_text()), start=1):
            text = match.group(1)
            commands = [
                line for line in text.splitlines() if line.strip() and not line.startswith("#")
            ]
            if all(line.lstrip().startswith("make ") for line in commands):
                continue
            blocks.append((f"{path.relative_to(ROOT)}#{number}", text))
    return blocks


BLOCKS = shell_blocks()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A server on its own database: (base URL, environment for the examples, its log)."""
    directory = tmp_path_factory.mktemp("docs-examples")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{directory / 'docs.db'}",
        "RATE_LIMITS_ENABLED": "0",
        "REDIS_URL": "",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("TEST_DATABASE_URL", None)
    for command in ("migrate", "seed", "reindex"):
        subprocess.run([*FLASK, command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    log = directory / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.2)
    yield base, env, log
    server.terminate()
    server.wait(timeout=10)


def server_errors(log: Path, start: int) -> list[dict]:
    """Access lines written after byte `start` whose status is 5xx."""
    with log.open("rb") as stream:
        stream.seek(start)
        text = stream.read().decode(errors="replace")
    lines = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return [line for line in lines if int(line.get("status", 0)) >= 500]


def test_the_docs_have_examples():
    """The test below runs something: README's curl lines and editing block at least."""
    assert len([where for where, _ in BLOCKS if where.startswith("README.md")]) >= 2


@pytest.mark.parametrize(("where", "text"), BLOCKS, ids=[where for where, _ in BLOCKS])
def test_example_runs_twice(live, where, text):
    base, env, log = live
    script = text.replace("http://localhost:8000", base).replace("localhost:8000", base)
    script = script.replace("http://127.0.0.1:8000", base)
    for attempt in (1, 2):
        start = log.stat().st_size
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        time.sleep(0.1)  # the access log is written in batches, at most 50 ms late
        assert run.returncode == 0, (
            f"{where}, run {attempt}: exit {run.returncode}\n{run.stderr[-2000:]}"
        )
        assert not server_errors(log, start), f"{where}, run {attempt}: 5xx answers"
