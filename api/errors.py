"""The one problem-details (RFC 9457) builder and every error handler."""

import json
import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import PROBLEM_CONTENT_TYPE

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


def problem(
    status: int,
    detail: str,
    *,
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """Build an application/problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_CONTENT_TYPE
    )
    response.headers.extend(headers or {})
    return response


def _field_errors(messages: dict[str, Any], schema: Any = None) -> dict[str, Any]:
    """Webargs nests messages by location ({"query": {"page": [...]}}); clients want fields.

    An unknown query parameter is told which ones the operation accepts.
    """
    flat: dict[str, Any] = {}
    for location, location_messages in messages.items():
        if isinstance(location_messages, dict):
            flat.update(location_messages)
        if location == "query" and schema is not None:
            accepted = sorted(f.data_key or name for name, f in schema.fields.items())
            hint = [f"Unknown parameter. This operation accepts: {', '.join(accepted)}."]
            for name, problems in location_messages.items():
                if problems == ["Unknown field."]:
                    flat[name] = hint
    return flat


def _detail(error: HTTPException) -> str:
    if error.code == 404 and request.url_rule is None:
        return f"Nothing is served at {request.path}. GET /v1 lists every collection."
    if error.code == 429:
        return (
            f"Too many requests: the limit is {error.description}. Retry after the number of "
            "seconds in Retry-After."
        )
    if error.code == 405:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"{request.method} is not allowed on {request.path}. Allowed: {allowed}."
    return error.description or HTTPStatus(error.code).description


def handle_http_exception(error: HTTPException) -> Response:
    """Turn any HTTP error into problem details.

    Code raises errors with flask_smorest.abort(status, message=..., errors=...); webargs
    adds its validation messages the same way.
    """
    status = error.code or 500
    if status == 500:
        return handle_unexpected(error)
    data = getattr(error, "data", None) or {}
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    headers.update(data.get("headers") or {})
    errors = data.get("errors") or _field_errors(data.get("messages") or {}, data.get("schema"))
    detail = data.get("message") or _detail(error)
    if errors and status == 422:
        names = ", ".join(sorted(map(str, errors)))
        detail = f"Invalid value for: {names}. See `errors` for what each accepts."
    return problem(status, detail, errors=errors or None, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    """A bug: log it with its traceback, tell the client nothing internal."""
    original = getattr(error, "original_exception", None) or error
    if not isinstance(original, InternalServerError):
        log.exception("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return problem(500, "The server failed to answer this request. It has been logged.")


def handle_database_unavailable(error: SQLAlchemyError) -> Response:
    """The database is down, unreachable or out of connections: not a bug, try again soon."""
    log.warning("database unavailable on %s %s: %s", request.method, request.path, type(error))
    return problem(
        503,
        "The database is not answering right now. Retry in a few seconds.",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    # OperationalError: refused or lost connections; TimeoutError: the pool is exhausted.
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
