"""Search latency with 10,000 and 100,000 generated entries, on SQLite and PostgreSQL.

    .venv/bin/python bench/search_latency.py [--sizes 10000 100000] [--databases sqlite]

Each run: a fresh database (a SQLite file, or a new schema in the PostgreSQL database),
migrated and seeded, then N generated search documents made of the seed's own words plus
made-up ones (so typo correction has a large vocabulary to search), added in bulk (then, on
PostgreSQL, VACUUM ANALYZE, as autovacuum would do after such a load). Then every
question of tests/search_questions.json, with and without a typo, is asked through the app
(GET /v1/search in process: analysis, typo correction, ranking, snippets, JSON; stored
representations off, so that every question is searched anew) and timed. Prints p50/p95
per database and size, and writes bench/results/search-latency.json (or --out).

p50/p95 are over every timing. On a shared machine they move with the other load, so each
result also has best_p50_ms/best_p95_ms: the same percentiles over each question's fastest
of its --repeats timings, closer to what the search itself costs.
"""

import argparse
import json
import os
import random
import time
from pathlib import Path

from common import empty_database, timed_reads
from sqlalchemy import insert, select, text

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.migrate import upgrade
from api.models import SearchDocument, SearchTerm
from api.services.analysis import WORD
from api.services.seeding import seed

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [q for q, _ in json.loads((ROOT / "tests/search_questions.json").read_text())]
COLLECTIONS = ["faqs", "tools", "topics", "responsibilities"]
ROLES = ["developer", "devops-engineer", "site-reliability-engineer", "platform-engineer"]


def misspell(question: str, rng: random.Random) -> str:
    words = question.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    word = words[i]
    if len(word) > 4:
        j = rng.randrange(1, len(word) - 2)
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def generate(session, size: int, rng: random.Random) -> None:
    """Add `size` documents of 40 to 120 words, in batches."""
    vocabulary = sorted(
        {w for (body,) in session.execute(select(SearchDocument.body)) for w in WORD.findall(body)}
    )
    made_up = [f"{rng.choice(vocabulary)[:5]}{n}" for n in range(size // 5)]
    words = vocabulary + made_up
    batch = []
    for n in range(size):
        body = " ".join(rng.choices(words, k=rng.randint(40, 120)))
        title = " ".join(rng.choices(vocabulary, k=rng.randint(3, 8))).capitalize()
        batch.append(
            {
                "collection": rng.choice(COLLECTIONS),
                "slug": f"generated-{n}",
                "title": title,
                "body": body,
                "roles": f" {rng.choice(ROLES)} ",
            }
        )
        if len(batch) == 5000:
            session.execute(insert(SearchDocument), batch)
            batch = []
    if batch:
        session.execute(insert(SearchDocument), batch)
    known = set(session.scalars(select(SearchTerm.term)))
    new_terms = [{"term": w} for w in sorted(set(made_up) - known) if 3 <= len(w) <= 60]
    session.execute(insert(SearchTerm), new_terms)
    session.commit()


def measure(kind: str, size: int, postgresql: str, repeats: int) -> dict:
    rng = random.Random(size)
    url = empty_database(kind, f"bench_search_{size}", postgresql)
    # Stored representations off: repeated questions would be answered from memory, and
    # this measures the search itself.
    settings = {"DATABASE_URL": url, "REPRESENTATION_CACHE_BYTES": 0}
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, ROOT / "seed")
        started = time.perf_counter()
        generate(db.session, size, rng)
        load_seconds = time.perf_counter() - started
        if kind == "postgresql":
            # As autovacuum would soon after a bulk load: statistics, and the GIN index's
            # pending list merged (until then every search reads that list through).
            db.session.commit()
            with db.engine.connect() as connection:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(text("VACUUM ANALYZE search_documents"))
    queries = QUESTIONS + [misspell(q, rng) for q in QUESTIONS]
    # One access log line per request would bury the figures; the timing is the same.
    app.extensions["observability"].access_log.stream = open(os.devnull, "w")  # noqa: SIM115
    client = app.test_client()
    for query in queries:  # warm caches
        client.get("/v1/search", query_string={"q": query})
    return {
        "database": kind,
        "entries": size,
        **timed_reads(client, "/v1/search", [{"q": query} for query in queries], repeats),
        "load_seconds": round(load_seconds, 1),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "search-latency.json"
    )
    args = parser.parse_args()
    results = []
    for kind in args.databases:
        for size in args.sizes:
            result = measure(kind, size, args.postgresql, args.repeats)
            print(json.dumps(result), flush=True)
            results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print("| database | entries | p50 | p95 | best-of p50 | best-of p95 | load average |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['database']} | {r['entries']:,} | {r['p50_ms']} ms | {r['p95_ms']} ms "
            f"| {r['best_p50_ms']} ms | {r['best_p95_ms']} ms | {r['load_average']} |"
        )


if __name__ == "__main__":
    main()
