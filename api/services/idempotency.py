"""Idempotency-Key: the first answer to a POST is kept and replayed for the same request.

A key is scoped to (API key, method, path): the same key and body on the same route replay
the first answer; the same key on another route, or with another body, is refused.
"""

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import IdempotentRequest


class KeyReused(Exception):
    """The key was used before for a different request; the message says which."""


def body_digest(body: Any) -> str:
    """A digest of the request's JSON content, blind to key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find(
    session: Session, api_key_id: int, key: str, method: str, path: str, digest: str
) -> IdempotentRequest | None:
    """The stored answer to replay, None when the key is new; KeyReused when it was used
    for another route or another body."""
    query = select(IdempotentRequest).where(
        IdempotentRequest.api_key_id == api_key_id, IdempotentRequest.key == key
    )
    found = session.scalar(query)
    if found is None:
        return None
    if (found.method, found.path) != (method, path):
        raise KeyReused(
            f"Already used for {found.method} {found.path}: a key is valid for one route "
            "only. Use a new key for this request."
        )
    if found.request_digest != digest:
        raise KeyReused("Already used with another body: use a new key.")
    return found


def store(
    session: Session,
    api_key_id: int,
    key: str,
    method: str,
    path: str,
    digest: str,
    status: int,
    headers: dict[str, str],
    body: str,
) -> None:
    """Keep an answer, in the transaction of the write it answers."""
    session.add(
        IdempotentRequest(
            api_key_id=api_key_id,
            key=key,
            method=method,
            path=path,
            request_digest=digest,
            status=status,
            headers=headers,
            body=body,
        )
    )
