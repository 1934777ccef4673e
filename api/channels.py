"""Push channels between processes: Redis pub/sub, PostgreSQL LISTEN/NOTIFY, a shared file.

A channel carries short text messages from any process to every process listening on it, in
this machine or another. `publish` sends one; a `Listener` (one thread per channel per process)
receives them and calls its subscribers. api/generation.py sends the content's generation
through it.

Which channel. On PostgreSQL: Redis pub/sub when REDIS_URL is set (the service already shared
for rate limits; a subscriber holds no database connection, and it works behind a
transaction-pooling PgBouncer, where LISTEN does not), else LISTEN/NOTIFY (no other service
needed: one connection per process is held for listening). On SQLite, whose processes all run
on one machine: a `SharedFile` next to the database, mapped into every process's memory, that
readers compare on each request (no thread, no delay, no service).

A listener that loses its connection says so (its subscribers fall back to polling), then
connects again, with a growing pause, and says when it is subscribed again.
"""

import logging
import mmap
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable

import psycopg
import redis
from psycopg import sql
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

HEALTH_CHECK = 5.0  # seconds between checks that an idle listening connection still works
RETRY_PAUSES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)  # before each new attempt to listen
# Dead peers found in seconds, not the kernel's two hours.
KEEPALIVE = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 3}

OnSubscribed = Callable[[], None]
OnMessage = Callable[[str], None]


class Channel:
    """Where messages go; `key` names it, for one listener per channel in a process."""

    key: tuple

    def publish(self, message: str) -> None:
        raise NotImplementedError

    def listen(self, on_subscribed: OnSubscribed, on_message: OnMessage) -> None:
        """Subscribe, call `on_subscribed`, then `on_message` for each message, until the
        connection fails (an exception)."""
        raise NotImplementedError


class RedisChannel(Channel):
    def __init__(self, url: str, name: str):
        self.url, self.name, self.key = url, name, ("redis", url, name)
        # Writes must not wait on a Redis that is gone: a short timeout, no retries.
        self.client = redis.Redis.from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 0)
        )

    def publish(self, message: str) -> None:
        self.client.publish(self.name, message)

    def listen(self, on_subscribed: OnSubscribed, on_message: OnMessage) -> None:
        client = redis.Redis.from_url(
            self.url,
            socket_connect_timeout=2,
            socket_keepalive=True,
            socket_keepalive_options=_tcp_keepalive(),
            health_check_interval=HEALTH_CHECK,
            retry=Retry(NoBackoff(), 0),  # a lost connection ends listen(): subscribers poll
            client_name="listener:" + self.name.replace(" ", "_"),
        )
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(self.name)
            while True:
                message = pubsub.get_message(timeout=HEALTH_CHECK)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    on_subscribed()
                elif message["type"] == "message":
                    on_message(message["data"].decode())
        finally:
            pubsub.close()
            client.close()


class PostgresChannel(Channel):
    def __init__(self, engine: Engine, name: str):
        self.engine, self.name = engine, name
        url = engine.url.set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        # NOTIFY reaches every session of the database, whatever its search_path.
        self.key = ("postgresql", url.set(query={}).render_as_string(hide_password=False), name)

    def publish(self, message: str) -> None:
        try:
            with self.engine.connect() as connection:
                connection.execute(
                    text("SELECT pg_notify(:channel, :message)"),
                    {"channel": self.name, "message": message},
                )
                connection.commit()
        except SQLAlchemyError as exc:
            raise ConnectionError(str(exc)) from exc

    def listen(self, on_subscribed: OnSubscribed, on_message: OnMessage) -> None:
        with psycopg.connect(
            self.conninfo,
            autocommit=True,
            connect_timeout=3,
            application_name=f"listener {self.name}"[:63],
            **KEEPALIVE,
        ) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.name)))
            on_subscribed()
            while True:
                for notify in connection.notifies(timeout=HEALTH_CHECK):
                    on_message(notify.payload)
                connection.execute("SELECT 1")  # a server that went away raises here


