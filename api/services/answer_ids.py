"""Answer ids: opaque, signed tokens naming what was asked and what was answered.

Every /v1/answers and /v1/passages response carries them, so a chatbot can send feedback on
what it showed (POST /v1/answers/feedback) without a session. A token holds the question
(normalised and scrubbed: api/services/query_text.py, so it never carries an address or a
key a user typed), the passage's id, its entry (collection and slug), the entry's version
and the answer's status, signed with itsdangerous' URLSafeSerializer (HMAC-SHA1 over the
payload, zlib-compressed when that is shorter). The server verifies it without trusting the
client: a token it did not sign, or one changed by a single character, does not verify.

Deterministic (no timestamp, no nonce): the same question answered by the same passage at
the same version gives the same id, so a stored representation (api/cache.py) carries a
valid one, and two askers of one question vote on one answer.

The key: ANSWER_ID_KEY, else SECRET_KEY, else a key made once and kept in the instance
folder (shared by the workers of one machine; several machines must set one of the two).
Client hashes (who voted) are HMACs with a key derived from the same one.
"""

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from itsdangerous import BadData, URLSafeSerializer

from .query_text import normalise

log = logging.getLogger(__name__)

SALT = "answer-id"
FORMAT = 1  # the payload's layout: a token of another layout does not verify
KEY_FILE = "answer-id.key"


@dataclass(frozen=True)
class AnswerRef:
    """What an answer id names."""

    question: str
    passage_id: str | None
    collection: str | None
    slug: str | None
    version: int | None
    status: str


class BadAnswerId(ValueError):
    """Not an answer id this server issued (forged, changed, cut short or of another key)."""


def _instance_key(app: Flask) -> str:
    """The key kept in the instance folder, made by the first process that needs it."""
    path = Path(app.instance_path) / KEY_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    except OSError as exc:  # a read-only folder: ids verify only in this process
        log.warning("no ANSWER_ID_KEY or SECRET_KEY, and no key file: %s", exc)
        return secrets.token_hex(32)
    with os.fdopen(fd, "w") as out:
        key = secrets.token_hex(32)
        out.write(key)
    return key


def secret(app: Flask | None = None) -> str:
    app = app or current_app
    key = app.extensions.get("answer_id_key")
    if key is None:
        key = app.config.get("ANSWER_ID_KEY") or app.config.get("SECRET_KEY") or ""
        if not key:
            key = _instance_key(app)
            # Another process may be writing it: an empty read means try again next time.
            if not key:
                return _instance_key(app) or secrets.token_hex(32)
        app.extensions["answer_id_key"] = key
    return key


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(secret(), salt=SALT)


def issue(
    question: str,
    status: str,
    passage_id: str | None = None,
    collection: str | None = None,
    slug: str | None = None,
    version: int | None = None,
) -> str:
    """The answer id of `question` answered with `status` (and the passage, if any)."""
    payload = [FORMAT, normalise(question), passage_id, collection, slug, version, status]
    return _serializer().dumps(payload)


def verify(token: str) -> AnswerRef:
    """What `token` names; BadAnswerId unless this server signed it."""
    try:
        payload = _serializer().loads(token)
    except (BadData, ValueError, TypeError) as exc:
        raise BadAnswerId(str(exc)) from None
    if not isinstance(payload, list) or len(payload) != 7 or payload[0] != FORMAT:
        raise BadAnswerId("not an answer id of this layout")
    _, question, passage_id, collection, slug, version, status = payload
    return AnswerRef(question, passage_id, collection, slug, version, status)


def answer_key(token: str) -> str:
    """What is stored of a token: its SHA-256 (a token may be kilobytes long)."""
    return hashlib.sha256(token.encode()).hexdigest()


def client_hash(who: str) -> str:
    """A keyed hash of who voted (`key:<id>` or `address:<address>`): the same client gives
    the same hash, and the address itself is never stored nor recoverable without the key."""
    key = hashlib.sha256(f"client:{secret()}".encode()).digest()
    return hmac.new(key, who.encode(), hashlib.sha256).hexdigest()
