"""What every write view shares: preconditions, the author, the answer, refusals."""

from typing import Any

from flask import Response, g, request
from flask_smorest import abort
from werkzeug.http import generate_etag, quote_etag

from ..extensions import db
from ..registry import Collection
from ..services import idempotency
from ..services.entries import get_entry
from ..services.history import DELETED, latest_revision
from ..services.writes import WriteRefused
from .representation import json_response, represent

MESSAGE_HEADER = "X-Change-Message"


def author() -> str:
    return g.api_key.name


def change_message() -> str | None:
    """The optional X-Change-Message header (its size checked by api/http.py)."""
    return request.headers.get(MESSAGE_HEADER)


def find_entry(collection: Collection, slug: str) -> Any:
    """The entry, or 404 (never existed) or 410 with a link to its last revision (deleted)."""
    entry = get_entry(db.session, collection, slug)
    if entry is not None:
        return entry
    last = latest_revision(db.session, collection, slug)
    if last is not None and last.action == DELETED:
        url = f"/v1/{collection.name}/{slug}/revisions/{last.version}"
        abort(
            410,
            message=f"'{slug}' was deleted. Its last content is at {url}; an admin can restore "
            f"it with POST {url}/restore.",
            headers={"Link": f'<{url}>; rel="last-revision"'},
        )
    abort(
        404,
        message=f"No {collection.label} has the slug '{slug[:100]}'. "
        f"GET /v1/{collection.name} lists them.",
    )


def representation_etag(collection: Collection, entry: Any) -> str:
    """The ETag a plain GET of the entry carries: a hash of exactly those bytes."""
    return generate_etag(json_response(represent(collection, entry, {})).get_data())


def require_if_match(collection: Collection, entry: Any) -> None:
    """428 without If-Match; 412 unless it names the current representation (or is *).

    The 412 carries the current ETag, so that a client can retry without a GET.
    """
    if not request.headers.get("If-Match"):
        abort(
            428,
            message="Send If-Match with the ETag of your last GET of this entry, so that a "
            "change made meanwhile is not overwritten.",
        )
    etag = representation_etag(collection, entry)
    # The compressed forms of a stored representation carry the same ETag with a suffix.
    variants = (etag, f"{etag}-gzip", f"{etag}-br")
    if not request.if_match.star_tag and not any(map(request.if_match.contains, variants)):
        abort(
            412,
            message="The entry changed since that ETag. This answer's ETag is the current "
            "one: GET the entry (or check that your change still applies) and retry with it.",
            headers={"ETag": quote_etag(etag)},
        )


def refuse(exc: WriteRefused):
    abort(exc.status, message=exc.message, errors=exc.errors)


def entry_response(collection: Collection, slug: str, status: int = 200) -> Response:
    """The written entry, read back as a GET will see it, with its ETag."""
    db.session.expire_all()
    entry = get_entry(db.session, collection, slug)
    response = json_response(represent(collection, entry, {}), status=status)
    response.set_etag(generate_etag(response.get_data()))
    return response


def request_object() -> dict[str, Any]:
    """The body as a JSON object; 400 when it is not JSON, 422 when not an object."""
    body = request.get_json(silent=True)
    if body is None and request.get_data():
        abort(400, message="The body is not valid JSON.")
    if not isinstance(body, dict):
        abort(422, message="The body must be a JSON object.")
    return body


IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def _idempotency_key() -> str | None:
    return request.headers.get(IDEMPOTENCY_HEADER)


def idempotent_replay() -> Response | None:
    """The stored answer when this key was used before for the same route and body; 422 when
    it was used for another route or body."""
    key = _idempotency_key()
    if not key:
        return None
    digest = idempotency.body_digest(request.get_json(silent=True))
    try:
        found = idempotency.find(
            db.session, g.api_key.id, key, request.method, request.path, digest
        )
    except idempotency.KeyReused as exc:
        abort(422, errors={IDEMPOTENCY_HEADER: [str(exc)]})
    if found is None:
        return None
    response = Response(found.body, status=found.status, headers=found.headers)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember(response: Response) -> None:
    """Keep the answer for its Idempotency-Key, if one was sent (same transaction)."""
    key = _idempotency_key()
    if key:
        idempotency.store(
            db.session,
            g.api_key.id,
            key,
            request.method,
            request.path,
            idempotency.body_digest(request.get_json(silent=True)),
            response.status_code,
            {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers},
            response.get_data(as_text=True),
        )
