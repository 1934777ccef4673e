"""Serving speed against three references measured in the same run.

    make bench            (or: .venv/bin/python bench/http_bench.py [--seconds 10] [--runs 2])

Starts, on 127.0.0.1 only: this API under `make serve`'s server (granian, 2 workers, SQLite)
with production settings (rate limits on, with budgets wrk cannot spend: it is one client;
the JSON access log on, to /dev/null; metrics on); a bare WSGI callable returning the very
same bytes under the same granian command (bench/bare_wsgi.py: the server's ceiling with
Python in it); nginx serving them as static files; and json-server (npm) serving the same
FAQ records. wrk (2 threads, 32 connections) then measures requests per second and p99
latency for one FAQ item (~900 B), a 50-item list, a 304 revalidation, a search and a write.
With --runs N the whole table is measured N times in a row (the machine may be shared: the
spread between runs says how far to trust one). Results go to bench/results/http.json and
are printed as Markdown tables with the ratios.
Needs wrk and nginx (Debian) and json-server (npm); installs what is missing.
bench/servers.py reuses the parts below to compare production servers.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results"
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
PORTS = {"api": 18080, "nginx": 18081, "json-server": 18082, "bare": 18083}
API = f"http://{HOST}:{PORTS['api']}"
BARE = f"http://{HOST}:{PORTS['bare']}"
NGINX = f"http://{HOST}:{PORTS['nginx']}"
JSON_SERVER = f"http://{HOST}:{PORTS['json-server']}"
ITEM_PATH, LIST_PATH = "/v1/faqs/what-is-calms", "/v1/faqs?page_size=50"
WORKERS = 2  # as `make serve` (WEB_CONCURRENCY)
NGINX_CONF = """
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/json;
    etag on;
    server {{
        listen {host}:{port};
        root {work}/static;
    }}
}}
"""


def run(*args: str, **kwargs) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


def ensure_tools() -> None:
    if not (shutil.which("wrk") and shutil.which("nginx")):
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "wrk", "nginx-light")
    if not (WORK / "node_modules" / ".bin" / "json-server").exists():
        run(
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(WORK),
            "json-server@0.17.4",
        )


def wait_for(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, Message]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
        return r.read(), r.headers


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (granian and nginx answer from worker processes)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except OSError:
                continue
    tree, found = [pid], True
    while found:
        found = [child for child, parent in parents.items() if parent in tree and child not in tree]
        tree += found
    return tree


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(
    url: str,
    seconds: int,
    script: str | None = None,
    headers: dict | None = None,
    pid: int | None = None,
) -> dict:
    """wrk's requests/s, p99 and errors; with the server's `pid`, its CPU time per request.

    CPU per request is the steadier figure on a shared machine: other work slows a server
    down, but adds little to the CPU time the server itself spends on each request.
    """
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script:
        args += ["-s", script]
    pids = process_tree(pid) if pid else []
    cpu_before = cpu_seconds(pids)
    output = run(*args, url)
    cpu_used = cpu_seconds(pids) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))
    measured = {
        "rps": rps,
        "p99_ms": round(float(p99.group(1)) * scale, 2),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }
    if pid and total:
        measured["cpu_us_per_request"] = round(cpu_used / total * 1e6, 1)
    return measured


def granian_command(
    workers: int = WORKERS, *extra: str, target: str = "api.wsgi:app", port: int = PORTS["api"]
) -> list[str]:
    """`make serve`'s server, on the bench port, without granian's own log lines."""
    return [
        str(BIN / "granian"),
        "--interface",
        "wsgi",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-log",
        *extra,
        target,
    ]


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"


class Bench:
    """The bench database, the API server (restartable) and the two references."""

    def __init__(self):
        self.processes: dict[str, subprocess.Popen] = {}
        # Production settings: rate limits on, with budgets one client (wrk) cannot spend;
        # the access log on (one JSON line per request, to /dev/null here); metrics on.
        budget = "100000000/minute"
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{WORK}/bench.db",
            "RATE_LIMITS_ENABLED": "1",
            "RATE_LIMIT_READS": budget,
            "RATE_LIMIT_SEARCH": budget,
            "RATE_LIMIT_WRITES": budget,
        }
        self.key = ""
        self.item = self.listing = b""

    def __enter__(self) -> "Bench":
        ensure_tools()
        shutil.rmtree(WORK / "static", ignore_errors=True)
        (WORK / "static").mkdir(parents=True)
        (WORK / "bench.db").unlink(missing_ok=True)
        for command in (["migrate"], ["seed"], ["reindex"]):
            run(str(BIN / "flask"), "--app", "api", *command, env=self.env)
        created = run(
            str(BIN / "flask"), "--app", "api", "keys", "create", "--name", "bench", env=self.env
        )
        self.key = created.strip().splitlines()[-1]
        return self

    def __exit__(self, *exc) -> None:
        for name in list(self.processes):
            self.stop(name)

    def start(self, name: str, command: list[str]) -> None:
        self.processes[name] = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start_api(self, command: list[str]) -> None:
        self.start("api", command)
        wait_for(f"{API}/healthz")
        fetch(API + ITEM_PATH)  # first answers fill the stored representations
        fetch(API + LIST_PATH)

    def start_references(self) -> None:
        """The bare WSGI app and nginx with the API's own bytes, json-server with the same
        records; needs the API."""
        self.item, _ = fetch(API + ITEM_PATH)
        self.listing, _ = fetch(API + LIST_PATH)
        (WORK / "static" / "faq.json").write_bytes(self.item)
        (WORK / "static" / "faqs.json").write_bytes(self.listing)
        self.start("bare", granian_command(target="bench.bare_wsgi:app", port=PORTS["bare"]))
        (WORK / "nginx.conf").write_text(
            NGINX_CONF.format(work=WORK, host=HOST, port=PORTS["nginx"])
        )
        self.start("nginx", ["nginx", "-c", str(WORK / "nginx.conf"), "-g", "daemon off;"])
        records = [
            {**entry, "id": entry["slug"]}
            for entry in json.loads(fetch(API + "/v1/faqs?page_size=100")[0])
        ]
        (WORK / "db.json").write_text(json.dumps({"faqs": records}))
        self.start(
            "json-server",
            [
                str(WORK / "node_modules" / ".bin" / "json-server"),
                "--quiet",
                "--port",
                str(PORTS["json-server"]),
                "--host",
                HOST,
                str(WORK / "db.json"),
            ],
        )
        wait_for(f"{NGINX}/faq.json")
        wait_for(f"{JSON_SERVER}/faqs/what-is-calms")
        wait_for(BARE + ITEM_PATH)

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def references(self, seconds: int) -> dict:
        """nginx and json-server on the item and the list."""
        nginx, json_server = self.pid("nginx"), self.pid("json-server")
        return {
            "item": {
                "nginx": wrk(NGINX + "/faq.json", seconds, pid=nginx),
                "json-server": wrk(JSON_SERVER + "/faqs/what-is-calms", seconds, pid=json_server),
            },
            "list of 50": {
                "nginx": wrk(NGINX + "/faqs.json", seconds, pid=nginx),
                "json-server": wrk(JSON_SERVER + "/faqs?_limit=50", seconds, pid=json_server),
            },
        }


def ratio(a: dict | None, b: dict | None, key: str = "rps", digits: int = 2) -> float | None:
    return round(a[key] / b[key], digits) if a and b and key in a and key in b else None


def measure(bench: Bench, seconds: int) -> dict:
    """One full table. Each reference is measured right after the API on the same request,
    so that both see about the same load from whatever else runs on the machine."""
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
    etag = {"If-None-Match": fetch(API + ITEM_PATH)[1]["ETag"]}
    bare = bench.pid("bare")
    results = {}
    results["item"] = {"api": wrk(API + ITEM_PATH, s, pid=api)}
    results["item"]["bare WSGI"] = wrk(BARE + ITEM_PATH, s, pid=bare)
    results["304 revalidation"] = {"api": wrk(API + ITEM_PATH, s, headers=etag, pid=api)}
    results["item"]["nginx"] = wrk(NGINX + "/faq.json", s, pid=nginx)
    results["item"]["json-server"] = wrk(JSON_SERVER + "/faqs/what-is-calms", s, pid=json_server)
    results["list of 50"] = {
        "api": wrk(API + LIST_PATH, s, pid=api),
        "bare WSGI": wrk(BARE + LIST_PATH, s, pid=bare),
        "nginx": wrk(NGINX + "/faqs.json", s, pid=nginx),
        "json-server": wrk(JSON_SERVER + "/faqs?_limit=50", s, pid=json_server),
    }
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
    row = results["304 revalidation"]
    row["304/200"] = ratio(row["api"], results["item"]["api"])
    return results


def print_table(results: dict) -> None:
    columns = ["request", "API req/s", "API p99", "bare WSGI req/s", "nginx req/s"]
    columns += ["json-server req/s", "API/bare WSGI", "API/nginx", "API/json-server"]
    columns += ["CPU us/req API (nginx)"]
    print("| " + " | ".join(columns) + " |")
    print("|---" * len(columns) + "|")
    for name, row in results.items():
        a, n, j = row["api"], row.get("nginx"), row.get("json-server")
        b = row.get("bare WSGI")
        cpu = f"{a.get('cpu_us_per_request', '-')}"
        if n and "cpu_us_per_request" in n:
            cpu += f" ({n['cpu_us_per_request']})"
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
    runs = []
    with Bench() as bench:
        bench.start_api(granian_command())
        bench.start_references()
        for number in range(1, args.runs + 1):
            results = measure(bench, args.seconds)
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
        "results": runs[-1],
        "runs": runs,
    }
    args.out.write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
