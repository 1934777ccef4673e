"""What the search benches share: an empty database to load, and percentiles."""

import statistics
import tempfile
import time

from sqlalchemy import text

from api.extensions import make_engine


def empty_database(kind: str, name: str, postgresql: str) -> str:
    """The URL of an empty database: a new SQLite file, or the schema `name` made anew in
    the PostgreSQL database `postgresql`."""
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/{name}.db"
    engine = make_engine(postgresql)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    return f"{postgresql}?options=-csearch_path%3D{name}"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def timed_reads(client, path: str, params: list[dict], repeats: int) -> dict:
    """GET `path` with each of `params`, `repeats` times over; every request must answer 200.

    p50/p95 of every request, and of each question's best time ("best_": the same figures with
    the machine's noise taken out, as far as one can)."""
    timings: list[list[float]] = [[] for _ in params]
    for _ in range(repeats):
        for i, query_string in enumerate(params):
            started = time.perf_counter()
            response = client.get(path, query_string=query_string)
            timings[i].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.json
    every = sorted(t for question in timings for t in question)
    best = sorted(min(question) for question in timings)
    return {
        "queries": len(every),
        "p50_ms": round(statistics.median(every), 2),
        "p95_ms": round(percentile(every, 0.95), 2),
        "best_p50_ms": round(statistics.median(best), 2),
        "best_p95_ms": round(percentile(best, 0.95), 2),
    }
