"""Request guards and response headers applied to every route."""

from flask import Flask, Response, current_app, request
from flask_smorest import abort

from .bodies import BODY_TOO_LARGE
from .formats import negotiate, present

BODY_TYPES = ("application/json", "application/merge-patch+json")

# Request headers with a documented size: checked before anything else reads them.
HEADER_LIMITS = {"X-Change-Message": 500, "Idempotency-Key": 200}

JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
HTML_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def check_request() -> None:
    """Refuse what no route can answer: oversized bodies, non-JSON bodies, bodies past the
    JSON limits (api/bodies.py), repeated query parameters, unknown Accept."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.environ.get(BODY_TOO_LARGE):  # a chunked body, not read past the limit
        abort(413, message=f"The body is over the limit of {mebibytes(limit)}.")
    length = request.content_length
    if length and length > limit:
        abort(413, message=f"The body is {length} bytes; the limit is {mebibytes(limit)}.")
    if length and request.mimetype not in BODY_TYPES:
        abort(
            415,
            message=f"Bodies must be one of {', '.join(BODY_TYPES)}, "
            f"not {request.mimetype or 'untyped'}.",
        )
    bad_headers = {
        name: [f"Give 1 to {limit} characters."]
        for name, limit in HEADER_LIMITS.items()
        if name in request.headers and not 0 < len(request.headers[name]) <= limit
    }
    if bad_headers:
        abort(422, errors=bad_headers)
    repeated = {name: len(values) for name, values in request.args.lists() if len(values) > 1}
    if repeated:
        # Reading only the first (or last) would silently ignore what the client meant.
        abort(
            422,
            errors={
                name: [f"Given {times} times: give it once (lists are comma-separated)."]
                for name, times in repeated.items()
            },
        )
    nul_args = sorted({name for name, value in request.args.items(multi=True) if "\x00" in value})
    if nul_args:
        # PostgreSQL refuses NUL in text; refuse it here for every database alike.
        abort(422, errors={name: ["NUL characters are not allowed."] for name in nul_args})
    if length:
        request.get_json()  # decoded once, within the limits: a refusal is its problem
    negotiate()


def mebibytes(size: int) -> str:
    return f"{size / 2**20:g} MiB"


def add_headers(response: Response) -> Response:
    """ETag and 304 on successful reads, caching policy, security headers on everything."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        if not response.direct_passthrough and not response.get_etag()[0]:
            response.add_etag()
        if "Cache-Control" not in response.headers:
            max_age = current_app.config["CACHE_MAX_AGE"]
            response.cache_control.public = True
            if max_age:
                response.cache_control.max_age = max_age
            else:
                response.cache_control.no_cache = True
        response = response.make_conditional(request)
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    html = response.mimetype == "text/html"
    headers.setdefault("Content-Security-Policy", HTML_CSP if html else JSON_CSP)
    response.vary.add("Accept")
    return response


def register_http_hooks(app: Flask) -> None:
    # `/v1//faqs` is a 404 problem (naming /v1/faqs), not werkzeug's HTML redirect.
    app.url_map.merge_slashes = False
    app.before_request(check_request)
    app.after_request(add_headers)
    app.after_request(present)  # after-request hooks run last-registered first
