"""OpenAPI fragments shared by the read operations: conditional GET and list headers."""

import flask_smorest

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
    honest about it without repeating the same decorators on every view.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prepare_doc_cbks.append(self._prepare_conditional_read_doc)

    @staticmethod
    def _prepare_conditional_read_doc(doc, doc_info, *, method, **kwargs):
        if method == "get":
            doc.setdefault("parameters", []).append(IF_NONE_MATCH)
            doc.setdefault("responses", {})["304"] = {"description": NOT_MODIFIED}
        return doc
