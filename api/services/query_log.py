"""The query log: every question asked of /v1/search, /v1/answers and /v1/passages, kept for
the editors (api/services/query_analytics.py reports on it; content gaps read it too).

Off the hot path: a view only notes what it decided (`note_question`: one tuple appended to a
bounded in-process buffer); a thread of its own (api/observability/flusher.py) writes the
buffer every FLUSH_SECONDS, in one INSERT per batch (the driver's executemany), and a last
time when the process ends. Notes with the same facts in a batch make one row with their
`count` (a popular question answered from memory costs a row per batch, not per request).
The question is scrubbed and normalised (api/services/query_text.py) on that thread, before
anything is stored: no address, no key, no e-mail, phone or long number reaches the table.

Questions answered from stored representations count too: the view leaves the same note in
the environ (api/cache.py's ON_HIT), the stored representation keeps it, and each hit notes it
again. Answers are counted by status for Prometheus here as well (api/observability/metrics.py
reads `answers`), whether QUERY_LOG is on or not.

Each process flushes its own buffer to the shared database, so several workers and instances
need nothing more. A forked child starts with an empty buffer (the parent's notes are the
parent's to write). When the buffer is full the oldest note is dropped and counted
(`dropped`): memory stays bounded when the database is slow or down.

Retention: rows older than QUERY_LOG_RETENTION_DAYS are deleted by a flush at most once an
hour per process, and by `flask --app api prune-queries`.
"""

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from datetime import UTC, datetime, timedelta
from functools import partial

from flask import Flask, current_app, request
from sqlalchemy import Engine, delete

from ..cache import ON_HIT
from ..models.analytics import QueryLog
from ..observability.flusher import Flusher
from ..urls import entry_url
from .query_text import normalise

log = logging.getLogger(__name__)

CAPACITY = 10_000  # notes kept in memory per app at most (about 2 MB)
FLUSH_SECONDS = 0.5
PRUNE_SECONDS = 3600.0
STATUSES = ("answered", "ambiguous", "no_match", "out_of_domain")
FLUSHER = Flusher(name="query-log-flusher", interval=FLUSH_SECONDS)
# Every recorder of this process, for the fork hook and the last flush at exit.
RECORDERS: "weakref.WeakSet[QueryRecorder]" = weakref.WeakSet()

# A note: (endpoint, question as asked, status, passage id, entry URL, version, confidence)
COLUMNS = (
    "asked_at",
    "endpoint",
    "question",
    "status",
    "passage_id",
    "entry_url",
    "version",
    "confidence",
    "count",
)
Facts = tuple[str, str, str, str | None, str | None, int | None, float | None]


