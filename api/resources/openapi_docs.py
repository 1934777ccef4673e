"""OpenAPI fragments shared by the read operations: conditional GET and list headers."""

from http import HTTPStatus

import flask_smorest

from ..formats import QueryParser

ETAG_HEADER = {
    "description": "Entity tag of this representation; send it back in If-None-Match.",
    "schema": {"type": "string"},
}
CACHE_CONTROL_HEADER = {
    "description": "Caching policy: public, revalidate with the ETag.",
    "schema": {"type": "string"},
}
READ_HEADERS = {"ETag": ETAG_HEADER, "Cache-Control": CACHE_CONTROL_HEADER}
LIST_HEADERS = {
    **READ_HEADERS,
    "Link": {
        "description": "RFC 8288 links to the first, prev, next and last pages, e.g. "
        '`</v1/tools?page=2>; rel="next"`.',
        "schema": {"type": "string"},
    },
    "X-Total-Count": {
        "description": "Number of entries matching the filters, over all pages.",
        "schema": {"type": "integer"},
    },
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "description": "An ETag from an earlier answer: 304 Not Modified when it still matches.",
    "schema": {"type": "string"},
}
NOT_MODIFIED = "The representation has not changed since the ETag sent in If-None-Match."


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint whose GET operations document conditional requests (If-None-Match, 304).

    The ETag itself is added to every successful GET by api/http.py; this keeps the spec
    honest about it without repeating the same decorators on every view. Query arguments
    are read without the representation parameters (api/formats.py).
    """

    ARGUMENTS_PARSER = QueryParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_conditional_read_doc)

    @staticmethod
    def _prepare_conditional_read_doc(doc, doc_info, *, method, **kwargs):
        if method == "get":
            doc.setdefault("parameters", []).append(IF_NONE_MATCH)
            doc.setdefault("responses", {})["304"] = {"description": NOT_MODIFIED}
        return doc


def _header_parameter(name: str, description: str, max_length: int | None = None) -> dict:
    schema = {"type": "string"}
    if max_length:
        schema.update(minLength=1, maxLength=max_length)
    return {
        "in": "header",
        "name": name,
        "required": False,
        "description": description,
        "schema": schema,
    }


IF_MATCH = _header_parameter(
    "If-Match",
    "The ETag of your last GET of the entry. Without it: 428. When the entry changed since: "
    "412, and nothing is written.",
)
IDEMPOTENCY_KEY = _header_parameter(
    "Idempotency-Key",
    "Any unique string (1 to 200 characters). Repeating the request with the same key and "
    "body replays the first answer (with `Idempotent-Replayed: true`) and writes nothing more.",
    max_length=200,
)
CHANGE_MESSAGE = _header_parameter(
    "X-Change-Message",
    "Why the change was made (1 to 500 characters), kept in the revision.",
    max_length=500,
)
WRITE_HEADERS = {"ETag": ETAG_HEADER}
CREATED_HEADERS = {
    **WRITE_HEADERS,
    "Location": {"description": "URL of the new entry.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key.",
        "schema": {"type": "string"},
    },
}
MERGE_PATCH = "application/merge-patch+json"


def merge_patch_body(collection) -> dict:
    """The requestBody of a PATCH: any subset of the writable fields."""
    schema = {"$ref": f"#/components/schemas/{collection.singular}"}
    return {
        "required": True,
        "description": "The fields to change; `null` removes an optional field.",
        "content": {MERGE_PATCH: {"schema": schema}, "application/json": {"schema": schema}},
    }


WRITE_ERRORS = (400, 401, 403, 413, 415, 422)


def write_responses(blp, *statuses: int):
    """Document the errors a write can answer, besides its own (`statuses`)."""

    def decorate(view):
        for status in sorted({*WRITE_ERRORS, *statuses}, reverse=True):
            view = blp.alt_response(status, response=HTTPStatus(status).name)(view)
        return view

    return decorate
