"""GET /v1/passages latency at the seeded size and with 10,000 more entries, both databases,
words-only and by meaning.

    .venv/bin/python bench/passages_latency.py [--sizes 0 10000] [--databases sqlite postgresql]
        [--postgresql postgresql://postgres@127.0.0.1:5432/test_a] [--repeats 3]

Each database is migrated and seeded with SEMANTIC_SEARCH on (the seed's passages get their
vectors). For a size above 0, that many generated entries are added in bulk as
bench/search_latency.py makes them (search documents of the seed's words and made-up ones), and
three passages for each (30,000 for 10,000 entries), each with a random unit vector; then, on
PostgreSQL, VACUUM ANALYZE. The questions are the `tune` half of bench/eval/questions.jsonl
(their text only: nothing is scored here). Stored representations are off, so every request
is a cache miss: analysis, full-text query, matrix product, fusion, JSON.

Per database, size and mode: p50/p95 over every timing ("warm": each question asked once
before, so its vector comes from the question cache, as for a repeated question) and over the
first asking of each question with meaning ("cold": the question is embedded in the request,
one model call). `index_load_ms`: reading every passage and vector into memory, which happens
once per content change in each process. Writes bench/results/passages-latency.json (or --out).
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from common import empty_database, percentile, timed_reads
from search_latency import generate
from sqlalchemy import func, insert, select, text

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.migrate import upgrade
from api.models import Passage
from api.services import passage_index
from api.services.seeding import seed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "eval"))
from validate import load  # noqa: E402

QUESTIONS = [q["question"] for q in load() if q["split"] == "tune"]
ANCHORS = ("summary", "roles", "body-1")


def add_passages(session, rng: random.Random) -> int:
    """Three passages for each generated entry, with random unit vectors."""
    import numpy as np

    documents = session.execute(
        text("SELECT collection, slug, title, body, roles FROM search_documents "
             "WHERE slug LIKE 'generated-%'")
    ).all()  # fmt: skip
    vectors = (
        np.random.default_rng(rng.randrange(2**32))
        .standard_normal((len(documents) * len(ANCHORS), 384))
        .astype(np.float32)
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    batch, n = [], 0
    for document in documents:
        words = document.body.split()
        third = max(1, len(words) // 3)
        for position, anchor in enumerate(ANCHORS):
            part = " ".join(words[position * third : (position + 1) * third])
            batch.append(
                {
                    "collection": document.collection, "slug": document.slug,
                    "anchor": anchor, "field": anchor.split("-")[0], "position": position,
                    "title": document.title, "text": part, "search_text": part,
                    "roles": document.roles, "version": 1, "etag": '"bench"',
                    "sources": [], "details": {"entry_title": document.title, "roles": []},
                    "embedding": vectors[n].astype("<f4").tobytes(), "embedding_digest": "x",
                }
            )  # fmt: skip
            n += 1
        if len(batch) >= 3000:
            session.execute(insert(Passage), batch)
            batch = []
    if batch:
        session.execute(insert(Passage), batch)
    session.commit()
    return n


def prepare(kind: str, size: int, postgresql: str) -> str:
    url = empty_database(kind, f"bench_passages_{size}", postgresql)
    settings = {"DATABASE_URL": url, "SEMANTIC_SEARCH": True}
    app = create_app(type("BenchSetup", (TestConfig,), settings))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, ROOT / "seed")
        if size:
            generate(db.session, size, random.Random(size))
            add_passages(db.session, random.Random(size))
        if kind == "postgresql":
            db.session.commit()
            with db.engine.connect() as connection:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text("VACUUM ANALYZE search_documents"))
                connection.execute(text("VACUUM ANALYZE passages"))
    return url


def measure(url: str, kind: str, size: int, semantic: bool, repeats: int) -> dict:
    settings = {"DATABASE_URL": url, "REPRESENTATION_CACHE_BYTES": 0, "SEMANTIC_SEARCH": semantic}
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    app.extensions["observability"].access_log.stream = open(os.devnull, "w")  # noqa: SIM115
    client = app.test_client()
    with app.app_context():
        passages = db.session.scalar(select(func.count()).select_from(Passage))
        passage_index._INDEXES.clear()
        started = time.perf_counter()
        passage_index.index(db.session)
        index_load_ms = (time.perf_counter() - started) * 1000
    cold = []
    for question in QUESTIONS:  # first asking: the question is embedded (with meaning)
        started = time.perf_counter()
        response = client.get("/v1/passages", query_string={"q": question, "k": 5})
        cold.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.json
    asked = [{"q": question, "k": 5} for question in QUESTIONS]
    return {
        "database": kind,
        "entries": size,
        "passages": passages,
        "mode": "meaning" if semantic else "words",
        **timed_reads(client, "/v1/passages", asked, repeats),
        "cold_p50_ms": round(statistics.median(cold), 2),
        "cold_p95_ms": round(percentile(cold, 0.95), 2),
        "index_load_ms": round(index_load_ms, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/passages-latency.json")
    args = parser.parse_args()
    results = []
    for kind in args.databases:
        for size in args.sizes:
            url = prepare(kind, size, args.postgresql)
            for semantic in (False, True):
                result = measure(url, kind, size, semantic, args.repeats)
                print(json.dumps(result), flush=True)
                results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print("| database | entries | mode | p50 | p95 | best-of p95 | cold p95 | index load |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['database']} | {r['entries']:,} | {r['mode']} | {r['p50_ms']} ms "
            f"| {r['p95_ms']} ms | {r['best_p95_ms']} ms | {r['cold_p95_ms']} ms "
            f"| {r['index_load_ms']} ms |"
        )


if __name__ == "__main__":
    main()
