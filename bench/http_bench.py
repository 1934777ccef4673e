"""Serving speed against two references measured in the same run: nginx and json-server.

    make bench            (or: .venv/bin/python bench/http_bench.py [--seconds 10])

Starts, on 127.0.0.1 only: this API under `make serve`'s server (granian, 2 workers, SQLite),
nginx serving the very same bytes as static files, and json-server (npm) serving the same
FAQ records. wrk (2 threads, 32 connections) then measures requests per second and p99
latency for one FAQ item (~700 B), a 50-item list, a 304 revalidation, a search and a write.
Results go to bench/results/http.json and are printed as a Markdown table with the ratios.
Needs wrk and nginx (Debian) and json-server (npm); installs what is missing.
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
BIN = ROOT / ".venv" / "bin"
PORTS = {"api": 18080, "nginx": 18081, "json-server": 18082}
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
        listen 127.0.0.1:{port};
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
    for _ in range(200):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, Message]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
        return r.read(), r.headers


def wrk(url: str, seconds: int, script: str | None = None, headers: dict | None = None) -> dict:
    args = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    if script:
        args += ["-s", script]
    output = run(*args, url)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p99_ms": round(float(p99.group(1)) * scale, 2),
        "errors": int(non_2xx.group(1)) if non_2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    ensure_tools()
    shutil.rmtree(WORK / "static", ignore_errors=True)
    (WORK / "static").mkdir(parents=True)
    # Rate limits off: this measures serving, and wrk is one client hammering from one address.
    # The access log stays on (one JSON line per request, to /dev/null here).
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{WORK}/bench.db", "RATE_LIMITS_ENABLED": "0"}
    (WORK / "bench.db").unlink(missing_ok=True)
    for command in (["migrate"], ["seed"], ["reindex"]):
        run(str(BIN / "flask"), "--app", "api", *command, env=env)
    key = (
        run(str(BIN / "flask"), "--app", "api", "keys", "create", "--name", "bench", env=env)
        .strip()
        .splitlines()[-1]
    )

    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "granian"),
                    "--interface",
                    "wsgi",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(PORTS["api"]),
                    "--workers",
                    "2",
                    "--no-log",
                    "api.wsgi:app",
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        api = f"http://127.0.0.1:{PORTS['api']}"
        wait_for(f"{api}/healthz")

        item_path, list_path = "/v1/faqs/what-is-calms", "/v1/faqs?page_size=50"
        item, item_headers = fetch(api + item_path)
        listing, _ = fetch(api + list_path)
        (WORK / "static" / "faq.json").write_bytes(item)
        (WORK / "static" / "faqs.json").write_bytes(listing)
        (WORK / "nginx.conf").write_text(NGINX_CONF.format(work=WORK, port=PORTS["nginx"]))
        processes.append(
            subprocess.Popen(
                ["nginx", "-c", str(WORK / "nginx.conf"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

        records = [
            {**entry, "id": entry["slug"]}
            for entry in json.loads(fetch(api + "/v1/faqs?page_size=100")[0])
        ]
        (WORK / "db.json").write_text(json.dumps({"faqs": records}))
        processes.append(
            subprocess.Popen(
                [
                    str(WORK / "node_modules" / ".bin" / "json-server"),
                    "--quiet",
                    "--port",
                    str(PORTS["json-server"]),
                    "--host",
                    "127.0.0.1",
                    str(WORK / "db.json"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        nginx = f"http://127.0.0.1:{PORTS['nginx']}"
        json_server = f"http://127.0.0.1:{PORTS['json-server']}"
        wait_for(f"{nginx}/faq.json")
        wait_for(f"{json_server}/faqs/what-is-calms")

        script = WORK / "patch.lua"
        script.write_text(
            'wrk.method = "PATCH"\n'
            'wrk.body = \'{"answer": "Benchmarked answer."}\'\n'
            f'wrk.headers["Authorization"] = "Bearer {key}"\n'
            'wrk.headers["Content-Type"] = "application/merge-patch+json"\n'
            'wrk.headers["If-Match"] = "*"\n'
        )
        etag = {"If-None-Match": item_headers["ETag"]}
        s = args.seconds
        results = {
            "item": {
                "api": wrk(api + item_path, s),
                "nginx": wrk(nginx + "/faq.json", s),
                "json-server": wrk(json_server + "/faqs/what-is-calms", s),
            },
            "list of 50": {
                "api": wrk(api + list_path, s),
                "nginx": wrk(nginx + "/faqs.json", s),
                "json-server": wrk(json_server + "/faqs?_limit=50", s),
            },
            "304 revalidation": {"api": wrk(api + item_path, s, headers=etag)},
            "search": {"api": wrk(api + "/v1/search?q=who%20owns%20the%20pipeline", s)},
            "write (PATCH)": {
                "api": wrk(api + "/v1/faqs/why-ship-small-changes", s, script=str(script))
            },
        }
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=10)

    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "http.json").write_text(json.dumps({"machine": machine, "results": results}, indent=2))
    print(f"{machine}; wrk -t2 -c32 -d{s}s; item {len(item)} B, list {len(listing)} B")
    columns = ["request", "API req/s", "API p99", "nginx req/s", "json-server req/s"]
    columns += ["API/nginx", "API/json-server"]
    print("| " + " | ".join(columns) + " |")
    print("|---|---|---|---|---|---|---|")
    for name, row in results.items():
        a, n, j = row["api"], row.get("nginx"), row.get("json-server")
        cells = [
            name,
            f"{a['rps']:,.0f}",
            f"{a['p99_ms']} ms",
            f"{n['rps']:,.0f}" if n else "-",
            f"{j['rps']:,.0f}" if j else "-",
            f"{a['rps'] / n['rps']:.2f}" if n else "-",
            f"{a['rps'] / j['rps']:.1f}" if j else "-",
        ]
        print("| " + " | ".join(cells) + " |")
        if a["errors"]:
            print(f"  ({a['errors']} non-2xx/3xx answers from the API)")


if __name__ == "__main__":
    main()
