"""What the editors' reports share (/v1/analytics/queries, /v1/analytics/gaps): one decorator.

A report is read with an editor key only, and is never stored, by api/cache.py or anyone
(`Cache-Control: private, no-store`): it is per key and changes with every question asked,
not with the content. It pages like every list (`page`, `page_size`, `Link`,
`X-Total-Count`).
"""

import functools
from collections.abc import Callable
from typing import Any

from flask import Response
from marshmallow import RAISE, Schema

from ..auth import require_editor
from .openapi_docs import LIST_HEADERS, Blueprint

PRIVATE = {"Cache-Control": "private, no-store"}
HEADERS = {
    **LIST_HEADERS,
    "Cache-Control": {
        "description": "`private, no-store`: per editor key, and changes with every question.",
        "schema": {"type": "string"},
    },
}


def editor_report(
    blp: Blueprint, needs: str, args: type[Schema], rows: Schema, example: dict[str, Any]
) -> Callable:
    """Decorate `blp`'s report view: the editor key (401/403; `needs` starts the message),
    its query `args` (422), a 200 of `rows` (the spec's `example`), and `PRIVATE` on what
    it answers. The view returns a Response, or data with its headers."""
    # A hook of the blueprint, not of the view: it runs before the arguments are read, so
    # 401/403 come first, and for every method (OPTIONS and HEAD too).
    blp.before_request(functools.partial(require_editor, needs))

    stack = (  # outermost first, as they would be written above the view
        blp.doc(security=[{"bearerAuth": []}]),
        blp.arguments(args, location="query", unknown=RAISE, as_kwargs=False),
        blp.response(200, rows, headers=HEADERS, example=[example]),
        blp.alt_response(401, response="UNAUTHORIZED"),
        blp.alt_response(403, response="FORBIDDEN"),
        blp.alt_response(422, response="UNPROCESSABLE_ENTITY"),
    )

    def decorate(view: Callable) -> Callable:
        documented = functools.reduce(lambda inner, outer: outer(inner), reversed(stack), view)

        @functools.wraps(documented)
        def private(*a: Any, **kw: Any) -> Response:
            response = documented(*a, **kw)  # a Response: @blp.response made it one
            response.headers.update(PRIVATE)
            return response

        return private

    return decorate
