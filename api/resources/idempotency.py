"""Idempotency-Key on creates: the first answer is kept with the write and replayed."""

from collections.abc import Callable

from flask import Response, g, request
from flask_smorest import abort

from ..extensions import db
from ..services import idempotency
from ..services.refusals import Conflict

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


def idempotent(write: Callable[[], Response]) -> Response:
    """The answer kept for this request's key, or `write()`'s (which keeps it, remember()).

    A request sent twice at once is written once: the second one's write conflicts, and it
    is answered with what the first kept.
    """
    replay = idempotent_replay()
    if replay is not None:
        return replay
    try:
        return write()
    except Conflict:
        replay = idempotent_replay() if _idempotency_key() else None
        if replay is None:
            raise
        return replay


def remember(response: Response) -> None:
    """Keep the answer for its Idempotency-Key, if one was sent (in the write's transaction)."""
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
