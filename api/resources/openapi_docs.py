"""OpenAPI fragments shared by the operations (conditional requests, list headers, security)
and the document's own fields (info, servers)."""

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


# The document's own fields, merged into the spec by ProblemApi (api/openapi.py).
SPEC_OPTIONS = {
    "info": {
        "description": "A REST/JSON knowledge API about the people who build and run software: "
        "developers, DevOps engineers, SREs and platform engineers; their responsibilities, "
        "tools, metrics, workflows and the questions people ask about them. Reads need no "
        "key; writes need an API key (`Authorization: Bearer`) and `If-Match`. Errors are "
        "problem details (RFC 9457).",
        "contact": {"name": "Who Does What maintainers"},
    },
    # Relative: the spec is served by the API it describes, on whatever host and port that
    # is; clients resolve "/" against the spec's own URL.
    "servers": [{"url": "/", "description": "The server this document was fetched from."}],
}


class Blueprint(flask_smorest.Blueprint):
    """A Blueprint whose operations document what every route does.

    GETs document conditional requests (If-None-Match, 304): the ETag itself is added to
    every successful GET by api/http.py. Every operation may answer 400 (an API key in the
    URL, api/auth.py) and is public unless it declares a security requirement (writes do).
    This keeps the spec honest without repeating the same decorators on every view. Query
    arguments are read without the representation parameters (api/formats.py).
    """

    ARGUMENTS_PARSER = QueryParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_common_doc)

    @staticmethod
    def _prepare_common_doc(doc, doc_info, *, method, **kwargs):
        if method == "get":
            doc.setdefault("parameters", []).append(IF_NONE_MATCH)
            doc.setdefault("responses", {})["304"] = {"description": NOT_MODIFIED}
        doc.setdefault("responses", {}).setdefault("400", "BAD_REQUEST")
        doc["security"] = []  # public; a `security` given to @blp.doc replaces it
        return doc


def _header_parameter(
    name: str, description: str, max_length: int | None = None, *, required: bool = False
) -> dict:
    schema = {"type": "string"}
    if max_length:
        schema.update(minLength=1, maxLength=max_length)
    return {
        "in": "header",
        "name": name,
        "required": required,
        "description": description,
        "schema": schema,
    }


# PUT, PATCH and DELETE answer 428 without it (api/resources/writing.py).
IF_MATCH = _header_parameter(
    "If-Match",
    "The ETag of your last GET of the entry. Without it: 428. When the entry changed since: "
    "412, and nothing is written.",
    required=True,
)
# A restore needs it only while the entry exists: a deleted entry has no ETag to send.
IF_MATCH_UNLESS_DELETED = _header_parameter(
    "If-Match",
    "The ETag of your last GET of the entry, when it exists (428 without it, 412 when the "
    "entry changed since). Not sent for a deleted entry.",
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