class SharedFile(Channel):
    """The last message, in a file that every process on this machine maps: a write is seen
    by the next read in any process (one page cache). Readers compare `map` with what they
    last saw (a write in progress may show half a message, which differs from both the one
    before and the one after: all a reader asks)."""

    SIZE = 48

    def __init__(self, path: str):
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.fstat(fd).st_size < self.SIZE:
                os.ftruncate(fd, self.SIZE)
            self.map = mmap.mmap(fd, self.SIZE)  # shared: writes reach every mapping
        finally:
            os.close(fd)
        self.key = ("file", path)

    def publish(self, message: str) -> None:
        self.map[: self.SIZE] = message.encode().ljust(self.SIZE, b"\0")[: self.SIZE]


def _tcp_keepalive() -> dict[int, int]:
    options = {}
    for name, value in (("TCP_KEEPIDLE", 5), ("TCP_KEEPINTVL", 2), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            options[getattr(socket, name)] = value
    return options


class Subscriber:
    """What a listener calls: `subscribed` once it listens (messages may have been missed
    before), `received` per message, `unsubscribed` when it stops listening."""

    def subscribed(self) -> None: ...

    def received(self, message: str) -> None: ...

    def unsubscribed(self) -> None: ...


class Listener:
    """One thread listening on one channel for this process, on behalf of its subscribers."""

    def __init__(self, channel: Channel):
        self.channel = channel
        self.subscribers: weakref.WeakSet[Subscriber] = weakref.WeakSet()
        self.up = False  # subscribed: every message published from now on will arrive
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def add(self, subscriber: Subscriber) -> None:
        self.subscribers.add(subscriber)

    def ensure_running(self) -> None:
        """Start the thread (lazily: commands that never read never listen)."""
        if self.thread is not None and self.thread.is_alive():
            return
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name=f"listener {self.channel.key[0]}", daemon=True
                )
                self.thread.start()

    def _each(self, call: Callable[[Subscriber], None]) -> None:
        for subscriber in list(self.subscribers):
            try:
                call(subscriber)
            except Exception:  # one subscriber's failure must not stop the others
                log.exception("a subscriber of %s failed", self.channel.key[0])

    def _subscribed(self) -> None:
        self.attempt, self.up = 0, True
        self._each(lambda subscriber: subscriber.subscribed())
        log.info("listening for changes on %s", self.channel.key[0])

    def _received(self, message: str) -> None:
        self._each(lambda subscriber: subscriber.received(message))

    def _run(self) -> None:
        self.attempt = 0
        while True:
            try:
                self.channel.listen(self._subscribed, self._received)
            except Exception as exc:
                level = logging.WARNING if self.up or self.attempt == 0 else logging.DEBUG
                log.log(level, "not listening on %s: %s", self.channel.key[0], exc)
            self.up = False
            self._each(lambda subscriber: subscriber.unsubscribed())
            time.sleep(RETRY_PAUSES[min(self.attempt, len(RETRY_PAUSES) - 1)])
            self.attempt += 1

    def forget_thread(self) -> None:
        """In a forked child: the parent's thread is not there."""
        self.thread, self.up, self.lock = None, False, threading.Lock()
        self._each(lambda subscriber: subscriber.unsubscribed())


_LISTENERS: dict[tuple, Listener] = {}
_LISTENERS_LOCK = threading.Lock()


def listener_for(channel: Channel) -> Listener:
    """This process's listener on `channel` (apps on the same channel share it)."""
    with _LISTENERS_LOCK:
        found = _LISTENERS.get(channel.key)
        if found is None:
            found = _LISTENERS[channel.key] = Listener(channel)
        return found


def _after_fork() -> None:
    global _LISTENERS_LOCK
    _LISTENERS_LOCK = threading.Lock()
    for listener in _LISTENERS.values():
        listener.forget_thread()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)
