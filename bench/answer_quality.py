"""Answer quality of /v1/answers on the evaluation set (bench/eval/questions.jsonl).

    .venv/bin/python bench/answer_quality.py [--split tune|report] [--semantic on|off|both]
        [--database URL] [--out FILE] [--questions PATH]

--questions names the set (default bench/eval/questions.jsonl; set B is
bench/eval/questions-b.jsonl).

For each ranking asked (words alone; words and meaning, SEMANTIC_SEARCH=1): a fresh database
(a SQLite file, or with --database a PostgreSQL URL, a new schema `bench_answers_<mode>` in
it), migrated and seeded, then every question of the split is sent once to GET /v1/answers
through the app in process, with `Cache-Control: no-cache` and stored representations off (a
cache miss: each question is new to the process, so its embedding is computed too). Scored by
the rules of bench/eval/README.md (`validate.matches` decides whether a citation is right):

- top1: share of `answer` and `ambiguous` questions whose first-ranked passage matches,
  whatever the status (GET /v1/passages?k=1 when the app has it, else the first FAQ hit);
- answered_right / answered_wrong: shares of the `answer` and `ambiguous` questions answered
  with an acceptable citation (or, for `ambiguous`, offered an acceptable option) / answered
  with another one;
- off_topic_abstention: share of `no_match` and `out_of_domain` questions not answered (an
  `ambiguous` status with options counts as an answer);
- status_agreement: share of all questions whose status is the expected one;
- wrong_overall: answers that are wrong or should not have been given, over all questions;
- server_errors: 5xx responses; latency_p50_ms / latency_p95_ms of /v1/answers;
- precision: share of the answers given (answered, or ambiguous with options) that are right;
- reliability: confidence bins -> count, mean confidence, share whose best passage is right.

Writes bench/results/answer-<split>-<database>.json, or answer-<set>-<split>-<database>.json
for a set other than the default (per-question rows only for the tune split: the
report half is read as aggregates only) and prints a table.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench" / "eval")]

from validate import QUESTIONS, load, matches  # noqa: E402

from api import create_app  # noqa: E402
from api.config import TestConfig  # noqa: E402
from api.extensions import db, make_engine  # noqa: E402
from api.migrate import upgrade  # noqa: E402
from api.services.seeding import seed  # noqa: E402

ANSWERABLE = ("answer", "ambiguous")
UNANSWERABLE = ("no_match", "out_of_domain")
NO_CACHE = {"Cache-Control": "no-cache"}


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)] if ordered else 0.0


def database_url(base: str | None, mode: str) -> str:
    """An empty database: a new SQLite file, or a new schema in the PostgreSQL database."""
    if not base:
        return f"sqlite:///{tempfile.mkdtemp()}/answers-{mode}.db"
    name = f"bench_answers_{mode}"
    engine = make_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{name}"


def seeded_app(url: str, semantic: bool):
    settings = {
        "DATABASE_URL": url,
        "REPRESENTATION_CACHE_BYTES": 0,
        "SEMANTIC_SEARCH": semantic,
        "LOG_LEVEL": "WARNING",
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, ROOT / "seed")
    access_log = getattr(app.wsgi_app, "access_log", None)
    if access_log is not None:  # a line per request on stderr would bury the table
        access_log.stream = open(os.devnull, "w")  # noqa: SIM115
    return app


def status_of(body: dict) -> str:
    """The answer's status (older answers had only `answered`)."""
    return body.get("status") or ("answered" if body.get("answered") else "unanswered")


def reduce(url: str, field: str | None) -> str:
    """A passage's URL with its field as the fragment (#stages-2 cites field `stages`)."""
    return f"{url.partition('#')[0]}#{field}" if field else url


def cited(body: dict) -> str | None:
    """The URL the answer cites: its passage's, else its entry's."""
    passage, answer = body.get("passage"), body.get("answer")
    if passage:
        return reduce(passage["url"], passage.get("field"))
    return answer.get("url") if answer else None


def first_ranked(client, question: str) -> str | None:
    """The first-ranked passage's citation (or the first FAQ hit before passages existed)."""
    response = client.get("/v1/passages", query_string={"q": question, "k": 1}, headers=NO_CACHE)
    if response.status_code == 200:
        items = response.json.get("passages") or response.json.get("results") or []
        return reduce(items[0]["url"], items[0].get("field")) if items else None
    response = client.get("/v1/search", query_string={"q": question[:256], "type": "faq"})
    hits = response.json.get("hits") or []
    return hits[0]["url"] if hits else None


def judge(question: dict, body: dict) -> dict:
    """One question's outcome: given (an answer was given), right, wrong."""
    status = status_of(body)
    url = cited(body) if status == "answered" else None
    options = [
        reduce(o["url"], o.get("field")) for o in body.get("options") or [] if status == "ambiguous"
    ]
    given = status == "answered" or bool(options)
    expect, acceptable = question["expect"], question["acceptable"]
    if expect in UNANSWERABLE:
        return {"status": status, "given": given, "right": not given, "wrong": given}
    right = bool(url and matches(url, acceptable))
    if expect == "ambiguous" and not url:
        right = any(matches(u, acceptable) for u in options)
    wrong = status == "answered" and not right
    if expect == "ambiguous" and status == "ambiguous" and not right:
        wrong = given
    return {"status": status, "given": given, "right": right, "wrong": wrong, "cited": url}


