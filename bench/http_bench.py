"""Serving speed against three references measured in the same run.

    make bench            (or: .venv/bin/python bench/http_bench.py [--seconds 10] [--runs 2])

Starts, on 127.0.0.1 only: this API under `make serve`'s server (granian, 2 workers, SQLite)
with production settings (rate limits on, with budgets wrk cannot spend: it is one client;
the JSON access log on, to /dev/null; metrics on); a bare WSGI callable returning the very
same bytes under the same granian command (bench/bare_wsgi.py: the server's ceiling with
Python in it); nginx serving them as static files; and json-server (npm) serving the same
FAQ records. wrk (2 threads, 32 connections) then measures requests per second, p99 latency
and the server's CPU time per request for one FAQ item (~1 KB), a 50-item list, a 304
revalidation, a search and a write; on the item, the list and the 304 the API and its
references take turns (A B C D D C B A), all servers running all along, so that they are
measured under the same conditions. It refuses to start while anything answers on its ports.
With --runs N the whole table is measured N times in a row (the machine may be shared: the
spread between runs says how far to trust one). Results go to bench/results/http.json and
are printed as Markdown tables with the ratios.
Needs wrk and nginx (Debian) and json-server (npm); installs what is missing.
The servers are started by bench/http_servers.py (bench/servers.py uses it too, to compare
production servers); wrk is run by bench/http_load.py.
"""

import argparse
import json
import os
from pathlib import Path

from http_load import wrk
from http_servers import (
    API,
    BARE,
    ITEM_PATH,
    JSON_SERVER,
    LIST_PATH,
    NGINX,
    RESULTS,
    WORK,
    Bench,
    fetch,
    granian_command,
    machine,
)


def ratio(a: dict | None, b: dict | None, key: str = "rps", digits: int = 2) -> float | None:
    return round(a[key] / b[key], digits) if a and b and key in a and key in b else None


def side_by_side(sides: dict[str, dict], seconds: int) -> dict:
    """Each side (wrk's arguments) measured twice, in the order A B C C B A: a change in the
    machine's load during the row weighs on every side alike. Each side's mean, its rounds
    kept."""
    rounds: dict[str, list] = {name: [] for name in sides}
    for name in [*sides, *reversed(sides)]:
        rounds[name].append(wrk(seconds=seconds, **sides[name]))
    means = {}
    for name, measured in rounds.items():
        mean = {
            "rps": round(sum(m["rps"] for m in measured) / len(measured), 2),
            "p99_ms": max(m["p99_ms"] for m in measured),
            "errors": sum(m["errors"] for m in measured),
            "rounds": measured,
        }
        if all("cpu_us_per_request" in m for m in measured):
            cpu = sum(m["cpu_us_per_request"] for m in measured) / len(measured)
            mean["cpu_us_per_request"] = round(cpu, 1)
        means[name] = mean
    return means


