"""Request ids, one JSON log line per request, and Prometheus metrics at /metrics.

`Observability` is the outermost WSGI layer, so requests answered from stored
representations are counted and logged like the others. Log lines carry the path, never
the query string (it may hold what a client should not have sent, such as a key). Metrics
are per process; route labels are endpoint names and unknown methods count as "other", so
the number of series stays small.

Cost: a stored answer takes about 1 us to serve, so this layer is built to add little to it
(about 4 us in process, against 15 us before it was measured): request ids from a
per-process prefix and a counter, the log line formatted by hand (strings are escaped only
when they need it) and written in batches, and request counts kept in plain rows under one
lock, turned into Prometheus families only when /metrics is scraped.
"""

import hmac
import ipaddress
import itertools
import json
import logging
import os
import re
import select
import sys
import threading
import time
import weakref
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from http import HTTPStatus

from flask import Flask, request
from flask.logging import default_handler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from .cache import CACHE_RESULT, ROUTE

REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
METRICS_PATH = "/metrics"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class RequestIds:
    """32 hex digits: 16 drawn at random per process, then a counter.

    Unique across processes and restarts without a system call per request; drawn again in
    a forked child, so workers forked from one loaded app do not share a prefix.
    """

    def __init__(self):
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)  # next() on a count is atomic under the GIL

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter) & 0xFFFFFFFFFFFFFFFF:016x}"


REQUEST_IDS = RequestIds()  # one per process, for every app in it


