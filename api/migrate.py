"""Schema migrations with Alembic, driven from Python (no alembic.ini needed), and the lock
that lets only one maintenance command (migrate, seed, reindex) run at a time per database."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Not the write lock's key (api/extensions.py): the commands inside take that one too.
MAINTENANCE_LOCK_ID = 0x5744_4D41


@contextmanager
def maintenance_lock(engine: Engine) -> Iterator[None]:
    """Wait until no other process holds the database's maintenance lock, then hold it.

    Replicas that start together each run `make db`: with this lock the second one waits,
    then finds the schema migrated and the fixtures loaded. PostgreSQL: a session advisory
    lock on a connection of its own (released when the process dies, too). SQLite: an
    exclusive flock on a file next to the database. In-memory SQLite: nothing to share.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MAINTENANCE_LOCK_ID})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": MAINTENANCE_LOCK_ID}
                )
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def alembic_config(connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` (the latest by default)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def new_revision(engine: Engine, message: str) -> None:
    """Write a migration for the difference between the models and the database."""
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
