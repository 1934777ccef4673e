"""API keys: made at random, shown once, stored as a digest, compared in constant time.

A key reads `wdw_<lookup>_<secret>`: the lookup finds the row, the secret's digest must match
the stored one. Checking a key is a read (it never takes the write lock), and a key whose
lookup exists costs the same work as one whose lookup does not, so timing tells nothing
about which lookups exist. Keys verified lately are remembered per process for a few
seconds (`VERIFIED`), so a request with a known key costs no query.
"""

import hashlib
import hmac
import re
import secrets
import threading
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, literal, select, update
from sqlalchemy.orm import Session

from ..models import ApiKey
from ..models.base import utcnow
from .transaction import write_transaction

KEY_PREFIX = "wdw_"
SCOPES = ("editor", "admin")
# What each scope may do; admin includes editor.
GRANTS = {"editor": {"editor"}, "admin": {"editor", "admin"}}
LOOKUP = re.compile(r"[0-9a-f]{12}")


class KeyNameTaken(Exception):
    pass


@dataclass(frozen=True)
class VerifiedKey:
    """What a request needs of a key it proved it holds (no ORM object, no session)."""

    id: int
    name: str
    scope: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# A missing lookup is checked against this digest, which no secret matches in practice.
_NO_KEY_DIGEST = _digest(secrets.token_urlsafe(32))
# Always exactly one row, the key's or one of NULLs, so both cases take the same path.
_ONE_ROW = select(literal(1).label("one")).subquery("one_row")
_FIND_KEY = select(
    ApiKey.id,
    ApiKey.name,
    ApiKey.scope,
    ApiKey.revoked_at,
    func.coalesce(ApiKey.digest, _NO_KEY_DIGEST).label("digest"),
).select_from(_ONE_ROW.outerjoin(ApiKey, ApiKey.lookup == bindparam("lookup")))


def create_key(session: Session, name: str, scope: str) -> str:
    """Store a new key and return it; this is the only time it is ever seen whole."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    lookup, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with write_transaction(session):
        if session.scalar(select(ApiKey.id).where(ApiKey.name == name)):
            raise KeyNameTaken(name)
        session.add(ApiKey(name=name, scope=scope, lookup=lookup, digest=_digest(secret)))
    return f"{KEY_PREFIX}{lookup}_{secret}"


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX)


def authenticate(session: Session, key: str) -> VerifiedKey | None:
    """The live key matching `key`, or None; one read, the same work whatever is wrong."""
    lookup, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    if not LOOKUP.fullmatch(lookup):
        lookup = ""  # malformed: matches no row (and never reaches the database as sent)
    row = session.execute(_FIND_KEY, {"lookup": lookup}).one()
    matches = hmac.compare_digest(_digest(secret), row.digest)
    # `&`, not `and`: every condition is evaluated whichever fails first.
    live = (row.id is not None) & (row.revoked_at is None) & looks_like_key(key)
    if not (matches & live):
        return None
    return VerifiedKey(row.id, row.name, row.scope)


class VerifiedKeys:
    """Keys verified lately, per database (its connection pool), each for `ttl` seconds.

    Only keys that verified are kept, so forged keys cannot fill it; it is bounded anyway.
    """

    MAX_ENTRIES = 10_000

    def __init__(self):
        self._by_pool: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, pool: object, token: str) -> VerifiedKey | None:
        entries = self._by_pool.get(pool)
        entry = entries.get(token) if entries else None
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, pool: object, token: str, key: VerifiedKey, ttl: float) -> None:
        if ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            entries = self._by_pool.setdefault(pool, {})
            if len(entries) >= self.MAX_ENTRIES:
                for stale in [t for t, (expires, _) in entries.items() if expires <= now]:
                    del entries[stale]
                if len(entries) >= self.MAX_ENTRIES:
                    entries.clear()
            entries[token] = (now + ttl, key)

    def forget(self, pool: object, key_id: int) -> None:
        with self._lock:
            entries = self._by_pool.get(pool) or {}
            for token in [t for t, (_, key) in entries.items() if key.id == key_id]:
                del entries[token]


VERIFIED = VerifiedKeys()


def mark_used(session: Session, key_id: int) -> None:
    """Stamp the key's last use (in the caller's transaction, which writes anyway)."""
    session.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=utcnow()))


def allows(key: VerifiedKey, scope: str) -> bool:
    return scope in GRANTS[key.scope]


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)).all()


def revoke_key(session: Session, name: str) -> bool:
    """Revoke the key named `name`; False when there is no live key of that name.

    This process stops accepting it at once; other processes within their cache's bound.
    """
    with write_transaction(session):
        key = session.scalar(select(ApiKey).where(ApiKey.name == name))
        if key is None or key.revoked_at is not None:
            return False
        key.revoked_at = utcnow()
    VERIFIED.forget(session.get_bind().pool, key.id)
    return True
