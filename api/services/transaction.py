"""The one owner of write transactions: every write commits, or rolls back, here.

What a write reads first (the entry, the preconditions, the validation, the comparison
that finds a write changing nothing) runs in the session's ordinary transaction, which takes
no lock. `write_transaction` ends that one and begins the write's own, which takes the
database's write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL; see
api/extensions.py) and holds it until the commit. Objects read before are expired then:
the write reads again, under the lock, what it changes, and checks the version it started
from (api/services/writes.py). The use cases (writes.py, seeding.py, keys.py) enter it
themselves; views and commands never commit.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from ..extensions import WRITER


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Hold the write lock for the block and commit at its end; roll back on any error."""
    session.rollback()  # the reads before the write: nothing to keep, no lock taken
    session.connection(execution_options=WRITER)  # begins the transaction: takes the lock
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