def measure(bench: Bench, seconds: int) -> dict:
    """One full table. The API and its references on the same request are measured
    alternately (side_by_side), each under the same conditions: same server command for the
    API and the bare app, every server running all along."""
    script = WORK / "patch.lua"
    script.write_text(
        'wrk.method = "PATCH"\n'
        'wrk.body = \'{"answer": "Benchmarked answer."}\'\n'
        f'wrk.headers["Authorization"] = "Bearer {bench.key}"\n'
        'wrk.headers["Content-Type"] = "application/merge-patch+json"\n'
        'wrk.headers["If-Match"] = "*"\n'
    )
    s = seconds
    api, nginx, json_server = bench.pid("api"), bench.pid("nginx"), bench.pid("json-server")
    bare = bench.pid("bare")
    etag = {"If-None-Match": fetch(API + ITEM_PATH)[1]["ETag"]}
    results = {}
    results["item"] = side_by_side(
        {
            "api": {"url": API + ITEM_PATH, "pid": api},
            "bare WSGI": {"url": BARE + ITEM_PATH, "pid": bare},
            "nginx": {"url": NGINX + "/faq.json", "pid": nginx},
            "json-server": {"url": JSON_SERVER + "/faqs/what-is-calms", "pid": json_server},
        },
        s,
    )
    revalidation = side_by_side(
        {
            "api": {"url": API + ITEM_PATH, "headers": etag, "pid": api},
            "200": {"url": API + ITEM_PATH, "pid": api},
        },
        s,
    )
    results["304 revalidation"] = {"api": revalidation["api"], "200": revalidation["200"]}
    results["list of 50"] = side_by_side(
        {
            "api": {"url": API + LIST_PATH, "pid": api},
            "bare WSGI": {"url": BARE + LIST_PATH, "pid": bare},
            "nginx": {"url": NGINX + "/faqs.json", "pid": nginx},
            "json-server": {"url": JSON_SERVER + "/faqs?_limit=50", "pid": json_server},
        },
        s,
    )
    results["search"] = {"api": wrk(API + "/v1/search?q=who%20owns%20the%20pipeline", s, pid=api)}
    # Last: the write changes the content, so stored answers are made again after it.
    results["write (PATCH)"] = {
        "api": wrk(API + "/v1/faqs/why-ship-small-changes", s, script=str(script), pid=api)
    }
    for row in results.values():
        row["api/bare WSGI"] = ratio(row["api"], row.get("bare WSGI"))
        row["api/nginx"] = ratio(row["api"], row.get("nginx"))
        row["api/json-server"] = ratio(row["api"], row.get("json-server"), digits=1)
        # CPU per request: nginx's over the API's, so that higher is better like the others.
        nginx_row = row.get("nginx")
        row["nginx/api CPU per request"] = ratio(nginx_row, row["api"], "cpu_us_per_request")
        row["bare/api CPU per request"] = ratio(
            row.get("bare WSGI"), row["api"], "cpu_us_per_request"
        )
    row = results["304 revalidation"]
    row["304/200"] = ratio(row["api"], row["200"])  # the 200 measured alternately with it
    return results


def print_table(results: dict) -> None:
    columns = ["request", "API req/s", "API p99", "bare WSGI req/s", "nginx req/s"]
    columns += ["json-server req/s", "API/bare WSGI", "API/nginx", "API/json-server"]
    columns += ["CPU us/req API (bare WSGI, nginx)"]
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for name, row in results.items():
        a, n, j = row["api"], row.get("nginx"), row.get("json-server")
        b = row.get("bare WSGI")
        cpu = f"{a.get('cpu_us_per_request', '-')}"
        references = [r["cpu_us_per_request"] for r in (b, n) if r and "cpu_us_per_request" in r]
        if references:
            cpu += f" ({', '.join(map(str, references))})"
        cells = [
            name,
            f"{a['rps']:,.0f}",
            f"{a['p99_ms']} ms",
            f"{b['rps']:,.0f}" if b else "-",
            f"{n['rps']:,.0f}" if n else "-",
            f"{j['rps']:,.0f}" if j else "-",
            f"{row['api/bare WSGI']:.2f}" if b else "-",
            f"{row['api/nginx']:.2f}" if n else "-",
            f"{row['api/json-server']:.1f}" if j else "-",
            cpu,
        ]
        print("| " + " | ".join(cells) + " |")
        if a["errors"]:
            print(f"  ({a['errors']} non-2xx/3xx answers from the API)")
    print(f"304 / 200 (item): {results['304 revalidation']['304/200']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "http.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    runs, loads = [], []
    with Bench() as bench:
        bench.start_api(granian_command())
        bench.start_references()
        for number in range(1, args.runs + 1):
            load = os.getloadavg()
            results = measure(bench, args.seconds)
            loads.append([load, os.getloadavg()])
            runs.append(results)
            print(f"\nRun {number}: {machine()}; wrk -t2 -c32 -d{args.seconds}s;", end=" ")
            print(f"item {len(bench.item)} B, list {len(bench.listing)} B")
            print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": machine(),
        "wrk": f"-t2 -c32 -d{args.seconds}s",
        "server": " ".join(["granian", *granian_command()[1:]]),
        "load average (1, 5, 15 min) before, after": [load_before, os.getloadavg()],
        "load average (1, 5, 15 min) before, after each run": loads,
        "results": runs[-1],
        "runs": runs,
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
