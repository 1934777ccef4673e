"""Pooled relevance judgments: the passages the ranking puts first, judged by someone else.

    .venv/bin/python bench/eval/pool.py pool --split tune|report [--out DIR]
    .venv/bin/python bench/eval/pool.py apply JUDGED.json ...

The authors of the sets chose each question's acceptable answers by reading the content, and
missed some entries that answer it as well (an FAQ comparing every role's automation, for
"compare what devs automate with what devops automates"). A right first passage that is not
listed counts as wrong, in the figures and in the labels the confidence model is fitted on.

`pool` writes, per set, DIR/<split>-<id letter>.json: each answerable question of that half
with its acceptable answers and, as candidates in random order, the first three distinct
entries of both rankings (words alone; words and meaning) that the list does not accept, each
with its title and text. A judge who has not seen the ranking reads each candidate and keeps
those that answer the question as directly as an acceptable one (judged/JUDGE.md, the brief
they were given); the judgments are a JSON object from question id to the kept candidates'
URLs.
`apply` adds them to the questions' `acceptable` lists (an FAQ's `#answer` as the bare URL).
The judgments of 2026-12-07 are in bench/eval/judged/; the README says how they were made.
"""

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent.parent), str(HERE.parent), str(HERE)]

from answer_quality import database_url, reduce, seeded_app  # noqa: E402
from fit_answers import samples  # noqa: E402
from validate import SETS, load, matches  # noqa: E402

from api.extensions import db  # noqa: E402
from api.services.passage_index import index  # noqa: E402

FIRST = 3  # distinct entries per ranking


def candidates(split: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """Per answerable question of `split`: the question and its candidates' URLs in ranking
    order (fit_answers.samples ranks them, words alone then with meaning); and each passage
    URL's title and text."""
    pools: dict[str, dict] = {}
    for mode in ("words", "semantic"):
        for q, _, _, entries in samples(mode, None, list(SETS), split):
            if q["expect"] not in ("answer", "ambiguous"):
                continue
            pool = pools.setdefault(q["id"], {"question": q, "urls": []})
            for scored in entries[:FIRST]:
                url = reduce(scored.passage.url, scored.passage.field)
                if url not in pool["urls"]:
                    pool["urls"].append(url)
    texts: dict[str, dict] = {}
    with seeded_app(database_url(None, "pool"), False).app_context():
        for p in index(db.session).passages:
            entry = texts.setdefault(reduce(p.url, p.field), {"title": p.title, "text": []})
            entry["text"].append(p.text)
    return pools, texts


def write_pools(split: str, out: Path) -> None:
    pools, texts = candidates(split)
    rng = random.Random(7)
    by_letter: dict[str, list] = {}
    for qid, pool in pools.items():
        q = pool["question"]
        urls = [u for u in pool["urls"] if not matches(u, q["acceptable"])]
        if not urls:
            continue
        rng.shuffle(urls)
        item = {k: q[k] for k in ("id", "question", "expect", "kind", "acceptable")}
        item["candidates"] = [
            {"url": u, "title": texts[u]["title"], "text": " \n".join(texts[u]["text"])[:1500]}
            for u in urls
        ]
        by_letter.setdefault(qid[0], []).append(item)
    out.mkdir(parents=True, exist_ok=True)
    for letter, items in sorted(by_letter.items()):
        (out / f"{split}-{letter}.json").write_text(json.dumps(items, indent=1) + "\n")
        count = sum(len(item["candidates"]) for item in items)
        print(f"{split}-{letter}: {len(items)} questions, {count} candidates")


def apply(judged: list[Path]) -> None:
    added: dict[str, list[str]] = {}
    for path in judged:
        kept = json.loads(path.read_text())
        kept.pop("_counts", None)
        for qid, urls in kept.items():
            added.setdefault(qid, []).extend(urls)
    for path in SETS:
        rows, count = load(path), 0
        for q in rows:
            for url in added.get(q["id"], []):
                if url.startswith("/v1/faqs/") and url.endswith("#answer"):
                    url = url.removesuffix("#answer")
                if url not in q["acceptable"]:
                    q["acceptable"].append(url)
                    count += 1
        path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in rows))
        print(f"{path.name}: {count} acceptable answers added")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pool = commands.add_parser("pool")
    pool.add_argument("--split", choices=("tune", "report"), required=True)
    pool.add_argument("--out", type=Path, default=HERE.parent / ".work" / "pools")
    judged = commands.add_parser("apply")
    judged.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "pool":
        write_pools(args.split, args.out)
    else:
        apply(args.files)


if __name__ == "__main__":
    main()
