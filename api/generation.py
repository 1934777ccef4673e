"""The content's generation: a value that changes whenever the content does, the same in every
process once a write has answered. Every in-process cache keeps what it holds with the
generation it was made at, and compares.

What it is: (largest revision id, largest search document id, number of embeddings), read in
one query. Every change to the content adds a revision; `flask reindex` makes new search
documents (on SQLite with the same ids, but from unchanged entries it makes the same
documents); semantic search's vectors are counted.

How it travels. When a writer session commits (a request, `flask seed`, `flask reindex`), its
process reads the generation again and publishes it on the push channel (api/channels.py)
before the write answers. On PostgreSQL (Redis pub/sub or LISTEN/NOTIFY) every serving process
listens in a thread of its own; on a message it forgets its generation at once (its caches then
pass reads to the database) and reads it again: a read that starts after a write's answer sees
the write, in whichever process or instance it lands, once the message has arrived, within a
few milliseconds (tests/test_invalidation.py holds 50 ms). On SQLite the channel is a file
that every process maps and compares on each call: the next read sees the write.

Fallback. While no channel is up (its connection is lost, or a SQLite database in memory),
`current()` reads the generation again at most every CACHE_CHECK_INTERVAL; while one is up,
every SAFETY_INTERVAL anyway, in case a message was lost (a writer that could not reach Redis).
When the generation cannot be read (database down), `current()` is None: serve nothing kept.

Who reads it. `of(session)` is the one way an in-process cache asks: the representation cache
(api/cache.py), semantic search's vectors (api/services/vectors.py), the passages index
(api/services/passage_index.py) and typo correction's vocabulary (api/services/analysis.py).
Outside an app (a script with a bare Session) or on another database than the app's, it is
read on the session itself, one query.
"""

import logging
import threading
import time

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .channels import (
    Channel,
    PostgresChannel,
    RedisChannel,
    SharedFile,
    Subscriber,
    listener_for,
)

log = logging.getLogger(__name__)

Generation = tuple[int, int, int]

GENERATION = text(
    "SELECT (SELECT max(id) FROM revisions), (SELECT max(id) FROM search_documents), "
    "(SELECT count(*) FROM search_embeddings)"
)
SAFETY_INTERVAL = 5.0  # seconds: how old the generation may get while a channel is up


def of(session: Session) -> Generation | None:
    """The content's generation for a cache of what `session` reads: the app's (no query
    while it is fresh) when the session is on the app's database, else read on the session.
    None when it cannot be read: keep nothing."""
    if has_app_context():
        tracker = current_app.extensions.get("generation")
        if tracker is not None and session.get_bind() is tracker.engine:
            return tracker.current()
    return _row(session.execute(GENERATION).one())


def seen_by(session: Session, value: Generation | None) -> bool:
    """Whether `session` sees the content of generation `value`, so that what a cache has just
    read through it may be kept under `value`. Not always: a SQLite read transaction keeps the
    snapshot it began with, which may predate a write whose generation `of()` already gives;
    kept under the newer value, that older read would outlive the write. One query, on a
    cache's reload only."""
    return value is not None and _row(session.execute(GENERATION).one()) == value


def _row(row) -> Generation:
    return (row[0] or 0, row[1] or 0, row[2] or 0)


def encode(value: Generation | None) -> str:
    return "" if value is None else ",".join(map(str, value))


class ContentGeneration(Subscriber):
    """This process's view of the content's generation, on one database."""

    def __init__(self, engine: Engine, interval: float, channel: Channel | None = None):
        self.engine = engine
        self.interval = interval
        self.channel = channel
        # A shared file is read on each call; other channels are listened to in a thread.
        self.shared = channel if isinstance(channel, SharedFile) else None
        self.seen = b""  # the shared file's content when this process last read it
        self.listener = None
        if channel is not None and self.shared is None:
            self.listener = listener_for(channel)
            self.listener.add(self)
        self.value: Generation | None = None
        self.fresh_until = 0.0  # monotonic time until which `value` is used without a read
        # Reads may overlap (requests, the listener): the one started last wins.
        self._lock = threading.Lock()
        self._started = self._applied = 0

    @property
    def pushed(self) -> bool:
        """Whether a channel is up: changes arrive as messages."""
        return self.shared is not None or (self.listener is not None and self.listener.up)

    def current(self) -> Generation | None:
        """The generation, read from the database only when it may be out of date."""
        value = self.value
        if self.shared is not None:
            seen = self.shared.map[: SharedFile.SIZE]  # inline: this runs on every request
            if seen != self.seen:
                self.seen = seen  # before the read: a change after it is seen next time
                return self.refresh()
        if value is not None and time.monotonic() < self.fresh_until:
            return value
        if self.listener is not None:
            self.listener.ensure_running()
        return self.refresh()

    def refresh(self) -> Generation | None:
        """Read the generation from the database (None when it cannot be read)."""
        ticket = self._ticket()
        try:
            with self.engine.connect() as connection:
                value = _row(connection.execute(GENERATION).one())
        except SQLAlchemyError:
            value = None
        self._apply(ticket, value)
        return self.value

    def forget(self) -> None:
        """Until the next read, there is no generation: nothing kept is served."""
        self._apply(self._ticket(), None)

    def committed(self) -> None:
        """A writer session of this process committed: read the generation again and tell
        every process, before the write answers."""
        value = self.refresh()
        if self.channel is None:
            return
        try:  # even when the read failed: an empty message has every process read again
            self.channel.publish(encode(value))
        except (redis.RedisError, ConnectionError, OSError) as exc:
            # Others poll while their channel is down, and every SAFETY_INTERVAL anyway.
            log.warning("could not publish the content's generation: %s", exc)

    def _ticket(self) -> int:
        with self._lock:
            self._started += 1
            return self._started

    def _apply(self, ticket: int, value: Generation | None) -> None:
        with self._lock:
            if ticket <= self._applied:  # a read that started later has answered already
                return
            self._applied, self.value = ticket, value
            interval = SAFETY_INTERVAL if self.pushed else self.interval
            self.fresh_until = time.monotonic() + interval

    # what the channel's listener calls

    def subscribed(self) -> None:
        self.refresh()  # messages sent before the subscription were missed

    def received(self, message: str) -> None:
        if message != encode(self.value):
            self.forget()
            self.refresh()

    def unsubscribed(self) -> None:
        self.fresh_until = 0.0  # poll from now on


def channel_for(app: Flask, engine: Engine, topic: str = "generation") -> Channel | None:
    """The push channel of `topic` (the content's "generation", the votes' "feedback"): on
    PostgreSQL, Redis pub/sub when REDIS_URL is set, else LISTEN/NOTIFY; on SQLite, a file
    next to the database (none for a database in memory: one process)."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        try:
            return SharedFile(f"{database}-{topic}")
        except OSError as exc:  # a folder we cannot write to: polled
            log.warning("no shared file for %s: %s", topic, exc)
            return None
    name = f"{app.config['CHANNEL_PREFIX']}:{topic}"
    if app.config["REDIS_URL"]:
        return RedisChannel(app.config["REDIS_URL"], name)
    return PostgresChannel(engine, name)


def install(app: Flask) -> ContentGeneration:
    """The app's generation, app.extensions["generation"], told of every writer's commit."""
    engine = app.extensions["database"]["engine"]
    generation = ContentGeneration(
        engine, app.config["CACHE_CHECK_INTERVAL"], channel_for(app, engine)
    )
    app.extensions["generation"] = generation
    writer = app.extensions["database"]["writer"]
    event.listen(writer, "after_commit", lambda _session: generation.committed())
    return generation
