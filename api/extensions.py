"""Extensions created unbound at import time and bound to the app in create_app."""

from flask import Flask, current_app, g, has_request_context, request
from flask_cors import CORS
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from .config import ConfigError, check_database_url

# Every error's media type (RFC 9457): api/errors.py answers with it, api/formats.py keeps it.
PROBLEM_CONTENT_TYPE = "application/problem+json"


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Writers are serialized (writes are rare; readers never wait): with one writer at a time,
# revision ids grow in commit order and SQLite never has to upgrade a read lock.
WRITE_LOCK_ID = 0x5744_5744
WRITER = {"writer": True}


def _sqlite_connect(dbapi_connection, _record):
    # Let SQLAlchemy's "begin" event below emit BEGIN, instead of pysqlite deciding.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _sqlite_begin(connection):
    writer = connection.get_execution_options().get("writer")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def _postgresql_begin(connection):
    if connection.get_execution_options().get("writer"):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_ID})")


def make_engine(
    url: str, pool_size: int = 5, pool_timeout: int = 5, max_overflow: int = 10
) -> Engine:
    """An engine for SQLite (foreign keys on, WAL) or PostgreSQL (psycopg 3, pre-ping).

    A connection with the execution option `writer=True` takes the database's write lock
    when its transaction begins: BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL.
    """
    check_database_url(url)
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        # Fail fast when the server is unreachable: 503 in seconds, not a hang.
        connect_args={"connect_timeout": 3},
    )
    event.listen(engine, "begin", _postgresql_begin)
    return engine


def check_connection(engine: Engine) -> None:
    """Connect once; failing, a ConfigError naming DATABASE_URL and the driver's reason."""
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        url = engine.url.set(drivername=engine.url.get_backend_name())  # as users write it
        raise ConfigError(f"cannot connect to DATABASE_URL={url!s}: {reason}") from None


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Database:
    """Per-app engine and sessionmakers; a Session per app context, closed when it ends.

    Requests that may write (any method but GET, HEAD, OPTIONS) and commands run outside a
    request get a writer Session, whose commits the caches hear of; a write's own transaction
    takes the write lock (api/services/transaction.py), the reads before it none. State lives in
    app.extensions, not on this object, so that several apps can share one process.
    """

    def init_app(self, app: Flask) -> None:
        engine = make_engine(
            app.config["DATABASE_URL"],
            app.config["DB_POOL_SIZE"],
            app.config["DB_POOL_TIMEOUT"],
            app.config["DB_MAX_OVERFLOW"],
        )
        app.extensions["database"] = {
            "engine": engine,
            "reader": sessionmaker(engine, expire_on_commit=False),
            # Its transactions take no lock: a write's own does (api/services/transaction.py).
            "writer": sessionmaker(engine, expire_on_commit=False),
        }
        app.teardown_appcontext(self._close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database"]["engine"]

    @property
    def session(self) -> Session:
        """The current app context's Session, opened on first use."""
        if "db_session" not in g:
            reads_only = has_request_context() and request.method in SAFE_METHODS
            factory = current_app.extensions["database"]["reader" if reads_only else "writer"]
            g.db_session = factory()
        return g.db_session

    @staticmethod
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
cors = CORS()
# No module-level Api: flask-smorest keeps one spec per Api object, so each app gets its own
# (create_app builds it), letting tests and several instances coexist in one process.
