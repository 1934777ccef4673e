"""Search quality with and without semantic re-ranking, on SQLite and PostgreSQL.

    .venv/bin/python bench/search_quality.py [--databases sqlite postgresql] [--postgresql URL]

Needs the extra (`pip install -e '.[dev,semantic]'`). For each database and each ranking
(words alone, the default; words and meaning, SEMANTIC_SEARCH=1): a fresh database (a SQLite
file, or a new schema in the PostgreSQL database), migrated and seeded, then, through the
app in process (stored representations off):

- ranking: each question of a set is asked with GET /v1/search?type=faq; top-1 is the share
  whose expected FAQ comes first, MRR the mean of 1/rank (0 when not found). Two sets:
  "seen", the 44 questions of tests/search_questions.json, which word search was tuned on,
  and "unseen", the 37 of bench/search_questions_unseen.json, written afterwards and used
  for nothing else.
- answers: GET /v1/answers for the same questions: the shares answered with the expected FAQ
  and with another one, and how many OFF_TOPIC questions were answered (none should be).
- latency: the p50/p95 of GET /v1/search per ranking, and of the question's embedding alone
  (the one model call a request makes), on one CPU thread.

Prints tables and writes bench/results/search_quality.json. The machine is shared: the load
average at the start is recorded with the figures.
"""

import argparse
import json
import os
import time
from pathlib import Path

from common import empty_database, percentile

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.migrate import upgrade
from api.services import embeddings_store, encoder, semantic
from api.services.analysis import analyze, load_glossary
from api.services.seeding import seed

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "seen": json.loads((ROOT / "tests" / "search_questions.json").read_text()),
    "unseen": json.loads((ROOT / "bench" / "search_questions_unseen.json").read_text()),
}
OFF_TOPIC = [
    "best pizza in naples",
    "qwxzv plmokn",
    "the of and",
    "how to bake bread",
    "weather tomorrow in paris",
    "who won the football world cup",
    "cheap flights to lisbon",
    "how tall is mount everest",
]
RANKINGS = {"words": False, "semantic": True}


def ranking_quality(client, questions) -> dict:
    ranks = []
    for question, slug in questions:
        response = client.get("/v1/search", query_string={"q": question, "type": "faq"})
        slugs = [hit["slug"] for hit in response.json["hits"]]
        ranks.append(slugs.index(slug) + 1 if slug in slugs else None)
    return {
        "questions": len(questions),
        "top1": round(sum(rank == 1 for rank in ranks) / len(ranks), 4),
        "mrr": round(sum(1 / rank for rank in ranks if rank) / len(ranks), 4),
        "misses": [q for (q, _), rank in zip(questions, ranks, strict=True) if rank != 1],
    }


def answer_quality(client, questions) -> dict:
    right = wrong = 0
    for question, slug in questions:
        body = client.get("/v1/answers", query_string={"q": question}).json
        right += bool(body["answered"] and body["answer"]["slug"] == slug)
        wrong += bool(body["answered"] and body["answer"]["slug"] != slug)
    off_topic = [
        q for q in OFF_TOPIC if client.get("/v1/answers", query_string={"q": q}).json["answered"]
    ]
    return {
        "answered_right": round(right / len(questions), 4),
        "answered_wrong": round(wrong / len(questions), 4),
        "off_topic_answered": off_topic,
    }


def search_latency(client, repeats: int) -> dict:
    questions = [q for q, _ in SETS["seen"] + SETS["unseen"]]
    timings = []
    for _ in range(repeats):
        for question in questions:
            started = time.perf_counter()
            client.get("/v1/search", query_string={"q": question})
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "search_p50_ms": round(percentile(timings, 0.5), 2),
        "search_p95_ms": round(percentile(timings, 0.95), 2),
    }


def embedding_latency(app, repeats: int) -> dict:
    glossary = load_glossary(f"{app.config['SEED_DIR']}/glossary.json")
    search = semantic.semantic_search(app)
    timings = []
    with app.app_context():
        analyses = [(q, analyze(db.session, q, glossary)) for q, _ in SETS["seen"] + SETS["unseen"]]
    for _ in range(repeats):
        for question, analysis in analyses:
            started = time.perf_counter()
            search.embed_question(question, analysis)
            timings.append((time.perf_counter() - started) * 1000)
    return {
        "embedding_p50_ms": round(percentile(timings, 0.5), 2),
        "embedding_p95_ms": round(percentile(timings, 0.95), 2),
        "embedding_threads": encoder.THREADS,
    }


def measure(kind: str, ranking: str, postgresql: str, repeats: int) -> dict:
    url = empty_database(kind, f"bench_quality_{ranking}", postgresql)
    settings = {
        "DATABASE_URL": url,
        "REPRESENTATION_CACHE_BYTES": 0,
        "SEMANTIC_SEARCH": RANKINGS[ranking],
        "LOG_LEVEL": "WARNING",
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    if RANKINGS[ranking]:
        encoder.ENCODER.embed(["warm up: load the model before timing the seed"])
    with app.app_context():
        upgrade(db.engine)
        started = time.perf_counter()
        seed(db.session, ROOT / "seed")
        seed_seconds = time.perf_counter() - started
        vectors = embeddings_store.vector_count(db.session)
    client = app.test_client()
    result = {"database": kind, "ranking": ranking, "seed_seconds": round(seed_seconds, 1)}
    result["vectors"] = vectors
    for name, questions in SETS.items():
        result[name] = ranking_quality(client, questions) | answer_quality(client, questions)
    result |= search_latency(client, repeats)
    if RANKINGS[ranking]:
        result |= embedding_latency(app, repeats)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgresql", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "search_quality.json"
    )
    args = parser.parse_args()
    if semantic.missing_extra():
        raise SystemExit("bench/search_quality.py needs the extra: pip install -e '.[semantic]'")
    load = os.getloadavg()[0]
    results = []
    for kind in args.databases:
        for ranking in RANKINGS:
            result = measure(kind, ranking, args.postgresql, args.repeats)
            print(json.dumps(result), flush=True)
            results.append(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"load_average_at_start": round(load, 2), "cpus": os.cpu_count(), "runs": results}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nload average at start: {load:.1f} on {os.cpu_count()} CPUs\n")
    print(
        "| database | ranking | questions | top-1 | MRR | answered right | answered wrong "
        "| off-topic answered |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        for name in SETS:
            q = r[name]
            print(
                f"| {r['database']} | {r['ranking']} | {name} ({q['questions']}) | "
                f"{q['top1']:.1%} | {q['mrr']:.3f} | {q['answered_right']:.1%} | "
                f"{q['answered_wrong']:.1%} | {len(q['off_topic_answered'])}/{len(OFF_TOPIC)} |"
            )
    print("\n| database | ranking | seed | search p50 | search p95 | embedding p50 | p95 |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        embedding = (
            f"{r['embedding_p50_ms']} ms | {r['embedding_p95_ms']} ms"
            if "embedding_p50_ms" in r
            else "- | -"
        )
        print(
            f"| {r['database']} | {r['ranking']} | {r['seed_seconds']} s | "
            f"{r['search_p50_ms']} ms | {r['search_p95_ms']} ms | {embedding} |"
        )


if __name__ == "__main__":
    main()
