"""The one JSON encoder of HTTP bodies: success and problem+json, compact and pretty alike.

Compact is `{"a":1}`: no spaces, UTF-8 rather than \\u escapes, keys in the order the
schema dumped them. The bytes matter beyond the wire: an entry's ETag is the hash of its
compact body, and api/services/passages.py computes the same ETag for citations through
`encode`, so the two cannot disagree. A lone surrogate (a client may send one as `\\ud800`)
has no UTF-8 form: it is written back as that JSON escape instead of failing the answer.

Flask's `jsonify` (which flask-smorest calls to send what a view returned, dumped through
the view's response schema) and the OpenAPI document write through `JSONBodies`, installed
as `app.json`.
"""

import json
from typing import Any

from flask.json.provider import JSONProvider

MEDIA_TYPE = "application/json"
# Built once: json.dumps with options builds a new encoder on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_PRETTY = json.JSONEncoder(ensure_ascii=False, indent=2)


def dumps(data: Any, *, pretty: bool = False) -> str:
    """`data` as JSON text: compact, or indented by two (`pretty`)."""
    return _PRETTY.encode(data) if pretty else _COMPACT.encode(data)


def encode(data: Any, *, pretty: bool = False) -> bytes:
    """`data` as the bytes of an HTTP body; `pretty` indents by two, ending with a newline."""
    text = dumps(data, pretty=True) + "\n" if pretty else dumps(data)
    return text.encode("utf-8", "backslashreplace")


class JSONBodies(JSONProvider):
    """Flask's JSON provider, writing with `encode` (Flask's default sorts keys, escapes
    non-ASCII and indents in debug mode: three differences from every other body)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        # flask-smorest asks for indent=2 for the OpenAPI document (/openapi.json, and
        # `flask openapi write`): indented, the rest of its style is this module's.
        return dumps(obj, pretty=bool(kwargs.get("indent")))

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any):
        body = encode(self._prepare_response_obj(args, kwargs))
        return self._app.response_class(body, mimetype=MEDIA_TYPE)
