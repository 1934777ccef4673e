"""Retrieval top-1 of /v1/passages' ranking on the evaluation set, words-only and by meaning.

    .venv/bin/python bench/passages_quality.py --split tune [--show]   # while tuning
    .venv/bin/python bench/passages_quality.py --split report          # aggregates only

A fresh SQLite database is migrated and seeded with SEMANTIC_SEARCH on (so passages have
vectors), then every `answer` and `ambiguous` question of the split is ranked by retrieve()
(api/services/retrieval.py) in both modes. Top-1: the share whose first passage cites an
acceptable URL (bench/eval/validate.py `matches`, the passage reduced to its field: #stages-2
is cited as #stages); top-5: whose first five passages include one. `--show` lists the tune
half's misses; the report half is never listed (bench/eval/README.md).
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench" / "eval"))

from validate import load, matches  # noqa: E402

from api import create_app  # noqa: E402
from api.config import TestConfig  # noqa: E402
from api.extensions import db  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from api.services.retrieval import retrieve  # noqa: E402
from api.services.seeding import seed  # noqa: E402


def cited(found) -> str:
    p = found.passage
    return f"/v1/{p.collection}/{p.slug}#{p.field}"


def app_for(url: str, semantic: bool):
    return create_app(
        type("Run", (TestConfig,), {"DATABASE_URL": url, "SEMANTIC_SEARCH": semantic})
    )


def evaluate(app, questions, semantic: bool, show: bool) -> dict:
    top1 = top5 = 0
    timings = []
    with app.test_request_context():
        for q in questions:
            started = time.perf_counter()
            found = retrieve(db.session, q["question"], k=5, semantic=semantic)
            timings.append(time.perf_counter() - started)
            urls = [cited(f) for f in found]
            first = bool(urls) and matches(urls[0], q["acceptable"])
            top1 += first
            top5 += any(matches(u, q["acceptable"]) for u in urls)
            if show and not first:
                print(f"  {q['id']} {q['kind']:<11} {q['question'][:70]!r}")
                print(f"      got {urls[:3]}")
                print(f"      want {q['acceptable'][:4]}")
            db.session.rollback()
    n = len(questions)
    timings.sort()
    return {
        "questions": n,
        "top1": round(top1 / n, 4),
        "top5": round(top5 / n, 4),
        "p50_ms": round(1000 * timings[n // 2], 2),
        "p95_ms": round(1000 * timings[int(n * 0.95)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("tune", "report"), required=True)
    parser.add_argument("--show", action="store_true", help="list the tune half's misses")
    parser.add_argument("--database", help="an already seeded database (with vectors)")
    parser.add_argument("--modes", nargs="+", default=["words", "semantic"])
    args = parser.parse_args()
    show = args.show and args.split == "tune"
    questions = [
        q for q in load() if q["split"] == args.split and q["expect"] in ("answer", "ambiguous")
    ]
    url = args.database
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/quality.db"
        app = app_for(url, True)
        with app.app_context():
            upgrade(db.engine)
            seed(db.session, ROOT / "seed")
    results = {}
    for mode in args.modes:
        semantic = mode == "semantic"
        results[mode] = evaluate(app_for(url, semantic), questions, semantic, show)
        print(mode, json.dumps(results[mode]))
    print(json.dumps({"split": args.split, "database": url, **results}))


if __name__ == "__main__":
    main()
