"""Which production server, and how many workers: granian against gunicorn, measured.

    .venv/bin/pip install gunicorn          (only for this measurement; not a dependency)
    .venv/bin/python bench/servers.py [--seconds 10] [--workers 1,2,4] [--rounds 2]

Serves the same app (api.wsgi:app, SQLite, bench/http_bench.py's production settings) with
granian (as `make serve`), gunicorn's sync workers and gunicorn's threaded workers, each with the
same worker counts, and measures one FAQ item and a 50-item list with wrk (2 threads, 32
connections), like bench/http_bench.py. nginx and json-server serving the same bytes are
measured before and after, so every figure is also a ratio to references taken in the
same run. With --rounds N every server is measured N times, in turn, so that a busy spell
on a shared machine does not land on one server only; the best round counts, all are kept.
Results: bench/results/servers.json, and a Markdown table.
"""

import argparse
import json
from pathlib import Path

from http_load import wrk
from http_servers import (
    API,
    BIN,
    HOST,
    ITEM_PATH,
    LIST_PATH,
    PORTS,
    RESULTS,
    Bench,
    granian_command,
    machine,
)

SCENARIOS = {"item": ITEM_PATH, "list of 50": LIST_PATH}


def gunicorn_command(workers: int, *extra: str) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{PORTS['api']}",
        "--log-level",
        "warning",
        *extra,
        "api.wsgi:app",
    ]


SERVERS = {
    "granian": granian_command,
    "gunicorn sync": gunicorn_command,
    "gunicorn gthread (4 threads)": lambda n: gunicorn_command(n, "--threads", "4"),
}


def mean_reference(before: dict, after: dict, scenario: str, name: str) -> float:
    return (before[scenario][name]["rps"] + after[scenario][name]["rps"]) / 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "servers.json")
    args = parser.parse_args()
    if not (BIN / "gunicorn").exists():
        raise SystemExit("needs gunicorn: .venv/bin/pip install gunicorn")
    counts = [int(n) for n in args.workers.split(",")]
    configurations = [(server, n) for n in counts for server in SERVERS]
    rounds: list[dict] = []
    with Bench() as bench:
        bench.start_api(granian_command())
        bench.start_references()
        bench.stop("api")
        before = bench.references(args.seconds)
        for _ in range(args.rounds):
            measured = {}
            for server, workers in configurations:
                bench.start_api(SERVERS[server](workers))
                measured[f"{server} x{workers}"] = {
                    scenario: wrk(API + path, args.seconds, pid=bench.pid("api"))
                    for scenario, path in SCENARIOS.items()
                }
                bench.stop("api")
            rounds.append(measured)
        after = bench.references(args.seconds)

    table = {}
    for server, workers in configurations:
        name = f"{server} x{workers}"
        row = {"server": server, "workers": workers}
        for scenario in SCENARIOS:
            best = max((r[name][scenario] for r in rounds), key=lambda m: m["rps"])
            nginx = mean_reference(before, after, scenario, "nginx")
            json_server = mean_reference(before, after, scenario, "json-server")
            row[scenario] = {
                **best,
                "rounds_rps": [r[name][scenario]["rps"] for r in rounds],
                "api/nginx": round(best["rps"] / nginx, 2),
                "api/json-server": round(best["rps"] / json_server, 1),
            }
        table[name] = row
    for row in table.values():
        reference = table[f"granian x{row['workers']}"]
        for scenario in SCENARIOS:
            row[scenario]["vs granian"] = round(
                row[scenario]["rps"] / reference[scenario]["rps"], 2
            )

    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": machine(),
        "wrk": f"-t2 -c32 -d{args.seconds}s",
        "rounds": args.rounds,
        "references": {"before": before, "after": after},
        "servers": table,
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")

    print(f"{machine()}; wrk -t2 -c32 -d{args.seconds}s; best of {args.rounds} rounds")
    for scenario in SCENARIOS:
        refs = [before[scenario][n]["rps"] for n in ("nginx", "json-server")]
        refs += [after[scenario][n]["rps"] for n in ("nginx", "json-server")]
        print(
            f"{scenario}: nginx {refs[0]:,.0f} / {refs[2]:,.0f}, "
            f"json-server {refs[1]:,.0f} / {refs[3]:,.0f} req/s (before / after)"
        )
    print(
        "| server | workers | item req/s | item p99 | item/nginx | list req/s | list p99 "
        "| list/nginx | list/json-server | vs granian (item, list) | rounds (item) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in table.values():
        item, listing = row["item"], row["list of 50"]
        cells = [
            row["server"],
            str(row["workers"]),
            f"{item['rps']:,.0f}",
            f"{item['p99_ms']} ms",
            f"{item['api/nginx']:.2f}",
            f"{listing['rps']:,.0f}",
            f"{listing['p99_ms']} ms",
            f"{listing['api/nginx']:.2f}",
            f"{listing['api/json-server']:.1f}",
            f"{item['vs granian']:.2f}, {listing['vs granian']:.2f}",
            ", ".join(f"{r:,.0f}" for r in item["rounds_rps"]),
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
