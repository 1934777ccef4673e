"""Idempotency-Key: the first answer to a POST is kept and replayed for the same key."""

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import IdempotentRequest


def body_digest(body: Any) -> str:
    """A digest of the request's JSON content, blind to key order and whitespace."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find(session: Session, api_key_id: int, key: str) -> IdempotentRequest | None:
    query = select(IdempotentRequest).where(
        IdempotentRequest.api_key_id == api_key_id, IdempotentRequest.key == key
    )
    return session.scalar(query)


def store(
    session: Session,
    api_key_id: int,
    key: str,
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
            request_digest=digest,
            status=status,
            headers=headers,
            body=body,
        )
    )
