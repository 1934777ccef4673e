"""Fits the /v1/answers confidence model on the tune halves of the evaluation sets.

    .venv/bin/python bench/fit_answers.py [--database URL] [--write] [--questions PATH...]

For each ranking (words alone; words and meaning), on a freshly seeded database: every `tune`
question of the sets (default: every set of bench/eval/validate.py, A to E: questions.jsonl,
questions-b.jsonl to -e; 162 + 4 x 128 questions) is retrieved as /v1/answers
retrieves it, and the best passage's features (api/services/answers.py) are paired with a
label: 1 when that passage's entry is an acceptable answer (bench/eval/README.md), else 0
(always 0 for `no_match` and `out_of_domain` questions). A question /v1/answers calls
`out_of_domain` whatever its confidence (no content word, another job than ours, too few
known words, too far in meaning) is fitted on too but never counted as answered. A logistic
regression (L2-penalised on standardised features, Newton's method in numpy) turns features
into the probability of being right.

Cross-validation: the tune questions are split into FOLDS folds, REPEATS times over; each
question's held-out probability is the mean of those given by the models fitted without it
(the reliability table and the trade-off are read from these). The threshold is chosen on
each set's tune half as predicted by the model fitted on the other sets' (`set_out`: the
sets were written apart, so this is what a new author's questions get; the folds above mix
each author's questions into the fit and promised 1.7 % wrong by meaning where leaving a set
out gave 2.5 %, and the report halves 2.3 %): the most right answers with at most
MAX_WRONG of the answerable questions answered wrong and MAX_OFF_TOPIC of the unanswerable
ones answered. The coefficients stored are those of one fit on all the tune questions.
`by_set` judges the rule as a new author's questions would: each set's tune half by the
model and threshold fitted on the others' (the threshold by `set_out` among those).
`--write` stores them in api/services/answer_model.json. Only tune halves are read.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "bench" / "eval")]

from answer_quality import database_url, reduce, seeded_app  # noqa: E402
from validate import SETS, load, matches  # noqa: E402

from api.extensions import db  # noqa: E402
from api.services import answers  # noqa: E402
from api.services.analysis import analyze, load_glossary  # noqa: E402

MODEL_FILE = ROOT / "api" / "services" / "answer_model.json"
FEATURES = {
    "words": (
        "coverage",
        "word_score",
        "margin",
        "known",
        "short",
        "top_words",
        "title_coverage",
        "faq",
        "example_gap",
        "structured",
        "broad",
        "compare",
        "long",
        "support",
        "named",
    ),
    "semantic": (
        "score",
        "entry_gap",
        "known",
        "faq",
        "example_gap",
        "example_cosine_gap",
        "structured",
        "compare",
        "agree_entry",
        "length",
        "margin",
        "similar_margin",
        "role_fit",
    ),
}
# Answered wrong, at most, as a share of the answerable questions: the targets
# (≤ 5 % with words alone, ≤ 2 % with meaning).
MAX_WRONG = {"words": 0.05, "semantic": 0.02}
# The sets before the features of api/services/answer_features.py (2026-12-07), which
# --variants compares with FEATURES, each new feature left out in turn, and other candidates.
EARLIER = {
    "words": FEATURES["words"][:11],
    "semantic": (
        "score", "lead", "entry_gap", "title_coverage", "known", "short", "faq", "example_gap",
        "example_cosine_gap", "structured", "broad",
    ),
}  # fmt: skip
TRIED = {
    "words": ("lead", "score", "length", "role_fit"),
    "semantic": ("top_words", "long", "support", "named"),
}
# `length` (semantic), `long` and `support` (words) were added on 2026-12-07: held out, mean of
# 12 shuffles, semantic right 0.420 -> 0.459 (wrong 0.017, off-topic 0.018 both times), words
# 0.261 -> 0.367 (wrong 0.045 -> 0.044, off-topic 0.035); fitted on set A's tune half and
# judged on set B's, and the reverse: semantic 0.361 -> 0.434, words 0.206 -> 0.343. Other
# candidates tried then and left out: api/services/answer_features.py.
MAX_OFF_TOPIC = 0.04  # of unanswerable questions answered
PENALTY = 10.0  # L2 on the standardised weights (not the bias); chosen set by set (docs)
FOLDS, REPEATS, SEED = 5, 20, 12


def samples(
    mode: str, base: str | None, sets: list[Path], split: str = "tune"
) -> list[tuple[dict, dict[str, float], int, list]]:
    """(question, features, label, distinct candidates) for every question of `sets` in
    `split` (the fit reads only `tune`; bench/eval/pool.py pools either half)."""
    app = seeded_app(database_url(base, f"fit_{mode}"), mode == "semantic")
    model = answers.mode(mode == "semantic")
    found = []
    with app.app_context():
        glossary = load_glossary(f"{app.config['SEED_DIR']}/glossary.json")
        for q in (q for path in sets for q in load(path) if q["split"] == split):
            analysis = analyze(db.session, q["question"], glossary)
            if not analysis.words:
                found.append((q, dict.fromkeys(FEATURES[mode], 0.0) | {"blocked": 1.0}, 0, []))
                continue
            candidates, values = answers.describe(
                db.session, q["question"], analysis, mode == "semantic"
            )
            blocked = answers.about_another_job(db.session, q["question"], analysis)
            blocked = blocked or answers.out_of_reach(values, model)
            values = values | {"blocked": float(blocked)}
            entries = answers.distinct_entries(candidates)
            top = entries[0].passage if entries else None
            label = int(
                top is not None
                and q["expect"] in ("answer", "ambiguous")
                and matches(reduce(top.url, top.field), q["acceptable"])
            )
            found.append((q, values, label, entries))
    return found


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Logistic regression weights (bias first) in the features' own units: fitted by
    Newton's method on standardised features, L2-penalised, then scaled back."""
    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread == 0] = 1.0
    design = np.hstack([np.ones((len(x), 1)), (x - mean) / spread])
    penalty = PENALTY * np.diag([0.0] + [1.0] * x.shape[1])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1 / (1 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(w)), gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    weights = w[1:] / spread
    return np.r_[w[0] - weights @ mean, weights]


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-(w[0] + x @ w[1:])))


