"""The OpenAPI document: every customisation of flask-smorest's spec, in one place.

`ProblemApi` documents every error as RFC 9457 problem details and the bearer security
scheme; `schema_name` names the components ("Tool", "ToolInput"); `RepresentationsPlugin`
documents the `format` and `pretty` parameters and the Markdown / JSON-LD answers that
api/formats.py serves. The document's own fields (info, servers) and the fragments shared by
operations are in api/resources/openapi_docs.py.
"""

import http

from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from schemas.base import EntrySchema, ProblemSchema

from .extensions import PROBLEM_CONTENT_TYPE
from .formats import BOOLEANS, FORMATS, JSON, JSON_LD, MARKDOWN, format_names, offered
from .resources.openapi_docs import SPEC_OPTIONS

PRECONDITION_ETAG = {
    "description": "The entry's current ETag: send it as If-Match to retry without a GET.",
    "schema": {"type": "string"},
}


def schema_name(schema) -> str:
    """Component name of a schema: "Tool" for the (partial) representation clients read.

    Representations are documented with partial=True because `fields` may leave any field
    out; the same schema with its required fields (request bodies) is "ToolInput".
    """
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    if issubclass(cls, EntrySchema) and not getattr(schema, "partial", None):
        return f"{name}Input"
    return name


class ProblemApi(Api):
    """flask-smorest's Api, documenting every error as RFC 9457 problem details."""

    ERROR_SCHEMA = ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = "DEFAULT_ERROR"

    def __init__(self, app: Flask):
        plugin = MarshmallowPlugin(schema_name_resolver=schema_name)
        super().__init__(
            app,
            spec_kwargs={
                "marshmallow_plugin": plugin,
                "extra_plugins": [RepresentationsPlugin(app)],
                **SPEC_OPTIONS,
            },
        )
        self.spec.components.security_scheme(
            "bearerAuth",
            {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key from `flask --app api keys create`. Reads need none.",
            },
        )

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            if status == http.HTTPStatus.PRECONDITION_FAILED:  # api/resources/writing.py
                response["headers"] = {"ETag": PRECONDITION_ETAG}
            prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error, as problem details.", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_CONTENT_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)

    def _register_pagination_header(self):
        """Lists use Link and X-Total-Count (api/resources/representation.py), not X-Pagination."""

    def _register_error_handlers(self):
        """Errors are handled by api/errors.py, registered by create_app."""


class RepresentationsPlugin(BasePlugin):
    """Documents `pretty`, `format` and the Markdown / JSON-LD responses of each GET: those
    its view declares (api/formats.py), read from the app the view is registered in."""

    def __init__(self, app: Flask):
        self.app = app

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        operation = (operations or {}).get("get")
        if rule is None or operation is None:
            return
        types = offered(self.app.view_functions.get(rule.endpoint))
        parameters = operation.setdefault("parameters", [])
        parameters.append(PRETTY_PARAMETER)
        extra = [t for t in types if t not in (JSON, PROBLEM_CONTENT_TYPE)]
        if not extra:
            return
        parameters.append(
            {
                "in": "query",
                "name": "format",
                "required": False,
                "description": "The representation, for links that cannot send `Accept`: "
                + ", ".join(f"`{n}` ({FORMATS[n]})" for n in format_names(types))
                + ".",
                "schema": {"type": "string", "enum": format_names(types)},
            }
        )
        responses = operation["responses"]
        content = responses.get(200, responses.get("200"))["content"]
        for media_type in extra:
            content[media_type] = REPRESENTATION_SCHEMAS[media_type]


PRETTY_PARAMETER = {
    "in": "query",
    "name": "pretty",
    "required": False,
    "description": "`1` indents the JSON for reading in a terminal (as does "
    "`Accept: application/json; indent=2`).",
    "schema": {"type": "string", "enum": list(BOOLEANS)},
}
REPRESENTATION_SCHEMAS = {
    MARKDOWN: {"schema": {"type": "string", "description": "The same content as Markdown."}},
    JSON_LD: {
        "schema": {
            "type": "object",
            "description": "A schema.org FAQPage: one Question with its acceptedAnswer per entry.",
        }
    },
}
