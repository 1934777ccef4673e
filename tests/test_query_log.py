"""The query log (api/services/query_log.py): every question asked of search, answers and
passages is recorded, scrubbed, from memory-served answers too, off the hot path, bounded,
pruned after the retention period, from any number of processes."""

import os
import re
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, inspect, select

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.models.analytics import QueryLog
from api.services.query_log import STATUSES, QueryRecorder, flush_all, recorder_of

from .conftest import ROOT, bearer


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


def variant(app, **settings):
    """Another app (another process's, as far as the query log knows) on the same database."""
    config = {"DATABASE_URL": app.config["DATABASE_URL"], **settings}
    return create_app(type("Variant", (TestConfig,), config))


def clear(app) -> None:
    flush_all()  # other apps' notes (earlier tests') first, so none lands after the delete
    with app.app_context():
        db.session.execute(delete(QueryLog))
        db.session.commit()


def stored(app) -> list[QueryLog]:
    recorder_of(app).flush()
    with app.app_context():
        rows = db.session.scalars(select(QueryLog).order_by(QueryLog.id)).all()
        db.session.expunge_all()
        return rows


def test_each_endpoint_records_what_it_answered(app, client):
    clear(app)
    assert client.get("/v1/search?q=kubernetes").status_code == 200
    answer = client.get("/v1/answers?q=what is mttr").json
    passages = client.get("/v1/passages?q=incident postmortem&k=2").json
    rows = {row.endpoint: row for row in stored(app)}
    assert set(rows) == {"search", "answers", "passages"}
    assert rows["search"].status == "answered" and rows["search"].entry_url.startswith("/v1/")
    assert rows["answers"].status == answer["status"]
    assert rows["answers"].confidence == pytest.approx(answer["confidence"])
    first = passages["passages"][0]
    assert rows["passages"].passage_id == first["id"]
    assert rows["passages"].version == first["version"]
    assert rows["passages"].entry_url == first["url"].split("#")[0]
    assert all(row.question == row.question.lower().strip() for row in rows.values())


def test_a_search_that_finds_nothing_is_no_match(app, client):
    clear(app)
    assert client.get("/v1/search?q=zqxjkvw").json["total"] == 0
    assert [(r.endpoint, r.status, r.entry_url) for r in stored(app)] == [
        ("search", "no_match", None)
    ]


def test_questions_answered_from_stored_representations_are_recorded(app, client):
    clear(app)
    cache = app.extensions["representation_cache"]
    url = "/v1/search?q=who owns the deploy pipeline"
    first = client.get(url)
    hits = cache.hits
    client.get(url)
    client.get(url, headers={"If-None-Match": first.headers["ETag"]})  # a 304 from memory
    client.get(url, headers={"Accept-Encoding": "gzip"})
    assert cache.hits == hits + 3
    rows = stored(app)
    assert sum(r.count for r in rows) == 4
    top = first.json["hits"][0]["url"]
    assert {(r.endpoint, r.question, r.status, r.entry_url) for r in rows} == {
        ("search", "who owns the deploy pipeline", "answered", top)
    }


def test_answers_from_stored_representations_are_recorded(app, client):
    clear(app)
    cache = app.extensions["representation_cache"]
    markdown = {"Accept": "text/markdown"}
    status = client.get("/v1/answers?q=what is toil").json["status"]
    hits = cache.hits
    for headers in ({}, markdown, markdown, markdown):
        assert client.get("/v1/answers?q=what is toil", headers=headers).status_code == 200
    assert cache.hits == hits + 3  # the JSON once more, the Markdown twice
    rows = stored(app)
    assert {(r.endpoint, r.status) for r in rows} == {("answers", status)}
    assert sum(r.count for r in rows) == 5


def test_the_same_facts_in_a_batch_make_one_row_with_their_count(app):
    clear(app)
    recorder = recorder_of(app)
    asked = ("answers", "What is MTTR", "answered", "faqs/what-is-mttr#answer", None, 2, 0.9)
    for _ in range(1000):
        recorder.record(asked)
    recorder.record(("answers", "what is mttr", "no_match", None, None, None, 0.2))
    assert recorder.flush() == 1001
    rows = stored(app)
    assert sorted((r.question, r.status, r.count) for r in rows) == [
        ("what is mttr", "answered", 1000),
        ("what is mttr", "no_match", 1),
    ]


