"""Request bodies: read whole before the app answers, decoded as JSON once, within limits.

`ReadWholeBody` (WSGI, outermost) reads every body of at most MAX_CONTENT_LENGTH bytes,
chunked or not, before the app sees the request. An answer that never looks at the body
(401, 404, 415, ...) then still leaves the connection ready for the next request: a server
cannot reuse a keep-alive connection while an unread body sits in it. A body over the limit
is not read: the app answers 413 and `Connection: close`, so clients open a new connection.

`decode_json` turns a body into JSON within documented limits, checked on the raw text
before the parser builds anything:

- MAX_DEPTH (32) levels of nesting: `[]` is one level, `{"a": []}` two;
- MAX_VALUES (1,000) values: each string, number, true, false, null, array and object
  counts one (object keys do not), which keeps validation of any 1 MiB body to milliseconds.

Past either, the body is 400 naming the limit; text that is not UTF-8 or not JSON is 400; a
lone UTF-16 surrogate (`"\\ud800"`), which no database can store as text, is 422 naming
the field. The largest fixture holds 83 values, 4 levels deep.
"""

import io
import json
import re
from itertools import accumulate
from typing import Any

import flask
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

MAX_DEPTH = 32
MAX_VALUES = 1000
BODY_TOO_LARGE = "who_does_what.body_too_large"  # environ key: a chunked body over the limit
READ_SIZE = 64 * 1024
NO_BODY = frozenset({None, "", "0"})  # CONTENT_LENGTH of a request without a body

