"""Fits the /v1/answers confidence model on the tune half of the evaluation set.

    .venv/bin/python bench/fit_answers.py [--database URL] [--write]

For each ranking (words alone; words and meaning), on a freshly seeded database: every `tune`
question of bench/eval/questions.jsonl is retrieved as /v1/answers retrieves it, and the best
passage's features (api/services/answers.py) are paired with a label: 1 when that passage's
entry is an acceptable answer (bench/eval/README.md), else 0 (always 0 for `no_match` and
`out_of_domain` questions). A logistic regression (L2-penalised, plain gradient descent in
numpy) turns features into the probability of being right. The threshold maximises, on the
tune half, the share answered right minus WRONG_COST times the share answered wrong, with at
most MAX_OFF_TOPIC of the unanswerable questions answered. `--write` stores the
coefficients and thresholds in api/services/answer_model.json. Only the tune half is read.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "bench" / "eval")]

from answer_quality import database_url, reduce, seeded_app  # noqa: E402
from validate import load, matches  # noqa: E402

from api.extensions import db  # noqa: E402
from api.services import answers  # noqa: E402
from api.services.analysis import analyze, load_glossary  # noqa: E402
from api.services.retrieval import index, retrieve  # noqa: E402

MODEL_FILE = ROOT / "api" / "services" / "answer_model.json"
FEATURES = {
    "words": ("coverage", "word_score", "margin", "known", "short", "top_words", "title_coverage"),
    "semantic": (
        "cosine",
        "cosine_gap",
        "coverage",
        "word_score",
        "margin",
        "known",
        "short",
        "agree",
        "title_coverage",
    ),
}
# What a wrong answer costs, in right answers: the targets allow 5 wrong for 60 right
# with words alone and 2 for 85 with meaning, so meaning must be the more careful.
WRONG_COST = {"words": 3, "semantic": 6}
MAX_OFF_TOPIC = 0.04  # of unanswerable questions answered
PENALTY = 0.5  # L2 on the weights (not the bias)


def samples(mode: str, base: str | None) -> list[tuple[dict, dict[str, float], int, list]]:
    """(question, features, label, distinct candidates) for every tune question."""
    app = seeded_app(database_url(base, f"fit_{mode}"), mode == "semantic")
    found = []
    with app.app_context():
        glossary = load_glossary(f"{app.config['SEED_DIR']}/glossary.json")
        for q in (q for q in load() if q["split"] == "tune"):
            analysis = analyze(db.session, q["question"], glossary)
            if not analysis.words:
                found.append((q, dict.fromkeys(FEATURES[mode], 0.0), 0, []))
                continue
            candidates = retrieve(
                db.session,
                q["question"],
                answers.CANDIDATES,
                analysis=analysis,
                semantic=mode == "semantic",
            )
            stems = answers._content_stems(index(db.session))
            values = answers.features(analysis, candidates, stems)
            entries = answers.distinct_entries(candidates)
            top = entries[0].passage if entries else None
            label = int(
                top is not None
                and q["expect"] in ("answer", "ambiguous")
                and matches(reduce(top.url, top.field), q["acceptable"])
            )
            found.append((q, values, label, entries))
    return found


def fit(x: np.ndarray, y: np.ndarray, steps: int = 20000, rate: float = 0.5) -> np.ndarray:
    """Logistic regression weights (bias first) by gradient descent."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-design @ w))
        grad = design.T @ (p - y) / len(y)
        grad[1:] += PENALTY * w[1:] / len(y)
        w -= rate * grad
    return w


def choose_threshold(mode: str, data, probabilities: np.ndarray) -> tuple[float, dict]:
    answerable = [i for i, (q, *_) in enumerate(data) if q["expect"] in ("answer", "ambiguous")]
    others = [i for i, (q, *_) in enumerate(data) if q["expect"] not in ("answer", "ambiguous")]
    best = None
    for t in np.arange(0.30, 0.96, 0.01):
        given = probabilities >= t
        right = sum(given[i] and data[i][2] for i in answerable) / len(answerable)
        wrong = sum(given[i] and not data[i][2] for i in answerable) / len(answerable)
        off = sum(given[i] for i in others) / len(others)
        figures = {"right": round(right, 4), "wrong": round(wrong, 4), "off_topic": round(off, 4)}
        utility = right - WRONG_COST[mode] * wrong
        if off <= MAX_OFF_TOPIC and (best is None or utility > best[2]):
            best = (round(float(t), 2), figures, utility)
    return best[:2] if best else (0.95, {})


def reliability(probabilities: np.ndarray, labels: np.ndarray) -> list[dict]:
    table = []
    for low in np.arange(0.0, 1.0, 0.2):
        inside = (probabilities >= low) & (probabilities < low + 0.2 + (low >= 0.8) * 1e-9)
        if inside.any():
            table.append(
                {
                    "bin": f"{low:.1f}-{low + 0.2:.1f}",
                    "count": int(inside.sum()),
                    "mean_confidence": round(float(probabilities[inside].mean()), 3),
                    "share_right": round(float(labels[inside].mean()), 3),
                }
            )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--modes", nargs="+", default=["words", "semantic"])
    args = parser.parse_args()
    stored = json.loads(MODEL_FILE.read_text())
    for mode in args.modes:
        data = samples(mode, args.database)
        names = FEATURES[mode]
        x = np.array([[values[n] for n in names] for _, values, _, _ in data])
        y = np.array([label for _, _, label, _ in data], dtype=float)
        w = fit(x, y)
        probabilities = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
        threshold, figures = choose_threshold(mode, data, probabilities)
        model = stored[mode]
        model["bias"] = round(float(w[0]), 4)
        model["weights"] = {n: round(float(v), 4) for n, v in zip(names, w[1:], strict=True)}
        model["threshold"] = threshold
        model["fit"] = {
            "split": "tune",
            "questions": len(data),
            "top1_right": int(y.sum()),
            "at_threshold": figures,
            "reliability": reliability(probabilities, y),
        }
        print(mode, json.dumps(model, indent=1))
    if args.write:
        MODEL_FILE.write_text(json.dumps(stored, indent=2) + "\n")


if __name__ == "__main__":
    main()
