"""Writes the answer quality gate (bench/results/answer-gate.json) from the report runs.

    .venv/bin/python bench/answer_gate.py

Reads what bench/answer_quality.py --split report --semantic both wrote for each set and
database (answer-report-{sqlite,postgresql}.json for set A, answer-questions-b-report-*.json for
set B, and so on for every set of bench/eval/validate.py) and keeps, per set and ranking, the lower
right share, the higher wrong share and the lower abstention of the two databases.
tests/test_answer_quality.py fails below those minus MARGIN. Only aggregate figures are read.
"""

import json
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH / "eval")]

from answer_quality import results_path  # noqa: E402
from validate import SETS  # noqa: E402

RESULTS = BENCH / "results"
DATABASES = ("sqlite", "postgresql")
MARGIN = 0.04  # the runs differ by a question or two between databases and versions


def floors(questions: Path) -> dict[str, dict[str, float]]:
    runs = [
        run
        for database in DATABASES
        for run in json.loads(results_path(questions, "report", database).read_text())["runs"]
    ]
    found = {}
    for ranking in ("words", "semantic"):
        mine = [run for run in runs if run["ranking"] == ranking]
        assert len(mine) == len(DATABASES), f"{questions.name}: {ranking} not on both databases"
        found[ranking] = {
            "answered_right": min(run["answered_right"] for run in mine),
            "answered_wrong": max(run["answered_wrong"] for run in mine),
            "off_topic_abstention": min(run["off_topic_abstention"] for run in mine),
        }
    return found


def main() -> None:
    gate = {
        "split": "report",
        "margin": MARGIN,
        "source": (
            "bench/answer_gate.py on " + time.strftime("%Y-%m-%d") + ", from bench/answer_quality"
            ".py --split report --semantic both [--questions bench/eval/questions-{b,c,d,e}.jsonl]"
            " on "
            "SQLite and PostgreSQL: per set and ranking, the lower right share, the higher "
            "wrong share and the lower abstention of the two databases"
        ),
        "sets": {path.name: floors(path) for path in SETS},
    }
    (RESULTS / "answer-gate.json").write_text(json.dumps(gate, indent=2) + "\n")
    print(json.dumps(gate["sets"], indent=1))


if __name__ == "__main__":
    main()
