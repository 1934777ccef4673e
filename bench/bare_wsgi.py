"""The bench's ceiling: a bare WSGI callable returning the API's own bytes, nothing else.

bench/http_bench.py serves it with the very command that serves the API (granian, same
workers) on its own port, after saving the API's item and list answers in bench/.work/static;
the API's figures are then read as a share of what the server can do with Python in it.
"""

import os
from pathlib import Path

STATIC = Path(os.environ.get("BARE_WSGI_STATIC", Path(__file__).parent / ".work" / "static"))
ANSWERS = {
    "/v1/faqs/what-is-calms": (STATIC / "faq.json").read_bytes(),
    "/v1/faqs": (STATIC / "faqs.json").read_bytes(),
}
HEADERS = {
    path: [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    for path, body in ANSWERS.items()
}


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    body = ANSWERS.get(path)
    if body is None:
        start_response("404 Not Found", [("Content-Length", "0")])
        return []
    start_response("200 OK", HEADERS[path])
    return [body]
