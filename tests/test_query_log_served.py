"""The query log under `make serve`'s server (granian, two workers): every question is
recorded once, whichever worker answers it, including those a worker still held in memory
when the server was told to stop (SIGTERM writes what is pending)."""

import os
import shutil
import signal
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models.analytics import QueryLog

from .conftest import empty_database, seeded_app
from .servers import free_port, running_server, serve_command

pytestmark = pytest.mark.skipif(not shutil.which("make"), reason="needs make")
QUESTIONS = [f"who owns incident number {n} on the {topic} team" for n in range(10)
             for topic in ("payments", "search", "platform")]  # fmt: skip


def test_two_workers_record_every_question_even_when_stopped_at_once(tmp_path_factory):
    url = empty_database(tmp_path_factory, "test_query_log_served")
    app = seeded_app(url)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "RATE_LIMITS_ENABLED": "0", "REDIS_URL": ""}
    output = tmp_path_factory.mktemp("served") / "server.log"
    with running_server(serve_command(port), env, output) as server:
        for question in QUESTIONS:  # a connection each: both workers answer some
            query = urllib.parse.urlencode({"q": question})
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/answers?{query}") as r:
                assert r.status == 200
        os.killpg(server.pid, signal.SIGTERM)  # at once: notes still in the workers' buffers
        assert server.wait(timeout=30) == 0, output.read_text()
    with app.app_context():
        asked = db.session.execute(
            select(QueryLog.question, func.sum(QueryLog.count)).group_by(QueryLog.question)
        ).all()
    assert dict(asked) == {question: 1 for question in QUESTIONS}
