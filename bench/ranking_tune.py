"""Top-1 and top-5 of retrieve() on the tune half only, for ranking variants.

    .venv/bin/python bench/ranking_tune.py [--modes words semantic] [--variants FILE.json]

One SQLite database, migrated and seeded with SEMANTIC_SEARCH on, then every `answer` and
`ambiguous` question of the `tune` split of bench/eval/questions.jsonl is ranked by
retrieve() (api/services/retrieval.py) for each variant: a JSON object of retrieval's module
constants to set ({"W_TITLE": 0.1}); `{}` is the module as it is. Prints aggregates per
variant and mode. The report half is never read.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "bench" / "eval")]

from answer_quality import seeded_app  # noqa: E402
from validate import load, matches  # noqa: E402

from api.extensions import db  # noqa: E402
from api.services import retrieval  # noqa: E402
from api.services.analysis import analyze, load_glossary  # noqa: E402


def cited(found) -> str:
    p = found.passage
    return f"/v1/{p.collection}/{p.slug}#{p.field}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["words", "semantic"])
    parser.add_argument("--variants", type=Path, help="a JSON list of variants")
    args = parser.parse_args()
    variants = json.loads(args.variants.read_text()) if args.variants else [{}]
    unknown = {name for v in variants for name in v if not hasattr(retrieval, name)}
    if unknown:  # a constant the module does not read would change nothing, silently
        parser.error(f"not constants of api/services/retrieval.py: {sorted(unknown)}")
    url = f"sqlite:///{tempfile.mkdtemp()}/ranking.db"
    app = seeded_app(url, True)
    questions = [
        q for q in load() if q["split"] == "tune" and q["expect"] in ("answer", "ambiguous")
    ]
    defaults = {name: getattr(retrieval, name) for v in variants for name in v}
    with app.test_request_context():
        glossary = load_glossary(f"{app.config['SEED_DIR']}/glossary.json")
        analyses = [analyze(db.session, q["question"], glossary) for q in questions]
        for variant in variants:
            for name, value in (defaults | variant).items():
                setattr(retrieval, name, value)
            for mode in args.modes:
                top1 = top5 = 0
                for q, analysis in zip(questions, analyses, strict=True):
                    found = retrieval.retrieve(
                        db.session, q["question"], 10, analysis=analysis,
                        semantic=mode == "semantic",
                    )  # fmt: skip
                    entries, seen = [], set()
                    for f in found:  # the best passage of each entry, as answers sees them
                        if (f.passage.collection, f.passage.slug) not in seen:
                            seen.add((f.passage.collection, f.passage.slug))
                            entries.append(cited(f))
                    top1 += bool(entries) and matches(entries[0], q["acceptable"])
                    top5 += any(matches(u, q["acceptable"]) for u in entries[:5])
                n = len(questions)
                print(f"{mode:9} top1 {top1 / n:.1%} ({top1}/{n}) top5 {top5 / n:.1%}  {variant}")
                sys.stdout.flush()


if __name__ == "__main__":
    main()
