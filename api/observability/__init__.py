"""Observability: request ids, the access log and Prometheus metrics, as one WSGI layer.

`Observability` sits outside the stored answers (api/cache.py), so that requests answered
from memory are counted and logged like the others. Its parts, one module each:

- request_ids.py: `X-Request-ID`, echoed when safe, else made;
- access_log.py: one JSON line per request (the path, never the query string);
- flusher.py: the thread that logs and counts, in batches, what requests queued;
- metrics.py: request counts and latencies, and GET /metrics for the operators;
- logs.py: the app's own log records as JSON lines.

Cost: a stored answer takes about a microsecond, so this layer is built to add little to it
(bench/request_cost.py measures the whole stack in process).
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus
from time import perf_counter

from flask import Flask, request

from ..cache import CACHE_RESULT, ROUTE
from .access_log import AccessLog, destination
from .flusher import FLUSHER
from .logs import configure_logging, json_handler
from .metrics import METRICS_PATH, MetricsEndpoint, RequestMetrics
from .request_ids import HEADER, REQUEST_IDS, SAFE

__all__ = ["Observability", "configure_logging", "json_handler", "note_route"]


class Observability:
    """WSGI middleware: request id, access log line, request metrics, and /metrics.

    A request only queues what was observed, as a tuple; `flush` hands the queue to the
    metrics and the access log, from the process's flusher thread (every 50 ms), from the
    request that queues the BATCH-th record, and before /metrics answers. `app` is the WSGI
    app it wraps (set by api.compose).
    """

    BATCH = 256

    def __init__(self, flask_app: Flask, app: Callable | None = None):
        self.app = app
        self.request_metrics = RequestMetrics()
        self.metrics = MetricsEndpoint(flask_app, self.request_metrics, self.flush)
        self.access_log = AccessLog(destination(flask_app.config["ACCESS_LOG"]))
        self.pending: deque[tuple] = deque()  # appends and pops are atomic
        self.lock = threading.Lock()  # one batch at a time, so that lines keep their order
        self.watched = False  # the flusher thread flushes this one
        self.closing = False  # the process is ending: each record is flushed at once

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # Every request passes here: what it does is written for speed (bench/request_cost.py).
        started = perf_counter()
        rid = environ.get(HEADER)  # the client's X-Request-ID when it is safe to log
        if rid is None or not SAFE(rid):
            rid = environ[HEADER] = REQUEST_IDS.new()
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if path == METRICS_PATH and method == "GET":
            return self.metrics(environ, start_response)
        answered = "500"

        def respond(line, headers, exc_info=None):
            nonlocal answered
            answered = line
            return start_response(line, [*headers, ("X-Request-ID", rid)], exc_info)

        body = self.app(environ, respond)
        status = STATUS_CODES.get(answered) or status_code(answered)
        key = (environ.get(ROUTE, "unmatched"), method, status, environ.get(CACHE_RESULT))
        pending = self.pending
        pending.append((started, rid, path, perf_counter() - started, key))
        if len(pending) >= self.BATCH or self.closing or self.access_log.immediate:
            self.flush()
        elif not self.watched:
            FLUSHER.watch(self)
        return body

    def flush(self) -> None:
        """Count and log what requests left pending."""
        pending = self.pending
        if not pending:
            return
        with self.lock:
            records = [pending.popleft() for _ in range(len(pending))]
            if not records:
                return
            self.request_metrics.observe(records)
            self.access_log.write(records, time.time() - perf_counter())


# The status lines apps answer with, and their codes; any other line is read by status_code.
STATUS_CODES = {f"{status.value} {status.phrase}": str(status.value) for status in HTTPStatus}
STATUS_CODES.update({line.upper(): code for line, code in STATUS_CODES.items()})


def status_code(line: str) -> str:
    """The three digits a status line starts with ("500" when it starts otherwise)."""
    code = line[:3]
    return code if code.isdigit() else "500"


def note_route() -> None:
    """Before each request Flask handles: tell the outer layers which endpoint answers."""
    request.environ[ROUTE] = request.endpoint or "unmatched"
