"""The answer quality gate (issue 12, section 5): the report halves of the evaluation sets
(bench/eval/questions.jsonl, set A, and questions-b.jsonl to questions-e.jsonl, sets B to E)
through /v1/answers, on the suite's database, in the suite's ranking and with words alone.

Fails below the figures bench/answer_quality.py reached on each report half (written to
bench/results/answer-gate.json by bench/answer_gate.py, with the runs they came from) minus
GATE_MARGIN. Only aggregate figures are shown: a report half is never read question by question.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from api import create_app
from api.config import TestConfig

ROOT = Path(__file__).resolve().parent.parent
GATE = json.loads((ROOT / "bench" / "results" / "answer-gate.json").read_text())
GATE_MARGIN = GATE["margin"]


def bench_module():
    sys.path.insert(0, str(ROOT / "bench" / "eval"))
    spec = importlib.util.spec_from_file_location(
        "answer_quality", ROOT / "bench" / "answer_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(client, mode: str, name: str) -> None:
    bench = bench_module()
    questions = [q for q in bench.load(ROOT / "bench" / "eval" / name) if q["split"] == "report"]
    figures = bench.evaluate(client, questions, top1=False)
    floor = GATE["sets"][name][mode]
    shown = {k: figures[k] for k in ("answered_right", "answered_wrong", "off_topic_abstention")}
    assert figures["server_errors"] == 0, shown
    assert figures["answered_right"] >= floor["answered_right"] - GATE_MARGIN, shown
    assert figures["answered_wrong"] <= floor["answered_wrong"] + GATE_MARGIN, shown
    assert figures["off_topic_abstention"] >= floor["off_topic_abstention"] - GATE_MARGIN, shown


SETS = pytest.mark.parametrize("name", sorted(GATE["sets"]))


@SETS
def test_answers_in_the_suites_ranking(app, client, name):
    check(client, "semantic" if app.config.get("SEMANTIC_SEARCH") else "words", name)


@SETS
def test_answers_with_words_alone(app, name):
    if not app.config.get("SEMANTIC_SEARCH"):
        pytest.skip("the suite runs with words alone: test_answers_in_the_suites_ranking did")
    settings = {"DATABASE_URL": app.config["DATABASE_URL"], "SEMANTIC_SEARCH": False}
    check(create_app(type("WordsOnly", (TestConfig,), settings)).test_client(), "words", name)
