"""Two `make db` at once on one empty database: both succeed and the rows are loaded once.

Replicas started together each run `make db`'s commands (migrate, seed, reindex, read from
`make -n db`). Each run is a real process calling the `flask` command line; both are held at a
start line after their imports, so their migrations overlap.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.models import Revision
from api.registry import COLLECTIONS

from .conftest import ROOT, empty_database

SEED = ROOT / "seed"

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")

# Imports the app, says it is ready, waits for the start file, then runs each command as
# `flask --app api COMMAND`, stopping at the first that fails (as make does).
RUN_AT_START = """
import sys, time
from pathlib import Path
from flask.cli import cli
import api

ready, start = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not start.exists():
    time.sleep(0.002)
for command in sys.argv[3:]:
    try:
        cli.main(["--app", "api", command], prog_name="flask")
    except SystemExit as exit:
        if exit.code:
            raise
"""


def make_db_commands() -> list[str]:
    """The `flask --app api ...` commands of `make db`, in order."""
    dry_run = subprocess.run(
        ["make", "-n", "db"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = re.findall(r"flask --app api (\S+)", dry_run)
    assert commands[:2] == ["migrate", "seed"], dry_run
    return commands


def test_two_make_db_at_once_both_succeed_with_one_set_of_rows(tmp_path, tmp_path_factory):
    url = empty_database(tmp_path_factory, "two_make_db")
    start, commands = tmp_path / "start", make_db_commands()
    env = {**os.environ, "DATABASE_URL": url}
    runs = []
    for number in (1, 2):
        ready, log = tmp_path / f"ready-{number}", tmp_path / f"make-db-{number}.log"
        command = [sys.executable, "-c", RUN_AT_START, str(ready), str(start), *commands]
        with log.open("w") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        runs.append((process, ready, log))
    deadline = time.monotonic() + 120
    while not all(ready.exists() for _, ready, _ in runs) and time.monotonic() < deadline:
        time.sleep(0.01)
    start.touch()
    codes = [process.wait(timeout=300) for process, _, _ in runs]
    logs = [log.read_text() for _, _, log in runs]
    assert codes == [0, 0], "\n\n".join(log[-3000:] for log in logs)

    app = create_app(type("TwoMakeDbConfig", (TestConfig,), {"DATABASE_URL": url}))
    with app.app_context():
        session = db.session
        for collection in COLLECTIONS:
            slugs = session.scalars(select(collection.model.slug)).all()
            assert len(slugs) == len(set(slugs))
        entries = sum(
            session.scalar(select(func.count()).select_from(c.model)) for c in COLLECTIONS
        )
        fixtures = [json.loads((SEED / f"{c.name}.json").read_text()) for c in COLLECTIONS]
        assert entries == sum(map(len, fixtures))
        # Every entry was created once: one revision each, all version 1.
        revisions = session.execute(
            select(Revision.version, func.count()).group_by(Revision.version)
        )
        assert dict(revisions.all()) == {1: entries}
    # One run loaded the fixtures, the other found nothing to do.
    created = sorted(int(n) for log in logs for n in re.findall(r"tools: (\d+) created", log))
    assert created[0] == 0 and created[1] > 0, created