def evaluate(client, questions: list[dict], per_question: bool = False, top1: bool = True) -> dict:
    """Every figure of the module docstring for these questions through this client."""
    rows, timings, errors = [], [], 0
    for q in questions:
        started = time.perf_counter()
        response = client.get("/v1/answers", query_string={"q": q["question"]}, headers=NO_CACHE)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            errors += 1
            rows.append({"status": "error", "given": False, "right": False, "wrong": False})
            continue
        body = response.json
        row = judge(q, body)
        row["confidence"] = body.get("confidence")
        if top1 and q["expect"] in ANSWERABLE:
            first = first_ranked(client, q["question"])
            row["top1"] = bool(first and matches(first, q["acceptable"]))
        rows.append(row)
    answerable = [r for q, r in zip(questions, rows, strict=True) if q["expect"] in ANSWERABLE]
    others = [r for q, r in zip(questions, rows, strict=True) if q["expect"] in UNANSWERABLE]
    expected = {"answer": "answered"}

    def share(items, key) -> float:
        return round(sum(bool(r.get(key)) for r in items) / len(items), 4) if items else 0.0

    result = {
        "questions": len(questions),
        "answerable": len(answerable),
        "unanswerable": len(others),
        "top1": share(answerable, "top1"),
        "answered_right": share(answerable, "right"),
        "answered_wrong": share(answerable, "wrong"),
        "off_topic_abstention": share(others, "right"),
        "status_agreement": round(
            sum(
                r["status"] == expected.get(q["expect"], q["expect"])
                for q, r in zip(questions, rows, strict=True)
            )
            / len(questions),
            4,
        ),
        "wrong_overall": share(rows, "wrong"),
        "server_errors": errors,
        "latency_p50_ms": round(percentile(timings, 0.5), 2),
        "latency_p95_ms": round(percentile(timings, 0.95), 2),
    }
    if top1:
        result["reliability"] = reliability(questions, rows)
    given = [r for r in rows if r["given"]]
    result["precision"] = share(given, "right")
    result["answered_share"] = round(len(given) / len(rows), 4) if rows else 0.0
    if per_question:
        result["per_question"] = [
            {"id": q["id"], "kind": q["kind"], "expect": q["expect"], "question": q["question"]} | r
            for q, r in zip(questions, rows, strict=True)
        ]
    return result


def reliability(questions: list[dict], rows: list[dict]) -> list[dict]:
    """Confidence bins of width 0.2 -> how many questions, their mean confidence, and the
    share whose best passage is right (0 for the questions that have no right answer)."""
    table = []
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [
            (r["confidence"], bool(r.get("top1")))
            for q, r in zip(questions, rows, strict=True)
            if r.get("confidence") is not None
            and low <= r["confidence"] < low + 0.2 + (low == 0.8) * 0.001
        ]
        if inside:
            table.append(
                {
                    "bin": f"{low:.1f}-{low + 0.2:.1f}",
                    "count": len(inside),
                    "mean_confidence": round(sum(c for c, _ in inside) / len(inside), 3),
                    "share_right": round(sum(r for _, r in inside) / len(inside), 3),
                }
            )
    return table


def results_path(questions: Path, split: str, database: str) -> Path:
    """Where a run's figures go: another set's to their own file, not over the default set's
    (bench/answer_gate.py reads the report runs from here)."""
    named = "" if questions.resolve() == QUESTIONS else f"{questions.stem}-"
    return ROOT / "bench" / "results" / f"answer-{named}{split}-{database}.json"


def measure(mode: str, split: str, base: str | None, path: Path = QUESTIONS) -> dict:
    semantic = mode == "semantic"
    app = seeded_app(database_url(base, mode), semantic)
    client = app.test_client()
    client.get("/v1/answers", query_string={"q": "warm up the process"}, headers=NO_CACHE)
    questions = [q for q in load(path) if q["split"] == split]
    result = evaluate(client, questions, per_question=split == "tune")
    database = "postgresql" if base else "sqlite"
    return {"database": database, "ranking": mode, "split": split} | result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "report"), default="tune")
    parser.add_argument("--semantic", choices=("on", "off", "both"), default="both")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--questions", type=Path, default=QUESTIONS, help="the question set")
    args = parser.parse_args()
    modes = {"on": ["semantic"], "off": ["words"], "both": ["words", "semantic"]}[args.semantic]
    load_average = os.getloadavg()[0]
    runs = [measure(mode, args.split, args.database, args.questions) for mode in modes]
    database = "postgresql" if args.database else "sqlite"
    out = args.out or results_path(args.questions, args.split, database)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"load_average_at_start": round(load_average, 2), "runs": runs}
    out.write_text(json.dumps(report, indent=2) + "\n")
    keys = [
        "top1",
        "answered_right",
        "answered_wrong",
        "off_topic_abstention",
        "status_agreement",
        "wrong_overall",
    ]
    print(f"| database | ranking | split | {' | '.join(keys)} | 5xx | p50 | p95 |")
    print("|---" * (len(keys) + 6) + "|")
    for r in runs:
        figures = " | ".join(f"{r[k]:.1%}" for k in keys)
        print(
            f"| {r['database']} | {r['ranking']} | {r['split']} | {figures} | "
            f"{r['server_errors']} | {r['latency_p50_ms']} ms | {r['latency_p95_ms']} ms |"
        )
    print(f"load average at start: {load_average:.1f}; written to {out}")


if __name__ == "__main__":
    main()
