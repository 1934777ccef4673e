"""Representations beyond compact JSON: Markdown, schema.org JSON-LD, pretty-printed JSON.

Views return data (or a JSON response) and declare what else they can be read as with
`@representations(markdown=..., jsonld=...)`, on the view function or its MethodView class:
the declaration travels with the view, whatever its name or endpoint. `negotiate` (before
the view) picks the representation from `Accept`, or from `?format=` where a link cannot
carry headers, among those the view declares; `present` (after the view) turns the JSON body
into the chosen one with the view's renderer. Views that answer HTML, text or exports of
their own declare `@negotiates_itself` instead, and are left alone. The ETag is computed from
the bytes sent, so each representation has its own. `?pretty=1` (or `Accept:
application/json; indent=2`) indents JSON. Those two query parameters belong to this module
alone: `QueryParser` hides them from the views' argument schemas, and api/openapi.py
documents them in the OpenAPI spec. The JSON-LD renderers are in api/jsonld.py.
"""

import json
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request
from flask_smorest import abort
from webargs import missing
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import MIMEAccept, MultiDict

from .encoding import encode
from .extensions import PROBLEM_CONTENT_TYPE

JSON = "application/json"
MARKDOWN = "text/markdown"
JSON_LD = "application/ld+json"

# `?format=` values, for links that cannot send Accept (llms.txt, a browser's address bar).
FORMATS = {"json": JSON, "markdown": MARKDOWN, "jsonld": JSON_LD}
BOOLEANS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
PARAMETERS = ("format", "pretty")
# A renderer takes the JSON body, the request's path and X-Total-Count (lists), and returns
# text (sent as is) or a JSON value (sent indented).
Renderer = Callable[[Any, str, str | None], Any]
ALTERNATIVES = {name: media_type for name, media_type in FORMATS.items() if media_type != JSON}


def representations(**renderers: Renderer) -> Callable:
    """Declare the representations a view offers besides JSON, each with its renderer:
    `@representations(markdown=markdown.entry)` on a view function or a MethodView class."""
    unknown = set(renderers) - ALTERNATIVES.keys()
    if unknown:
        raise TypeError(f"No representation named {', '.join(sorted(unknown))}.")

    def declare(view):
        view.representations = {ALTERNATIVES[name]: r for name, r in renderers.items()}
        return view

    return declare


def negotiates_itself(view: Callable) -> Callable:
    """Declare that a view (function or MethodView class) chooses its own representation
    (HTML, text, CSV...): `negotiate` leaves its requests alone, whatever Accept says."""
    view.negotiates_itself = True
    return view


def _declaration(view: Callable | None, name: str, default: Any) -> Any:
    """What `view` (as registered: a function, or MethodView.as_view's) declares as `name`."""
    return getattr(getattr(view, "view_class", view), name, default)


def declared(view: Callable | None) -> dict[str, Renderer]:
    """The representations `view` declares, by media type."""
    return _declaration(view, "representations", {})


def offered(view: Callable | None) -> list[str]:
    """The media types a view can answer in; JSON first, so */* means JSON."""
    alternatives = declared(view)
    return [JSON, PROBLEM_CONTENT_TYPE, *(t for t in ALTERNATIVES.values() if t in alternatives)]


def _view() -> Callable | None:
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _accept() -> tuple[MIMEAccept, bool]:
    """Accept without media-type parameters, and whether JSON was asked for with `indent`."""
    values, indent = [], False
    for value, quality in request.accept_mimetypes:
        media_type, _, params = value.partition(";")
        media_type = media_type.strip()
        indent |= media_type == JSON and "indent" in params
        values.append((media_type, quality))
    return MIMEAccept(values), indent


def format_names(types: list[str]) -> list[str]:
    return [name for name, media_type in FORMATS.items() if media_type in types]


def negotiate() -> None:
    """Choose the representation, or 406 (422 for `?format=`) listing what is offered."""
    view = _view()
    if _declaration(view, "negotiates_itself", False):
        return
    # Writes answer JSON only: their answer carries the ETag for the next If-Match.
    reading = request.method in ("GET", "HEAD")
    types = offered(view) if reading else [JSON, PROBLEM_CONTENT_TYPE]
    accept, indent = _accept()
    errors = {}
    pretty = request.args.get("pretty", "0").lower()
    if pretty not in BOOLEANS:
        errors["pretty"] = ["Give 1 (indent the JSON) or 0."]
    asked = request.args.get("format")
    if asked is not None and FORMATS.get(asked) not in types:
        errors["format"] = [f"Must be one of: {', '.join(format_names(types))}."]
    if errors:
        abort(422, errors=errors)
    if asked is not None:
        chosen = FORMATS[asked]
    else:
        chosen = accept.best_match(types) if request.accept_mimetypes else JSON
    if chosen is None:
        shown = ", ".join(t for t in types if t != PROBLEM_CONTENT_TYPE)
        abort(406, message=f"This resource is served as {shown}. Send one of them in Accept.")
    g.representation = chosen if chosen in (MARKDOWN, JSON_LD) else JSON
    g.pretty = indent or BOOLEANS[pretty]


class QueryParser(FlaskParser):
    """Reads the query string without the parameters this module handles for every view,
    and the JSON body as api/bodies.py decoded it (once, within its limits)."""

    def load_querystring(self, req, schema):
        args = MultiDict((k, v) for k, v in req.args.items(multi=True) if k not in PARAMETERS)
        return self._makeproxy(args, schema)

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return missing
        value = req.get_json()
        return missing if value is None else value


def present(response: Response) -> Response:
    """Re-render a JSON answer as the negotiated representation."""
    if response.mimetype not in (JSON, PROBLEM_CONTENT_TYPE) or response.direct_passthrough:
        return response
    chosen = g.get("representation", JSON)
    if response.status_code != 200:  # errors stay problem+json
        chosen = JSON
    if chosen == JSON and not g.get("pretty"):
        return response
    body = json.loads(response.get_data())
    if chosen == JSON:
        response.set_data(encode(body, pretty=True))
        return response
    rendered = declared(_view())[chosen](body, request.path, response.headers.get("X-Total-Count"))
    response.set_data(rendered if isinstance(rendered, str) else encode(rendered, pretty=True))
    response.mimetype = chosen
    response.headers.pop("ETag", None)
    return response
