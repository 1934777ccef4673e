"""The servers the HTTP benches measure, and how they are started and stopped.

bench/http_bench.py and bench/servers.py share them: the bench database (SQLite, seeded),
`make serve`'s granian command on a bench port, the references (the bare WSGI app, nginx,
json-server) and the tools they need (wrk and nginx from Debian, json-server from npm).
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from email.message import Message
from pathlib import Path

from http_load import run, wrk

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


def wait_for(url: str, seconds: float = 120) -> None:
    """Until `url` answers: the API's workers load the model first (15 s on a quiet machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answers at {url}")


def answers_at(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def fetch(url: str, headers: dict | None = None) -> tuple[bytes, Message]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as r:
        return r.read(), r.headers


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
        for name, port in PORTS.items():
            # granian listens with SO_REUSEPORT: a server left over on one of these ports (a
            # stopped run's stray worker, one started by hand) would silently take a share of
            # one side's requests, and the bench would measure two servers as one.
            if answers_at(port):
                raise SystemExit(f"port {port} ({name}) already answers: stop what serves it")
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
            command,
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its workers in its own process group, stopped with it
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        # Whatever is left of the group: a worker still starting when SIGTERM came can
        # outlive granian's main process and keep serving the port.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
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
