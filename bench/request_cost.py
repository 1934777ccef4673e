"""What the whole WSGI stack costs per stored read, in process, against a bare WSGI callable.

    .venv/bin/python bench/request_cost.py [--profile]

Quiet and cheap (no server, no sockets): builds the app with production settings (rate
limits, access log to /dev/null, metrics, stored answers), calls `app.wsgi_app` in a loop
with a prepared environ, and reports microseconds per request for a stored FAQ item, a
stored 50-item list and a 304, next to a bare WSGI callable returning the same bytes with
two headers. The ratio bare/stack is the in-process ceiling of what bench/http_bench.py
measures under granian (where the server's own cost is added to both). `--profile` prints
cProfile's top functions for the item.
"""

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "bench" / ".work" / "request-cost.db"
ITEM, LIST = ("/v1/faqs/what-is-calms", ""), ("/v1/faqs", "page_size=50")


def database() -> str:
    url = f"sqlite:///{DATABASE}"
    if not DATABASE.exists():
        DATABASE.parent.mkdir(parents=True, exist_ok=True)
        flask = str(ROOT / ".venv" / "bin" / "flask")
        for command in ("migrate", "seed"):
            subprocess.run(
                [flask, "--app", "api", command],
                check=True,
                capture_output=True,
                env={**os.environ, "DATABASE_URL": url},
            )
    return url


def environ(path: str, query: str = "", **headers: str) -> dict:
    """What granian hands over for `GET path?query` from wrk (plus `headers`)."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "18080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "HTTP_HOST": "127.0.0.1:18080",
        "HTTP_USER_AGENT": "wrk",
        **headers,
    }


def start_response(status, headers, exc_info=None):
    return None


def answer(app, prepared: dict) -> tuple[dict, bytes]:
    captured: list = []
    body = b"".join(app(prepared, lambda status, headers, exc_info=None: captured.extend(headers)))
    return dict(captured), body


def per_request(app, prepared: dict, number: int = 20000) -> float:
    """CPU microseconds per call, best of five: a fresh environ each time, as a server makes.

    CPU time of this thread, not wall time: other work on the machine delays the loop but
    adds little to the CPU time it takes."""

    def call():
        body = app(prepared.copy(), start_response)
        for _ in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()

    timer = timeit.Timer(call, timer=time.thread_time)
    return min(timer.repeat(number=number, repeat=5)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = database()
    os.environ.setdefault("RATE_LIMITS_ENABLED", "1")
    sys.path.insert(0, str(ROOT))
    from api import create_app

    app = create_app()
    app.extensions["observability"].access_log.stream = open(os.devnull, "w")  # noqa: SIM115
    stack = app.wsgi_app
    answers = {}
    for name, (path, query) in {"item": ITEM, "list of 50": LIST}.items():
        headers, body = answer(stack, environ(path, query))
        answers[name] = (environ(path, query), body, headers["ETag"])
    item_environ, item_body, etag = answers["item"]
    answers["304 of the item"] = (environ(ITEM[0], HTTP_IF_NONE_MATCH=etag), item_body, etag)
    print(f"{sys.version.split()[0]}; CPU microseconds per request, best of 5 x 20,000")
    print("| request | stack | bare callable, same bytes | bare/stack |")
    print("|---|---|---|---|")
    for name, (prepared, body, _) in answers.items():
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]

        def bare(environ, start_response, body=body, headers=headers):
            start_response("200 OK", headers)
            return [body]

        ours, theirs = per_request(stack, prepared), per_request(bare, prepared)
        print(f"| {name} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.2f} |")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(per_request, stack, item_environ, 20000)
        pstats.Stats(profile).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