OPENERS = "[{"
EMPTY_CONTAINER = re.compile(r"[\[{][ \t\r\n]*+[\]}]")
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(Exception):
    """A body this API will not decode: its status, what is wrong, and per-field errors."""

    def __init__(self, status: int, message: str, errors: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors


def decode_json(data: bytes) -> Any:
    """The JSON value of `data`, or BodyRefused saying what is wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyRefused(400, f"The body is not UTF-8 text (byte {exc.start}).") from None
    check_shape(text)
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise BodyRefused(400, f"The body is not valid JSON: {exc}.") from None
    if SURROGATE_ESCAPE.search(text):
        errors = lone_surrogates(value)
        if errors:
            errors = errors if isinstance(errors, dict) else {"body": errors}
            raise BodyRefused(422, "The body holds lone UTF-16 surrogates.", errors)
    return value


def check_shape(text: str) -> None:
    """Refuse bodies nested deeper than MAX_DEPTH or holding more than MAX_VALUES values.

    Counted on the raw text with C-speed string methods (a few passes over at most 1 MiB,
    whatever the body), before the parser builds anything. In JSON, a non-empty array or
    object holds one value more than it has commas; the whole body is one value; every
    string is a key or a value, and every key has a value.
    """
    # In a JSON string a backslash escapes the character after it: drop escaped backslashes
    # first, then escaped quotes; every quote left opens or closes a string.
    unescaped = text.replace("\\\\", "").replace('\\"', "")
    containers = unescaped.count("[") + unescaped.count("{")
    if containers <= MAX_DEPTH and unescaped.count(",") < MAX_VALUES - containers:
        return  # neither limit can be reached, even counting brackets and commas in strings
    quotes = unescaped.count('"')
    if quotes % 2:
        raise BodyRefused(400, "The body is not valid JSON: a string is never closed.")
    if quotes > 4 * MAX_VALUES:  # more strings than keys and values could hold
        raise BodyRefused(400, too_many())
    structure = "".join(unescaped.split('"')[::2])  # the text outside strings
    containers = structure.count("[") + structure.count("{")
    commas = structure.count(",")
    if containers > MAX_VALUES or commas >= MAX_VALUES:
        raise BodyRefused(400, too_deep(None) if surely_too_deep(structure) else too_many())
    empty = sum(1 for _ in EMPTY_CONTAINER.finditer(structure))
    if 1 + commas + containers - empty > MAX_VALUES:
        raise BodyRefused(400, too_deep(None) if surely_too_deep(structure) else too_many())
    if containers > MAX_DEPTH:
        # At most 2 * MAX_VALUES brackets: the exact depth is cheap.
        brackets = NOT_A_BRACKET.sub("", structure)
        depth = max(accumulate(1 if c in OPENERS else -1 for c in brackets), default=0)
        if depth > MAX_DEPTH:
            raise BodyRefused(400, too_deep(depth))


def surely_too_deep(structure: str) -> bool:
    """MAX_DEPTH + 1 openers in a row (whitespace and colons aside) in the text outside
    strings: each nests in the one before. Deeper bodies may not show it: those are refused
    for their number of values instead."""
    flat = structure.replace("{", "[")
    for separator in " \t\r\n:":
        flat = flat.replace(separator, "")
    return "[" * (MAX_DEPTH + 1) in flat


def too_many() -> str:
    return (
        f"The body holds more than {MAX_VALUES:,} JSON values, the limit (each string, "
        "number, boolean, null, array and object counts one; object keys do not)."
    )


def too_deep(depth: int | None) -> str:
    how_deep = f"{depth} levels" if depth else f"more than {MAX_DEPTH} levels"
    return (
        f"The body is nested {how_deep} deep; the limit is {MAX_DEPTH} levels of arrays and "
        "objects."
    )


def escaped(text: str) -> str:
    """`text` with its lone surrogates written as JSON escapes (they have no UTF-8 form)."""
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def lone_surrogates(value: Any) -> dict | list:
    """Per-field errors, nested as the body is, for every string holding a lone surrogate
    (a string's own messages when `value` is one)."""
    errors: dict = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if SURROGATE.search(key):
                errors[escaped(key)] = [
                    "This field name holds a lone UTF-16 surrogate, which is not text."
                ]
            found = lone_surrogates(item)
            if found:
                errors[escaped(key)] = found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogates(item)
            if found:
                errors[str(index)] = found
    elif isinstance(value, str) and SURROGATE.search(value):
        return [
            "Holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), "
            "which is not text: send the character itself or both halves of its pair."
        ]
    return errors


class JSONRequest(flask.Request):
    """A request whose JSON body is decoded once, by `decode_json`, for Flask and webargs.

    api/http.py decodes the body before any view runs, so a refusal is answered before the
    view; views read the decoded value with `get_json()` as usual (silent: None if refused).
    """

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            return None if silent else self.on_json_loading_failed(None)
        try:
            return self.decoded_json()
        except HTTPException:
            if silent:
                return None
            raise

    def decoded_json(self) -> Any:
        """The body's JSON value (None when empty); a refusal is raised as its problem."""
        if "_decoded_json" not in self.__dict__:
            data = self.get_data(cache=True)
            try:
                self.__dict__["_decoded_json"] = decode_json(data) if data else None
            except BodyRefused as refused:
                abort(refused.status, message=refused.message, errors=refused.errors)
        return self.__dict__["_decoded_json"]


class ReadWholeBody:
    """WSGI middleware: read each body (at most `limit` bytes) before the app answers.

    `app` is the WSGI app it wraps (set by api.compose).
    """

    def __init__(self, limit: int, app=None):
        self.app = app
        self.limit = limit

    def __call__(self, environ: dict, start_response):
        if "HTTP_TRANSFER_ENCODING" not in environ and environ.get("CONTENT_LENGTH") in NO_BODY:
            return self.app(environ, start_response)  # most requests: nothing to read
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        length = _content_length(environ)
        if not chunked and not length:
            return self.app(environ, start_response)
        if not chunked and length > self.limit:
            # Not read: the app answers 413 (or 401, ...) and the connection must end.
            return self.app(environ, _closing(start_response))
        body = _read(environ["wsgi.input"], self.limit + 1 if chunked else length)
        if len(body) > self.limit:
            environ[BODY_TOO_LARGE] = True
            body, start_response = b"", _closing(start_response)
        # From here on the body is a plain one of known length, chunked or not.
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)


def _content_length(environ: dict) -> int:
    try:
        return max(int(environ.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _read(stream, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = stream.read(min(READ_SIZE, size - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _closing(start_response):
    def start(status, headers, exc_info=None):
        headers = [(n, v) for n, v in headers if n.lower() != "connection"]
        return start_response(status, [*headers, ("Connection", "close")], exc_info)

    return start
