"""The one problem-details (RFC 9457) builder and every error handler."""

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed

from .encoding import encode
from .extensions import PROBLEM_CONTENT_TYPE
from .services.refusals import WriteRefused

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
        body["errors"], left_out, fields_left_out = shape_errors(errors)
        if left_out:
            body["errors_left_out"] = left_out
        if fields_left_out:
            body["fields_left_out"] = fields_left_out
    response = Response(encode(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)
    response.headers.extend(headers or {})
    return response


# An error body stays small whatever the input (a 1 MiB body of bad values gave 15 MB):
MAX_FIELDS = 20  # fields named in `errors`
MAX_MESSAGES_PER_FIELD = 5  # messages per field, its nested items' counted together
MAX_MESSAGES = 25  # messages in all
MAX_TEXT = 500  # characters of a message or of a name (a client's field name, say)


def cut(text: Any, limit: int = MAX_TEXT) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def count_messages(node: Any) -> int:
    if isinstance(node, dict):
        return sum(count_messages(value) for value in node.values())
    if isinstance(node, list | tuple):
        return sum(count_messages(item) for item in node)
    return 1


def _keep(node: Any, budget: int) -> tuple[Any, int]:
    """The first `budget` messages of `node`, in its own shape, and how many were kept."""
    if isinstance(node, dict | list | tuple):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        kept: dict | list = {} if isinstance(node, dict) else []
        count = 0
        for key, value in items:
            if count >= budget:
                break
            part, used = _keep(value, budget - count)
            if isinstance(kept, dict):
                kept[cut(key, 100)] = part
            else:
                kept.append(part)
            count += used
        return kept, count
    return cut(node), 1


def shape_errors(errors: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int], int]:
    """`errors` capped: at most MAX_FIELDS fields, MAX_MESSAGES_PER_FIELD messages each and
    MAX_MESSAGES in all. Returns them, how many messages each field shown left out, and how
    many fields were left out entirely."""
    shaped: dict[str, Any] = {}
    left_out: dict[str, int] = {}
    budget = MAX_MESSAGES
    fields = list(errors.items())
    for name, messages in fields[:MAX_FIELDS]:
        if budget <= 0:
            break
        kept, used = _keep(messages, min(MAX_MESSAGES_PER_FIELD, budget))
        name = cut(name, 100)
        shaped[name] = kept
        budget -= used
        if count_messages(messages) > used:
            left_out[name] = count_messages(messages) - used
    return shaped, left_out, len(fields) - len(shaped)


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
        return (
            f"Nothing is served at {cut(request.path)}.{_meant()} GET /v1 lists every collection."
        )
    if error.code == 429:
        return (
            f"Too many requests: the limit is {error.description}. Retry after the number of "
            "seconds in Retry-After."
        )
    if error.code == 405:
        allowed = ", ".join(sorted(error.valid_methods or ()))
        return f"{request.method} is not allowed on {request.path}. Allowed: {allowed}."
    return error.description or HTTPStatus(error.code).description


def _meant() -> str:
    """A hint naming the path meant (/v1/faqs for /v1//faqs or /v1/faqs/), if it is served."""
    meant = "/" + "/".join(part for part in request.path.split("/") if part)
    if meant == request.path:
        return ""
    try:
        current_app.url_map.bind("").match(meant, method=request.method)
    except MethodNotAllowed:
        pass
    except HTTPException:
        return ""
    return f" Did you mean {meant}?"


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
        detail = _invalid_detail(errors)
    return problem(status, detail, errors=errors or None, headers=headers)


def _invalid_detail(errors: dict[str, Any]) -> str:
    shaped, left_out, fields_left_out = shape_errors(errors)
    names = ", ".join(sorted(shaped))
    detail = f"Invalid value for: {names}"
    if fields_left_out:
        detail += f" and {fields_left_out} more fields"
    detail += ". See `errors` for what each accepts."
    if left_out:
        counts = ", ".join(f"{count} more for {name}" for name, count in left_out.items())
        detail += f" To keep this answer small, some messages were left out: {counts}."
    return detail


def handle_write_refused(refused: WriteRefused) -> Response:
    """A write a service refused (api/services/refusals.py): its status and reasons."""
    errors = refused.errors or None
    detail = _invalid_detail(errors) if errors and refused.status == 422 else refused.message
    return problem(refused.status, detail, errors=errors)


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
    app.register_error_handler(WriteRefused, handle_write_refused)
    # OperationalError: refused or lost connections; TimeoutError: the pool is exhausted.
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(unavailable, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
