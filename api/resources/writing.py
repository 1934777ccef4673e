"""What the write views share: the request's body and change, the entry read, the answer.

The views are adapters: they parse the request, call one use case of
api/services/writes.py and answer with what it wrote. Refusals the services raise are
answered by api/errors.py; the transaction is the services' (api/services/transaction.py).
"""

from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from flask_smorest import abort
from werkzeug.http import generate_etag

from ..extensions import db
from ..registry import Collection
from ..services.entries import get_entry
from ..services.writes import Change, Current
from ..urls import entry_url
from .idempotency import remember
from .lookup import find_entry
from .preconditions import require_if_match
from .representation import json_response, represent

MESSAGE_HEADER = "X-Change-Message"


def change() -> Change:
    """Who writes (the key's name, its scope) and why (the optional X-Change-Message header,
    its size checked by api/http.py)."""
    return Change(g.api_key.name, request.headers.get(MESSAGE_HEADER), g.api_key.scope)


def request_object() -> dict[str, Any]:
    """The body as a JSON object; 400 when it is not JSON, 422 when not an object."""
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        abort(400, message="The body is not valid JSON.")
    if not isinstance(body, dict):
        abort(422, message="The body must be a JSON object.")
    return body


def current(collection: Collection, slug: str) -> Current:
    """The entry the URL names as read, once its If-Match names it (404/410, 428/412)."""
    return _matched(collection, find_entry(collection, slug))


def current_if_any(collection: Collection, slug: str) -> Current | None:
    """The entry as current() reads it if it exists; None when there is none now."""
    entry = get_entry(db.session, collection, slug)
    return None if entry is None else _matched(collection, entry)


def _matched(collection: Collection, entry: Any) -> Current:
    shown = represent(collection, entry, {})  # dumped once: the ETag, and what is changed
    require_if_match(shown)
    return Current(entry, shown)


def entry_response(collection: Collection, slug: str, status: int = 200) -> Response:
    """The written entry, read back as a GET will see it, with its ETag."""
    db.session.expire_all()
    entry = get_entry(db.session, collection, slug)
    response = json_response(represent(collection, entry, {}), status=status)
    response.set_etag(generate_etag(response.get_data()))
    return response


def answer(collection: Collection, slug: str) -> Callable[[], Response]:
    """The answer to a write of the entry: the entry as written (200)."""
    return lambda: entry_response(collection, slug)


def created(collection: Collection, slug: str) -> Callable[[], Response]:
    """The answer to a create: 201 with Location, kept for its Idempotency-Key."""

    def respond() -> Response:
        response = entry_response(collection, slug, status=201)
        response.headers["Location"] = entry_url(collection.name, slug)
        remember(response)
        return response

    return respond
