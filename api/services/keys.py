"""API keys: made at random, shown once, stored as a digest, compared in constant time."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ApiKey
from ..models.base import utcnow

KEY_PREFIX = "wdw_"
SCOPES = ("editor", "admin")
# What each scope may do; admin includes editor.
GRANTS = {"editor": {"editor"}, "admin": {"editor", "admin"}}


class KeyNameTaken(Exception):
    pass


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(session: Session, name: str, scope: str) -> str:
    """Store a new key and return it; this is the only time it is ever seen whole."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name)):
        raise KeyNameTaken(name)
    lookup, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, scope=scope, lookup=lookup, digest=_digest(secret)))
    session.commit()
    return f"{KEY_PREFIX}{lookup}_{secret}"


def looks_like_key(value: str) -> bool:
    return value.startswith(KEY_PREFIX)


def authenticate(session: Session, key: str) -> ApiKey | None:
    """The live key matching `key`, or None. Marks it used."""
    lookup, _, secret = key.removeprefix(KEY_PREFIX).partition("_")
    found = session.scalar(select(ApiKey).where(ApiKey.lookup == lookup))
    # Compare even when nothing was found, so timing does not tell which part was wrong.
    expected = found.digest if found else _digest("")
    matches = hmac.compare_digest(_digest(secret), expected)
    if not (found and matches and looks_like_key(key)) or found.revoked_at is not None:
        return None
    found.last_used_at = utcnow()
    return found


def allows(key: ApiKey, scope: str) -> bool:
    return scope in GRANTS[key.scope]


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id)).all()


def revoke_key(session: Session, name: str) -> bool:
    """Revoke the key named `name`; False when there is no live key of that name."""
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    session.commit()
    return True
