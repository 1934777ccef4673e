"""Stored representations: a GET's bytes, ETag and compressed forms, served without Flask.

`RepresentationCache` wraps the WSGI app. A cacheable GET (or HEAD) whose key is stored is
answered from memory: 304 when If-None-Match matches, else the bytes, gzip- or
brotli-compressed when the client accepts it. Otherwise the app answers and a 200 JSON answer
is stored, within a byte budget (least recently used out first).

Invalidation: entries carry the content's generation they were made at (api/generation.py),
and are used only while it is current. It is pushed to every process when a write commits, so
a read that starts after a write's answer sees the write, in any worker or instance (polled
every CACHE_CHECK_INTERVAL while no push channel is up). When the generation cannot be read
(database down) nothing is served from memory.

A request with `Cache-Control: no-cache` (or, without Cache-Control, `Pragma: no-cache`) is
answered by the app, as RFC 9111 asks of a stored response, and its answer is stored for the
next; with `no-store`, it is neither served from nor stored. A response to a request that
carried `Authorization` is never stored (RFC 9111, 3.5: it may be that client's alone).

What must be noted on every request, not only when the app answers (the query log: each
question asked counts), the view leaves in the environ under ON_HIT as a callable; it is
stored with the representation and called on each hit. What a stored answer shows that is
not content (the votes' counts in answers and passages) the view checks with a callable it
leaves under STILL_VALID: a hit on an answer it calls false is a miss.
"""

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .generation import ContentGeneration

try:
    import brotli
except ImportError:  # brotli is optional: gzip only
    brotli = None

CACHEABLE_PREFIX = "/v1"
CACHE_RESULT = "who_does_what.cache"  # environ key: "hit" or "miss", for the access log
ROUTE = "who_does_what.route"  # environ key: the endpoint that answered, for logs and metrics
ON_HIT = "who_does_what.on_hit"  # environ key: a callable to call again on each hit
# environ key: a callable saying whether a stored answer still holds, checked on each hit, for
# answers that show what is not content (votes: api/feedback_generation.py)
STILL_VALID = "who_does_what.still_valid"
MIN_COMPRESS = 1024
READS = frozenset({"GET", "HEAD"})
NO_BODY = frozenset({None, "", "0"})  # CONTENT_LENGTH of a request without a body
# JSON and Markdown depend only on the key. JSON-LD is not stored: its URLs are absolute,
# made from the request's Host.
STORED_TYPES = ("application/json", "text/markdown")
# Not stored: made per form (ETag, Content-Length), or true of one answer only: its Date (the
# server adds a fresh one) and the rate-limit state of the client that asked first.
PER_FORM_HEADERS = frozenset({"etag", "content-length"})
PER_ANSWER_HEADERS = PER_FORM_HEADERS | frozenset(
    {
        "date",
        "retry-after",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
    }
)


@dataclass
class Stored:
    """One stored answer: its body, and the ready-made header list of each form served."""

    generation: int
    etag: str  # quoted, as sent
    headers: list[tuple[str, str]]
    body: bytes
    route: str
    on_hit: Callable[[], None] | None = None
    still_valid: Callable[[], bool] | None = None
    forms: dict[str | None, tuple[list[tuple[str, str]], bytes]] = field(default_factory=dict)
    not_modified: dict[str | None, list[tuple[str, str]]] = field(default_factory=dict)
    size: int = 0

    def __post_init__(self) -> None:
        self.size = len(self.body) + 1024
        self.opaque = self.etag[1:-1]  # found in If-None-Match, whatever the form asked for
        self.compressible = len(self.body) >= MIN_COMPRESS
        self.forms[None] = self._form(None, self.body)
        # A 304 names the form it stands for (its ETag), but needs no body: nothing to compress.
        for encoding in (None, "gzip", "br"):
            headers = [*self.headers, ("ETag", self.etag_for(encoding))]
            if encoding:
                headers.append(("Content-Encoding", encoding))
            self.not_modified[encoding] = headers

    def _form(self, encoding: str | None, body: bytes) -> tuple[list[tuple[str, str]], bytes]:
        headers = [*self.headers, ("ETag", self.etag_for(encoding))]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(body))))
        return headers, body

    def etag_for(self, encoding: str | None) -> str:
        return f'{self.etag[:-1]}-{encoding}"' if encoding else self.etag

    def form(self, encoding: str | None) -> tuple[list[tuple[str, str]], bytes]:
        """Headers and body for `encoding`, compressing on first use."""
        found = self.forms.get(encoding)
        if found is None:
            found = self.forms[encoding] = self._form(encoding, _compress(self.body, encoding))
            self.size += len(found[1])
        return found


@lru_cache(maxsize=256)  # clients send few distinct Accept-Encoding values
def _accepted_encoding(header: str) -> str | None:
    accepted = {part.split(";")[0].strip().lower() for part in header.split(",")}
    if brotli is not None and "br" in accepted:
        return "br"
    if "gzip" in accepted:
        return "gzip"
    return None


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=5)
    return gzip.compress(body, compresslevel=6, mtime=0)