class QueryRecorder:
    """One app's buffer of notes, and what writes it to the database."""

    def __init__(
        self, engine: Engine, enabled: bool, retention_days: int, capacity: int = CAPACITY
    ):
        self.engine = engine
        self.enabled = enabled
        self.retention = timedelta(days=retention_days)
        self.pending: deque[tuple[float, Facts]] = deque(maxlen=capacity)
        self.dropped = 0  # notes pushed out of a full buffer, or lost to a failed write
        self.written = 0
        self.answers = dict.fromkeys(STATUSES, 0)  # /v1/answers by status, for Prometheus
        self.counting = threading.Lock()
        self.flushing = threading.Lock()  # one batch at a time
        self.pruned_at = 0.0  # monotonic time of the last pruning, 0: never
        self.watched = False  # the flusher thread flushes this one
        self.closing = False  # the process is ending: each note is written at once
        RECORDERS.add(self)

    def record(self, facts: Facts) -> None:
        """Note one question asked (from a view, or a stored representation's hit)."""
        if facts[0] == "answers":
            with self.counting:
                self.answers[facts[2]] = self.answers.get(facts[2], 0) + 1
        if not self.enabled:
            return
        pending = self.pending
        if len(pending) == pending.maxlen:
            self.dropped += 1  # the append below pushes the oldest note out
        pending.append((time.time(), facts))
        if self.closing:
            self.flush()
        elif not self.watched:
            FLUSHER.watch(self)

    def flush(self) -> int:
        """Write what is pending in one INSERT; prune when due. Returns how many questions
        were written (rows count several). Tests call it to write at once."""
        with self.flushing:
            pending = self.pending
            notes = [pending.popleft() for _ in range(len(pending))]
            prune = not self.pruned_at or time.monotonic() - self.pruned_at >= PRUNE_SECONDS
            if not notes and not prune:
                return 0
            rows: list[tuple] = []
            try:
                with self.engine.begin() as connection:
                    if notes:
                        rows = self.rows(notes, connection.dialect)
                        # The driver's executemany, one statement for the batch (SQLAlchemy's
                        # work per row cost more than the insert itself)
                        connection.exec_driver_sql(self.statement(connection.dialect), rows)
                    if prune:
                        self.pruned_at = time.monotonic()
                        old = QueryLog.asked_at < self.cutoff()
                        connection.execute(delete(QueryLog).where(old))
            except Exception:  # the database is down or not migrated: the batch is lost
                self.dropped += len(notes)
                log.warning("query log: %d questions not written", len(notes), exc_info=True)
                return 0
            written = sum(row[-1] for row in rows)
            self.written += written
            return written

    def rows(self, notes: list[tuple[float, Facts]], dialect) -> list[tuple]:
        """One row per distinct facts in the batch, with how many times and when last; the
        question scrubbed and normalised, the time as the column's type binds it."""
        last: dict[Facts, list] = {}
        for at, facts in notes:
            seen = last.get(facts)
            if seen is None:
                last[facts] = [at, 1]
            else:
                seen[0] = at
                seen[1] += 1
        bind = QueryLog.__table__.c.asked_at.type.dialect_impl(dialect).bind_processor(dialect)
        rows = []
        for facts, (at, n) in last.items():
            endpoint, question, status, passage_id, url, version, confidence = facts
            stamp = datetime.fromtimestamp(at, UTC)
            stamp = bind(stamp) if bind else stamp
            normalised = normalise(question)
            rows.append(
                (stamp, endpoint, normalised, status, passage_id, url, version, confidence, n)
            )
        return rows

    @staticmethod
    def statement(dialect) -> str:
        marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * len(COLUMNS))
        return f"INSERT INTO query_log ({', '.join(COLUMNS)}) VALUES ({marks})"

    def cutoff(self) -> datetime:
        return datetime.now(UTC) - self.retention

    def prune(self) -> int:
        """Delete rows older than the retention period; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(delete(QueryLog).where(QueryLog.asked_at < self.cutoff()))
        self.pruned_at = time.monotonic()
        return result.rowcount

    def forget(self) -> None:
        """In a forked child: the parent's notes are the parent's to write."""
        self.pending.clear()
        self.flushing = threading.Lock()
        self.counting = threading.Lock()
        self.watched = False


def install(app: Flask) -> QueryRecorder:
    """The app's recorder (made on first use)."""
    recorder = app.extensions.get("query_log")
    if recorder is None:
        config = app.config
        recorder = app.extensions.setdefault(
            "query_log",
            QueryRecorder(
                app.extensions["database"]["engine"],
                bool(config["QUERY_LOG"]),
                int(config["QUERY_LOG_RETENTION_DAYS"]),
            ),
        )
    return recorder


def recorder_of(app: Flask) -> QueryRecorder:
    return app.extensions.get("query_log") or install(app)


def note_question(endpoint: str, question: str, status: str, found=None, **known) -> None:
    """What a view decided about a question, noted now and on each stored hit of its answer.

    `found`: the passage returned (a ScoredPassage or a Passage), if any; `known` may give
    `url` (the entry returned, when no passage is) and `confidence`.
    """
    passage = getattr(found, "passage", found)
    passage_id = url = version = None
    if passage is not None:
        passage_id, version = passage.id, passage.version
        url = entry_url(passage.collection, passage.slug)
    facts: Facts = (
        endpoint,
        question,
        status,
        passage_id,
        known.get("url", url),
        version,
        known.get("confidence"),
    )
    recorder = recorder_of(current_app)
    recorder.record(facts)
    request.environ[ON_HIT] = partial(recorder.record, facts)


def note_answer(question: str, outcome) -> None:
    """/v1/answers' note: the passage given (the answer, or the first option offered)."""
    shown = outcome.best if outcome.status == "answered" else next(iter(outcome.options), None)
    note_question("answers", question, outcome.status, shown, confidence=outcome.confidence)


def flush_all() -> None:
    """Write every recorder's notes; returns once those noted before the call are stored,
    a batch the flusher thread took from the buffer and is still writing included."""
    for recorder in list(RECORDERS):
        if recorder.pending:
            recorder.flush()
        else:
            with recorder.flushing:  # wait for a batch in flight, if any
                pass


def _after_fork() -> None:
    for recorder in list(RECORDERS):
        recorder.forget()


# The flusher thread writes a last batch when the main thread ends; this catches notes made
# after it (a request thread still answering) and processes that never started it.
atexit.register(flush_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