SECRETS = {
    "jane.doe@example.com": "my email is jane.doe@example.com, why is deploy slow",
    "7946 0958": "call +44 20 7946 0958 about on-call rotas",
    "4111111111111111": "card 4111111111111111 charged for incident tooling",
    "sk-proj-AbCdEf1234567890abcdef": "is sk-proj-AbCdEf1234567890abcdef a valid key for ci",
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a": "ghp_16C7e42F292c6912E7710c838347Ae178B4a leaked",
    "AKIAIOSFODNN7EXAMPLE": "AKIAIOSFODNN7EXAMPLE in terraform state",
    "eyJhbGciOiJIUzI1NiJ9": "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl expired",
}


def test_nothing_personal_reaches_the_table(app, client):
    clear(app)
    editor = bearer(app, "query-log-editor")
    for question in SECRETS.values():
        for endpoint in ("search", "answers", "passages"):
            client.get(f"/v1/{endpoint}", query_string={"q": question}, headers=editor)
    rows = stored(app)
    assert sum(r.count for r in rows) == 3 * len(SECRETS)
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("query_log")}
    kept = "id asked_at endpoint question status passage_id entry_url version confidence count"
    assert columns == set(kept.split())  # no address, no key, no client
    text = "\n".join(str([getattr(r, c) for c in sorted(columns)]) for r in rows).lower()
    for secret in [*SECRETS, editor["Authorization"].split()[1], "127.0.0.1"]:
        assert secret.lower() not in text
    assert "<email>" in text and "<phone>" in text and "<key>" in text


def test_query_log_off_records_nothing_but_answers_are_still_counted(app):
    clear(app)
    off = variant(app, QUERY_LOG=False)
    client = off.test_client()
    status = client.get("/v1/answers?q=what is mttr").json["status"]
    client.get("/v1/answers?q=what is mttr")
    client.get("/v1/search?q=kubernetes")
    assert stored(off) == []
    assert recorder_of(off).answers[status] == 2


def test_answers_are_counted_by_status_in_metrics_stored_ones_too(app):
    fresh = variant(app)
    client = fresh.test_client()
    url = "/v1/answers?q=what does an sre do all day"
    status = client.get(url).json["status"]
    hits = fresh.extensions["representation_cache"].hits
    client.get(url, headers={"Accept": "text/markdown"})
    client.get(url, headers={"Accept": "text/markdown"})  # from memory
    assert fresh.extensions["representation_cache"].hits == hits + 1
    metrics = client.get("/metrics").get_data(as_text=True)
    found = dict(re.findall(r'^wdw_answers_total\{status="(\w+)"\} ([\d.]+)$', metrics, re.M))
    assert set(found) == set(STATUSES)
    assert float(found[status]) == 3
    assert sum(float(v) for v in found.values()) == 3
    assert "wdw_query_log_dropped_total 0.0" in metrics


def add_rows(app, *ages: timedelta) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        for age in ages:
            db.session.add(
                QueryLog(asked_at=now - age, endpoint="search", question=f"aged {age.days}",
                         status="answered")
            )  # fmt: skip
        db.session.commit()


def questions_asked(app) -> list[str]:
    return [row.question for row in stored(app) for _ in range(row.count)]


def questions(app) -> set[str]:
    return set(questions_asked(app))


