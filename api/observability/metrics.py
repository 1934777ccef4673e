"""Prometheus metrics: requests counted per route, answers by status, and GET /metrics for the
operators only.

Metrics are per process; route labels are endpoint names and unknown methods count as
"other", so the number of series stays small.
"""

import hmac
import ipaddress
import itertools
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable
from http import HTTPStatus

from flask import Flask
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.utils import floatToGoString

from ..encoding import encode
from .feedback_metrics import FeedbackCollector

METRICS_PATH = "/metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")
KNOWN_KEYS = 10_000  # (route, method, status, cache) keys remembered with their row


class RequestMetrics:
    """Requests by route, method and status, their latency by route, and cache lookups.

    Counted in one plain row per (route, method, status, cache result), a batch of requests
    at a time (cheaper than prometheus_client's labelled children, about 3 us a request);
    `collect` sums the rows into the three Prometheus families when /metrics is scraped.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[tuple, list] = {}  # key -> [count, seconds, per-bucket counts...]
        # The row of each key as requests give it (an unknown method counts as "other"): one
        # lookup a request. Unknown methods are the client's choice: only so many are kept.
        self.given: dict[tuple, list] = {}

    def observe(self, records: list[tuple]) -> None:
        """Count answers: records (started, request id, path, seconds, key), the key being
        (route, method, status, cache result)."""
        with self.lock:
            given = self.given
            for _, _, _, seconds, key in records:
                row = given.get(key) or self.row(key)
                row[0] += 1
                row[1] += seconds
                row[2 + bisect_left(BUCKETS, seconds)] += 1

    def row(self, key: tuple) -> list:
        """The row that counts `key` (with the lock held)."""
        counted = key if key[1] in METHODS else (key[0], "other", key[2], key[3])
        row = self.rows.get(counted)
        if row is None:
            row = self.rows[counted] = [0, 0.0] + [0] * (len(BUCKETS) + 1)
        if len(self.given) < KNOWN_KEYS:
            self.given[key] = row
        return row

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


class PoolCollector:
    """Database pool use and the stored answers' memory, read when scraped."""

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


class AnswerCollector:
    """Answers by status (stored ones too) and the query log's lost notes, read when scraped.

    api/services/query_log.py counts them as questions are noted; per process, like the rest.
    """

    STATUSES = ("answered", "ambiguous", "no_match", "out_of_domain")

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        recorder = self.app.extensions.get("query_log")  # made by the first question
        answers, dropped = {}, 0
        if recorder is not None:
            with recorder.counting:
                answers = dict(recorder.answers)
            dropped = recorder.dropped
        family = CounterMetricFamily(
            "wdw_answers", "Questions answered by /v1/answers, by status.", labels=["status"]
        )
        for status in sorted({*self.STATUSES, *answers}):
            family.add_metric([status], answers.get(status, 0))
        yield family
        yield CounterMetricFamily(
            "wdw_query_log_dropped",
            "Questions the query log could not keep (buffer full, or database unavailable).",
            dropped,
        )


class MetricsEndpoint:
    """GET /metrics: the registry in Prometheus' text format, for those who may read it."""

    def __init__(self, app: Flask, request_metrics: RequestMetrics, flush: Callable[[], None]):
        self.config = app.config
        self.flush = flush  # counts what requests left pending, before each scrape
        self.registry = CollectorRegistry()
        self.registry.register(request_metrics)
        self.registry.register(PoolCollector(app))
        self.registry.register(FeedbackCollector(app))
        self.registry.register(AnswerCollector(app))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        refusal = metrics_refusal(environ, self.config["METRICS_TOKEN"])
        if refusal is not None:
            return refuse(start_response, *refusal)
        self.flush()
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


def refuse(start_response: Callable, status: int, detail: str, headers: dict):
    body = encode(
        {
            "type": "about:blank",
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": METRICS_PATH,
        }
    )
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
