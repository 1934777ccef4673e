"""OpenAPI fragments shared by the read operations: conditional GET and list headers."""

from typing import Any

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


def read_operation(operation_id: str, summary: str, description: str) -> dict[str, Any]:
    """The `@blp.doc` of a GET operation that answers conditional requests."""
    return {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [IF_NONE_MATCH],
    }