def held_out(x: np.ndarray, y: np.ndarray, seed: int = SEED) -> np.ndarray:
    """Each question's mean probability from the models fitted without it (FOLDS-fold
    cross-validation, REPEATS shuffles)."""
    rng = np.random.default_rng(seed)
    total = np.zeros(len(y))
    for _ in range(REPEATS):
        folds = np.array_split(rng.permutation(len(y)), FOLDS)
        for n, test in enumerate(folds):
            train = np.concatenate([f for m, f in enumerate(folds) if m != n])
            total[test] += predict(fit(x[train], y[train]), x[test])
    return total / REPEATS


def set_out(data, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each question's probability from the model fitted on the other sets' tune halves (the
    sets were written apart: what a new author's questions get); `held_out` with one set."""
    letters = np.array([q["id"][0] for q, *_ in data])
    if len(set(letters)) < 2:
        return held_out(x, y)
    found = np.zeros(len(y))
    for letter in set(letters):
        train, test = letters != letter, letters == letter
        found[test] = predict(fit(x[train], y[train]), x[test])
    return found


def answerable(data) -> np.ndarray:
    """Which questions have an answer (`answer` or `ambiguous`)."""
    return np.array([q["expect"] in ("answer", "ambiguous") for q, *_ in data])


def shares(data, given: np.ndarray) -> tuple[float, float, float]:
    """Of the questions answered (`given`, less those `out_of_domain` before any confidence:
    `blocked`): the right and the wrong ones as shares of the answerable questions, and the
    unanswerable ones answered as a share of those."""
    can, labels = answerable(data), np.array([label for _, _, label, *_ in data], dtype=bool)
    given = given & ~np.array([values.get("blocked", 0.0) > 0 for _, values, *_ in data])
    right = float((given & can & labels).sum() / can.sum())
    wrong = float((given & can & ~labels).sum() / can.sum())
    return right, wrong, float((given & ~can).sum() / (~can).sum())


def choose_threshold(mode: str, data, probabilities: np.ndarray) -> tuple[float, dict]:
    """The threshold answering the most questions right with at most MAX_WRONG answered
    wrong and MAX_OFF_TOPIC of the unanswerable answered, on held-out probabilities."""
    best = None
    for t in np.arange(0.30, 0.99, 0.01):
        right, wrong, off = shares(data, probabilities >= t)
        figures = {"right": round(right, 4), "wrong": round(wrong, 4), "off_topic": round(off, 4)}
        if wrong <= MAX_WRONG[mode] and off <= MAX_OFF_TOPIC and (best is None or right > best[2]):
            best = (round(float(t), 2), figures, right)
    return best[:2] if best else (0.99, {})


def by_set(mode: str, data, x: np.ndarray, y: np.ndarray) -> dict[str, dict]:
    """How the rule does on a set nobody fitted on: for each set, the model fitted on the
    other sets' tune halves with the threshold their cross-validation chooses, judged on its
    tune half (right and wrong: shares of its answerable questions; off-topic: of the rest);
    and the mean over the sets."""
    letters = np.array([q["id"][0] for q, *_ in data])
    found = {}
    for letter in sorted(set(letters), key=list(letters).index):
        train, test = np.flatnonzero(letters != letter), np.flatnonzero(letters == letter)
        inside = [data[i] for i in train]
        threshold, _ = choose_threshold(mode, inside, set_out(inside, x[train], y[train]))
        given = predict(fit(x[train], y[train]), x[test]) >= threshold
        right, wrong, off = shares([data[i] for i in test], given)
        found[letter] = {
            "threshold": threshold,
            "right": round(right, 4),
            "wrong": round(wrong, 4),
            "off_topic": round(off, 4),
        }
    keys = ("right", "wrong", "off_topic")
    found["mean"] = {k: round(float(np.mean([f[k] for f in found.values()])), 4) for k in keys}
    return found


def trade_off(data, probabilities: np.ndarray) -> list[dict]:
    """Held-out right and wrong shares of the answerable questions at a few thresholds."""
    rows = []
    for t in (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95):
        right, wrong, _ = shares(data, probabilities >= t)
        rows.append({"threshold": t, "right": round(right, 4), "wrong": round(wrong, 4)})
    return rows


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


def variants(mode: str, data, seeds: int = 6) -> dict[str, dict]:
    """Held-out figures at the threshold and the AUC among answerable questions, each the mean
    over `seeds` cross-validation shuffles, for FEATURES[mode] and variants of it."""
    chosen, earlier = FEATURES[mode], EARLIER[mode]
    sets = {"chosen": chosen, "earlier": earlier}
    sets |= {f"earlier + {n}": (*earlier, n) for n in chosen if n not in earlier}
    sets |= {f"chosen - {n}": tuple(m for m in chosen if m != n) for n in chosen}
    sets |= {f"chosen + {n}": (*chosen, n) for n in (*earlier, *TRIED[mode]) if n not in chosen}
    y = np.array([label for _, _, label, _ in data], dtype=float)
    can = answerable(data)
    found = {}
    for name, names in sets.items():
        x = np.array([[values[n] for n in names] for _, values, _, _ in data])
        rows = []
        for seed in range(1, seeds + 1):
            p = held_out(x, y, seed)
            figures = choose_threshold(mode, data, p)[1]
            pos, neg = p[can][y[can] == 1], p[can][y[can] == 0]
            auc = ((pos[:, None] > neg) + 0.5 * (pos[:, None] == neg)).mean()
            rows.append([figures.get(k, 0.0) for k in ("right", "wrong", "off_topic")] + [auc])
        mean = np.mean(rows, axis=0)
        keys = ("right", "wrong", "off_topic", "auc")
        found[name] = dict(zip(keys, mean.round(4).tolist(), strict=True))
        print(mode, f"{name:32s}", found[name])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL (default: a new SQLite file)")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--modes", nargs="+", default=["words", "semantic"])
    parser.add_argument("--variants", type=Path, help="compare feature sets, write them here")
    parser.add_argument("--questions", type=Path, nargs="+", default=list(SETS))
    args = parser.parse_args()
    stored = json.loads(MODEL_FILE.read_text())
    compared = {}
    for mode in args.modes:
        data = samples(mode, args.database, args.questions)
        if args.variants:
            compared[mode] = variants(mode, data)
            continue
        names = FEATURES[mode]
        x = np.array([[values[n] for n in names] for _, values, _, _ in data])
        y = np.array([label for _, _, label, _ in data], dtype=float)
        w = fit(x, y)
        probabilities = held_out(x, y)
        threshold, figures = choose_threshold(mode, data, set_out(data, x, y))
        model = stored[mode]
        model["bias"] = round(float(w[0]), 4)
        model["weights"] = {n: round(float(v), 4) for n, v in zip(names, w[1:], strict=True)}
        model["threshold"] = threshold
        model["fit"] = {
            "split": "tune",
            "sets": [str(path.relative_to(ROOT)) for path in args.questions],
            "questions": len(data),
            "top1_right": int(y.sum()),
            "cross_validation": f"{FOLDS} folds x {REPEATS}, held-out probabilities",
            "threshold_from": "each set predicted by the model fitted on the others (set_out)",
            "at_threshold": figures,
            "by_set": by_set(mode, data, x, y),
            "trade_off": trade_off(data, probabilities),
            "reliability": reliability(probabilities, y),
        }
        print(mode, json.dumps(model, indent=1))
    if args.variants:
        note = f"held-out on the tune half, mean of 6 shuffles of {FOLDS} folds x {REPEATS}"
        args.variants.write_text(json.dumps({"how": note} | compared, indent=1) + "\n")
    elif args.write:
        MODEL_FILE.write_text(json.dumps(stored, indent=2) + "\n")


if __name__ == "__main__":
    main()