def test_retention_deletes_old_rows_only(app):
    clear(app)
    add_rows(app, timedelta(days=40), timedelta(days=29), timedelta(hours=1))
    assert recorder_of(variant(app)).prune() == 1  # 30 days by default
    assert questions(app) == {"aged 29", "aged 0"}
    week = variant(app, QUERY_LOG_RETENTION_DAYS=7)
    result = week.test_cli_runner().invoke(args=["prune-queries"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 questions" in result.output
    assert questions(app) == {"aged 0"}


def test_a_flush_prunes_too_at_most_once_an_hour(app):
    clear(app)
    day = variant(app, QUERY_LOG_RETENTION_DAYS=1)
    client = day.test_client()
    add_rows(app, timedelta(days=3))
    client.get("/v1/search?q=kubernetes")
    assert questions(day) == {"kubernetes"}  # the first flush pruned
    add_rows(app, timedelta(days=3))
    client.get("/v1/search?q=terraform")
    assert questions(day) == {"kubernetes", "terraform", "aged 3"}  # not again within the hour


def test_a_full_buffer_drops_the_oldest_and_stays_bounded(app):
    clear(app)
    with app.app_context():
        recorder = QueryRecorder(db.engine, True, 30, capacity=50)
    for i in range(500):
        recorder.record(("search", f"question {i}", "answered", None, None, None, None))
    assert len(recorder.pending) == 50
    assert recorder.dropped == 450
    assert recorder.flush() == 50
    assert questions(app) == {f"question {i}" for i in range(450, 500)}


def test_a_batch_the_database_refuses_is_counted_not_raised(app, tmp_path):
    unmigrated = variant(app, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    recorder = recorder_of(unmigrated)
    recorder.record(("search", "lost", "answered", None, None, None, None))
    assert recorder.flush() == 0
    assert recorder.dropped == 1


ASKER = textwrap.dedent(
    """
    import sys
    from api import create_app
    client = create_app().test_client()
    for i in range(int(sys.argv[2])):
        assert client.get("/v1/search", query_string={"q": f"{sys.argv[1]} {i}"}).status_code == 200
    # no flush: the process's last flush writes what is pending when it exits
    """
)


def test_several_processes_write_to_the_same_database(app, client):
    clear(app)
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "SEMANTIC_SEARCH": "0",
        "RATE_LIMITS_ENABLED": "0",
        "REDIS_URL": "",
    }
    askers = [
        subprocess.Popen([sys.executable, "-c", ASKER, name, "25"], cwd=ROOT, env=env)
        for name in ("kubernetes worker", "terraform worker")
    ]
    for i in range(10):
        client.get("/v1/search", query_string={"q": f"prometheus here {i}"})
    assert [asker.wait(timeout=120) for asker in askers] == [0, 0]
    counts = Counter(question.split()[0] for question in questions_asked(app))
    assert counts == {"kubernetes": 25, "terraform": 25, "prometheus": 10}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork")
def test_a_forked_child_does_not_write_its_parents_notes(app):
    clear(app)
    recorder = recorder_of(app)
    for i in range(3):
        recorder.record(("search", f"parent {i}", "answered", None, None, None, None))
    child = os.fork()
    if child == 0:  # the child: its buffer starts empty, and its own notes are its own
        code = 1
        try:
            recorder.engine.dispose(close=False)  # the parent's connections stay the parent's
            if not recorder.pending:
                recorder.record(("search", "child", "answered", None, None, None, None))
                code = 0 if recorder.flush() == 1 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(questions(app)) == ["child", "parent 0", "parent 1", "parent 2"]


def test_flush_all_waits_for_a_batch_the_flusher_thread_is_writing(app):
    """flush_all() returns once every question noted before it is in the table, also when
    the flusher thread took them from the buffer and is still writing them (a test that asks,
    flushes and reads a report depends on it; under load it read before the commit)."""
    clear(app)
    recorder = recorder_of(app)
    inserting, release = threading.Event(), threading.Event()

    def slow_insert(connection, cursor, statement, *args):
        if statement.startswith("INSERT INTO query_log"):
            inserting.set()
            release.wait(10)

    event.listen(recorder.engine, "before_cursor_execute", slow_insert)
    writer = threading.Thread(target=recorder.flush)  # as the flusher thread does
    try:
        recorder.record(("search", "a question in flight", "answered", None, None, None, None))
        writer.start()
        assert inserting.wait(10)
        assert not recorder.pending  # taken from the buffer, not written yet
        threading.Timer(0.3, release.set).start()
        flush_all()
        with app.app_context():
            questions = db.session.scalars(select(QueryLog.question)).all()
        assert questions == ["a question in flight"]
    finally:
        release.set()
        writer.join(10)
        event.remove(recorder.engine, "before_cursor_execute", slow_insert)