def json_string(value: str) -> str:
    """`value` as a JSON string: as is between quotes when nothing in it needs escaping."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


class AccessLog:
    """One JSON line per request, written straight to a stream (stderr by default).

    Not through `logging`: a LogRecord and its formatter cost more than the whole answer
    from stored representations (about 25 us against 1 us here). The line is formatted
    by hand: its fields are few and known, and every string in it goes through
    `json_string`.

    A stream with a file descriptor (stderr, a file) gets the lines in batches, written
    with os.write by the process's `Flusher` every FLUSHER.INTERVAL seconds (by the request
    that adds the BATCH-th line if that comes first), and once more when the process ends.
    A write per line costs a system call and lets another request thread take the GIL:
    in a granian worker, about 4 us of CPU per request, a sixth of the whole. Each write
    is at most PIPE_BUF bytes of whole lines, so the lines of workers sharing a pipe do
    not mix. A stream without a descriptor (io.StringIO) gets every line at once.
    """

    FIXED = {None: "null", "hit": '"hit"', "miss": '"miss"'}
    BATCH = 256
    CHUNK = select.PIPE_BUF

    def __init__(self, stream=None):
        self.stream = stream
        self.stamped = (-1, "")  # (millisecond, its timestamp): busy workers share them
        self.second = (-1, "")  # (second, its timestamp up to the second)
        self.quoted: dict[str, str] = {m: f'"{m}"' for m in METHODS}  # methods and routes
        self.target: tuple = (None, None)  # (stream, its file descriptor or None)
        self.pending: deque[str] = deque()  # lines for the target's descriptor
        self.flush_lock = threading.Lock()
        self.watched = False  # the process's Flusher writes this log's lines
        self.closing = False  # the process is ending: every line is written at once

    def timestamp(self, now: float) -> str:
        """ISO 8601 UTC with milliseconds; made once per millisecond, its date once a second."""
        millisecond = int(now * 1000)
        stamped = self.stamped
        if stamped[0] == millisecond:
            return stamped[1]
        whole, fraction = divmod(millisecond, 1000)
        second = self.second
        if second[0] != whole:
            second = self.second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
        text = f"{second[1]}.{fraction:03d}Z"
        self.stamped = (millisecond, text)
        return text

    def quote(self, name: str) -> str:
        """A method or route name as JSON; the first thousand seen are remembered."""
        quoted = self.quoted.get(name)
        if quoted is None:
            quoted = json_string(name)
            if len(self.quoted) < 1000:
                self.quoted[name] = quoted
        return quoted

    def write(
        self,
        request_id: str,
        method: str,
        path: str,
        status: str,
        seconds: float,
        route: str,
        cache: str | None,
    ) -> None:
        """`request_id` is REQUEST_ID-safe and `status` three digits; the rest is escaped."""
        line = (
            f'{{"time":"{self.timestamp(time.time())}","level":"info","logger":"api.access",'
            f'"request_id":"{request_id}","method":{self.quote(method)},'
            f'"path":{json_string(path)},"status":{status},"duration_ms":{seconds * 1000:.3f},'
            f'"route":{self.quote(route)},"cache":{self.FIXED.get(cache) or json_string(cache)}}}\n'
        )
        stream = self.stream or sys.stderr
        target, fd = self.target
        if target is not stream:
            fd = self.resolve(stream)
        if fd is None:
            stream.write(line)
            return
        pending = self.pending
        pending.append(line)
        if len(pending) >= self.BATCH or self.closing:
            self.flush()
        elif not self.watched:
            FLUSHER.watch(self)

    def flush(self) -> None:
        """Write the pending lines now (lines for a closed stream are dropped)."""
        pending = self.pending
        if not pending:
            return
        stream, fd = self.target
        with self.flush_lock:  # one batch at a time, so that lines keep their order
            lines = [pending.popleft() for _ in range(len(pending))]
            if fd is None or getattr(stream, "closed", False):
                return
            chunk, size = [], 0
            try:
                for line in lines:
                    if size + len(line) > self.CHUNK and chunk:
                        _write_all(fd, "".join(chunk).encode())
                        chunk, size = [], 0
                    chunk.append(line)
                    size += len(line)
                _write_all(fd, "".join(chunk).encode())
            except OSError:  # nowhere left to write them (a closed pipe, say)
                return

    def resolve(self, stream) -> int | None:
        """Write to `stream` from now on: its file descriptor (its buffer flushed first), or
        None if it has none. Lines pending for the previous one are written there first."""
        self.flush()
        try:
            fd = stream.fileno()
            stream.flush()
        except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation, closed
            fd = None
        self.target = (stream, fd)
        return fd


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


class Flusher:
    """The thread that writes the access logs' pending lines, one per process.

    Every INTERVAL seconds, and a last time when the main thread has ended (a server
    worker stopping: its requests are over); from then on, each line is written at once.
    Not a daemon thread, so the interpreter waits for that last write before it exits.
    """

    INTERVAL = 0.05

    def __init__(self):
        self.logs: weakref.WeakSet[AccessLog] = weakref.WeakSet()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        os.register_at_fork(after_in_child=self.after_fork)

    def watch(self, log: AccessLog) -> None:
        with self.lock:
            self.logs.add(log)
            log.watched = True
            if self.thread is None:
                # daemon=False said outright: a thread inherits it from the one starting it,
                # and a server's request threads (granian's) are daemon threads.
                self.thread = threading.Thread(
                    target=self.run, name="access-log-flusher", daemon=False
                )
                try:
                    self.thread.start()
                except RuntimeError:  # the interpreter is shutting down
                    self.thread = None
                    log.closing = True

    def after_fork(self) -> None:
        """A forked child has no flusher thread yet: the next line starts one."""
        self.lock = threading.Lock()
        self.thread = None
        for log in list(self.logs):
            log.watched = False

    def run(self) -> None:
        main = threading.main_thread()
        while main.is_alive():
            time.sleep(self.INTERVAL)
            for log in list(self.logs):
                log.flush()
        with self.lock:
            logs = list(self.logs)
            for log in logs:
                log.closing = True
        for log in logs:
            log.flush()


FLUSHER = Flusher()


class RequestMetrics:
    """Requests by route, method and status, their latency by route, and cache lookups.

    Counted in one plain row per (route, method, status, cache result) under one lock (about
    0.5 us, against 3 us for prometheus_client's labelled children); `collect` sums the rows
    into the three Prometheus families when /metrics is scraped.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[tuple, list] = {}  # key -> [count, seconds, per-bucket counts...]

    def observe(self, route: str, method: str, status: str, cache: str | None, seconds: float):
        if method not in METHODS:
            method = "other"
        key = (route, method, status, cache)
        bucket = 2 + bisect_left(BUCKETS, seconds)
        with self.lock:
            row = self.rows.get(key)
            if row is None:
                row = self.rows[key] = [0, 0.0] + [0] * (len(BUCKETS) + 1)
            row[0] += 1
            row[1] += seconds
            row[bucket] += 1

    def collect(self):
        with self.lock:
            rows = [(key, list(row)) for key, row in self.rows.items()]
        requests: dict[tuple, int] = {}
        latency: dict[str, list] = {}
        lookups: dict[str, int] = {}
        for (route, method, status, cache), row in rows:
            requests[route, method, status] = requests.get((route, method, status), 0) + row[0]
            summed = latency.setdefault(route, [0.0] + [0] * (len(BUCKETS) + 1))
            summed[0] += row[1]
            for i, count in enumerate(row[2:], 1):
                summed[i] += count
            if cache:
                lookups[cache] = lookups.get(cache, 0) + row[0]
        family = CounterMetricFamily(
            "wdw_http_requests", "Requests answered.", labels=["route", "method", "status"]
        )
        for labels, count in sorted(requests.items()):
            family.add_metric(labels, count)
        yield family
        family = HistogramMetricFamily(
            "wdw_http_request_duration_seconds", "Time to answer.", labels=["route"]
        )
        bounds = [floatToGoString(b) for b in BUCKETS] + ["+Inf"]
        for route, (seconds, *counts) in sorted(latency.items()):
            cumulative = list(itertools.accumulate(counts))
            family.add_metric([route], list(zip(bounds, cumulative, strict=True)), seconds)
        yield family
        family = CounterMetricFamily(
            "wdw_representation_cache_lookups", "Stored-answer lookups.", labels=["result"]
        )
        for result, count in sorted(lookups.items()):
            family.add_metric([result], count)
        yield family


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and any `extra` fields."""

    RESERVED = set(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in self.RESERVED})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def json_handler() -> logging.Handler:
    """A handler writing JSON lines (UTC times) to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.formatter.converter = time.gmtime
    return handler


def configure_logging(app: Flask) -> None:
    """The app's loggers ("api", "api.access", ...) write JSON lines to stderr.

    Done once per process (several apps share the "api" logger); records still propagate,
    so a handler set up on the root logger by a host (or pytest) sees them too.
    """
    logger = app.logger
    logger.removeHandler(default_handler)
    # The development server's own request lines would repeat ours, query strings included.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        logger.addHandler(json_handler())


class PoolCollector:
    """Database pool use, read when scraped."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        pool = self.app.extensions["database"]["engine"].pool
        checked_out = getattr(pool, "checkedout", lambda: 0)()
        size = getattr(pool, "size", lambda: 0)()
        yield GaugeMetricFamily("wdw_db_pool_checked_out", "Connections in use.", checked_out)
        yield GaugeMetricFamily("wdw_db_pool_size", "Connections the pool keeps.", size)
        cache = self.app.extensions.get("representation_cache")
        if cache is not None:
            yield GaugeMetricFamily(
                "wdw_representation_cache_bytes", "Bytes of stored answers.", cache.bytes
            )


class Observability:
    """WSGI middleware: request id, access log line, request metrics, and /metrics."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.flask = app
        self.wsgi_app = wsgi_app
        self.request_metrics = RequestMetrics()
        self.registry = CollectorRegistry()
        self.registry.register(self.request_metrics)
        self.registry.register(PoolCollector(app))
        self.access_log = AccessLog()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID")
        if given and REQUEST_ID.match(given):
            request_id = given
        else:
            request_id = environ["HTTP_X_REQUEST_ID"] = REQUEST_IDS.new()
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if path == METRICS_PATH and method == "GET":
            refusal = metrics_refusal(environ, self.flask.config["METRICS_TOKEN"])
            if refusal is not None:
                return refuse_metrics(start_response, *refusal)
            return self.metrics(start_response)
        answered = ["500"]

        def respond(status, headers, exc_info=None):
            code = status[:3]
            answered[0] = code if code.isdigit() else "500"
            return start_response(status, [*headers, ("X-Request-ID", request_id)], exc_info)

        body = self.wsgi_app(environ, respond)
        elapsed = time.perf_counter() - started
        status = answered[0]
        route = environ.get(ROUTE, "unmatched")
        cached = environ.get(CACHE_RESULT)
        self.request_metrics.observe(route, method, status, cached, elapsed)
        self.access_log.write(request_id, method, path, status, elapsed, route, cached)
        return body

    def metrics(self, start_response: Callable) -> Iterable[bytes]:
        body = generate_latest(self.registry)
        start_response(
            "200 OK",
            [
                ("Content-Type", CONTENT_TYPE_LATEST),
                ("Content-Length", str(len(body))),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]


PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def metrics_refusal(environ: dict, token: str) -> tuple[int, str, dict[str, str]] | None:
    """Who may read /metrics: None when this request may, else (status, detail, headers).

    With METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>`, from anywhere (how
    a Prometheus elsewhere scrapes each instance). Without it, only a peer on this host whose
    request no proxy relayed: a proxy on the same host is a loopback peer too, so a request
    carrying forwarding headers is refused. The peer is the socket's (this layer is outside
    ProxyFix).
    """
    if token:
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token):
            return None
        detail = "GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`."
        return 401, detail, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    try:
        peer = ipaddress.ip_address(environ.get("REMOTE_ADDR", ""))
    except ValueError:
        peer = None
    if peer is not None and getattr(peer, "ipv4_mapped", None):
        peer = peer.ipv4_mapped
    relayed = any(environ.get(name) for name in PROXY_HEADERS)
    if peer is not None and peer.is_loopback and not relayed:
        return None
    detail = (
        "GET /metrics answers only requests from this host that no proxy relayed; set "
        "METRICS_TOKEN to scrape it from elsewhere with `Authorization: Bearer <token>`."
    )
    return 403, detail, {}


def refuse_metrics(start_response: Callable, status: int, detail: str, headers: dict):
    body = json.dumps(
        {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": METRICS_PATH,
        }
    ).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", "application/problem+json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *headers.items(),
        ],
    )
    return [body]


def note_route() -> None:
    """Tell the outer layers which endpoint answers (None when no route matched)."""
    request.environ[ROUTE] = request.endpoint or "unmatched"


def install(app: Flask) -> Observability:
    configure_logging(app)
    # First of the before_request hooks, so that refused requests are named too.
    app.before_request_funcs.setdefault(None, []).insert(0, note_route)
    layer = Observability(app, app.wsgi_app)
    app.wsgi_app = layer
    app.extensions["observability"] = layer
    return layer