class RepresentationCache:
    """WSGI middleware serving stored representations of public reads.

    `app` is the WSGI app it wraps (set by api.compose).
    """

    def __init__(self, generation: ContentGeneration, budget: int, app: Callable | None = None):
        self.app = app
        self.generation = generation
        self.budget = budget
        self.entries: OrderedDict[tuple, Stored] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    # WSGI

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ["REQUEST_METHOD"]
        if (
            not path.startswith(CACHEABLE_PREFIX)
            or method not in READS
            or environ.get("CONTENT_LENGTH") not in NO_BODY
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return self.app(environ, start_response)
        generation = self.generation.current()
        if generation is None:
            return self.app(environ, start_response)
        key = (
            path,
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
            environ.get("HTTP_ORIGIN", ""),
        )
        # Pragma counts only without Cache-Control (RFC 9111, 5.4).
        directives = None
        if "HTTP_CACHE_CONTROL" in environ or "HTTP_PRAGMA" in environ:
            directives = environ.get("HTTP_CACHE_CONTROL", environ.get("HTTP_PRAGMA"))
        if directives and ("no-cache" in directives or "no-store" in directives):
            environ[CACHE_RESULT] = "bypass"
            if "no-store" in directives:
                return self.app(environ, start_response)
            return self._fill(environ, start_response, key, generation)
        # Reads of the dict need no lock: the GIL makes get() atomic; LRU order is updated
        # only when entries are added, which is enough to keep the budget.
        stored = self.entries.get(key)
        if (
            stored is None
            or stored.generation != generation
            or (stored.still_valid is not None and not stored.still_valid())
        ):
            self.misses += 1
            environ[CACHE_RESULT] = "miss"
            return self._fill(environ, start_response, key, generation)
        self.hits += 1
        environ[CACHE_RESULT] = "hit"
        environ[ROUTE] = stored.route
        if stored.on_hit is not None:
            stored.on_hit()
        if method == "GET" and not (stored.compressible and "HTTP_ACCEPT_ENCODING" in environ):
            # The most common answers, without a call: the identity form, or its 304.
            if_none_match = environ.get("HTTP_IF_NONE_MATCH")
            if if_none_match is None:
                headers, body = stored.forms[None]
                start_response("200 OK", headers)
                return [body]
            if stored.opaque in if_none_match or if_none_match.strip() == "*":
                start_response("304 NOT MODIFIED", stored.not_modified[None])
                return []
        return self._serve(environ, start_response, stored, method == "HEAD")

    def _serve(
        self, environ, start_response, stored: Stored, head: bool, own: list | None = None
    ) -> Iterable[bytes]:
        """Answer from `stored`; `own` are the headers of the app's answer that were not
        stored (its Date, the client's rate-limit state), sent along when it was just made."""
        encoding = None
        if stored.compressible and "HTTP_ACCEPT_ENCODING" in environ:
            encoding = _accepted_encoding(environ["HTTP_ACCEPT_ENCODING"])
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and (stored.opaque in if_none_match or if_none_match.strip() == "*"):
            headers = stored.not_modified[encoding]
            start_response("304 NOT MODIFIED", [*headers, *own] if own else headers)
            return []
        size = stored.size
        headers, body = stored.form(encoding)
        if stored.size != size:  # a compressed form was just made: count it in the budget
            with self.lock:
                self.bytes += stored.size - size
        start_response("200 OK", [*headers, *own] if own else headers)
        # Lists: granian sends a list's bytes at once, and iterates anything else.
        return [] if head else [body]

    def _fill(self, environ, start_response, key, generation) -> Iterable[bytes]:
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = captured["status"], captured["headers"]
        names = {name.lower(): value for name, value in headers}
        cacheable = (
            status.startswith("200")
            and environ["REQUEST_METHOD"] == "GET"
            and names.get("content-type", "").startswith(STORED_TYPES)
            and "etag" in names
            and "set-cookie" not in names
            and "HTTP_AUTHORIZATION" not in environ
            and "no-store" not in names.get("cache-control", "")
        )
        if not cacheable:
            start_response(status, headers, captured["exc_info"])
            return [body]
        kept = [(n, v) for n, v in headers if n.lower() not in PER_ANSWER_HEADERS]
        kept.append(("Vary", "Accept-Encoding"))
        route = environ.get(ROUTE, "unmatched")
        stored = Stored(
            generation,
            names["etag"],
            kept,
            body,
            route,
            environ.get(ON_HIT),
            environ.get(STILL_VALID),
        )
        self._store(key, stored)
        own = [(n, v) for n, v in headers if n.lower() in PER_ANSWER_HEADERS - PER_FORM_HEADERS]
        return self._serve(environ, start_response, stored, head=False, own=own)

    def _store(self, key, stored: Stored) -> None:
        if stored.size > self.budget:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self.entries[key] = stored
            self.bytes += stored.size
            while self.bytes > self.budget and self.entries:
                _, evicted = self.entries.popitem(last=False)
                self.bytes -= evicted.size
