"""What recording every question costs: search and answers throughput, QUERY_LOG=1 against 0.

    .venv/bin/python bench/query_log_bench.py [--seconds 8] [--rounds 2] [--runs 2] [--out NAME]

The production server (granian, 2 workers, bench/http_bench.py's settings: rate limits on with
budgets wrk cannot spend, access log on) on a seeded SQLite database, measured with wrk (2
threads, 32 connections) with the query log on, then off, then off, then on (ABBA, so that a
busy spell on a shared machine does not land on one side only), --rounds times per run,
--runs runs one after the other. Scenarios:

- search, stored: one question repeated, answered from memory (the query log's note is the
  only work besides the cache's: where its cost shows most);
- search, computed: a different question every request (ranked, semantic search on);
- answers, stored and computed: the same for /v1/answers.

Per run and scenario: requests/s and the server's CPU time per request, averaged over rounds,
for each setting, and the cost: 1 - on/off. The machine may be shared: CPU per request is the
steadier figure. Then the stored scenarios in process (no server, no sockets: process CPU time
per request, the flush included), the steadiest of all on a loaded machine. Results:
bench/results/query-log-cost.json (or --out), with every round kept.
"""

import argparse
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from http_load import run, wrk
from http_servers import BIN, HOST, RESULTS, ROOT, WORK, granian_command, machine, wait_for

PORT = 18090  # not http_bench's ports: other benches may run meanwhile
API = f"http://{HOST}:{PORT}"
QUESTION = "who%20owns%20the%20deploy%20pipeline"
SCENARIOS = {
    "search, stored": {"path": f"/v1/search?q={QUESTION}"},
    "search, computed": {"path": f"/v1/search?q={QUESTION}", "unique": True},
    "answers, stored": {"path": f"/v1/answers?q={QUESTION}"},
    "answers, computed": {"path": f"/v1/answers?q={QUESTION}", "unique": True},
}
WARM_UP = 8  # requests before measuring: each worker loads the model and fills its store
# Each wrk thread numbers its requests: every question differs, so none is stored.
UNIQUE = """
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) n = 0 end
function request()
  n = n + 1
  return wrk.format("GET", "{path}%20" .. id .. "0" .. n)
end
"""


def environment(database: Path) -> dict:
    budget = "100000000/minute"
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "RATE_LIMITS_ENABLED": "1",
        "RATE_LIMIT_READS": budget,
        "RATE_LIMIT_SEARCH": budget,
        "RATE_LIMIT_WRITES": budget,
    }


def prepare(env: dict) -> None:
    for command in (["migrate"], ["seed"], ["reindex"]):
        run(str(BIN / "flask"), "--app", "api", *command, env=env)


def measure(env: dict, query_log: str, seconds: int) -> dict:
    """Start the server with QUERY_LOG=query_log, measure every scenario, stop it."""
    server = subprocess.Popen(
        granian_command(port=PORT),
        env={**env, "QUERY_LOG": query_log},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{API}/healthz")
        measured = {}
        for name, scenario in SCENARIOS.items():
            url = API + scenario["path"]
            for number in range(WARM_UP):
                warm = f"{url}%20{number}" if scenario.get("unique") else url
                run("curl", "-sf", "-o", "/dev/null", warm)
            script = None
            if scenario.get("unique"):
                with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                    lua.write(UNIQUE.replace("{path}", scenario["path"]))
                script = lua.name
            measured[name] = wrk(url, seconds, script=script, pid=server.pid)
            if script:
                Path(script).unlink()
        return measured
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def rows_recorded(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT sum(count) FROM query_log").fetchone()[0]


def summary(rounds: list[dict]) -> dict:
    table = {}
    for name in SCENARIOS:
        sides = {}
        for side in ("on", "off"):
            runs = [r[side][name] for r in rounds]
            sides[side] = {
                "rps": round(sum(m["rps"] for m in runs) / len(runs), 1),
                "cpu_us_per_request": round(
                    sum(m.get("cpu_us_per_request", 0) for m in runs) / len(runs), 1
                ),
                "errors": sum(m["errors"] for m in runs),
            }
        on, off = sides["on"], sides["off"]
        table[name] = {
            **sides,
            "throughput_cost": round(1 - on["rps"] / off["rps"], 3),
            "cpu_cost": round(on["cpu_us_per_request"] / off["cpu_us_per_request"] - 1, 3),
        }
    return table


def one_run(env: dict, rounds: int, seconds: int) -> dict:
    measured_rounds = []
    for number in range(rounds):
        order = ("1", "0") if number % 2 == 0 else ("0", "1")  # ABBA across rounds
        measured = {}
        for query_log in order:
            side = "on" if query_log == "1" else "off"
            measured[side] = measure(env, query_log, seconds)
        measured_rounds.append(measured)
        print(json.dumps({"round": number + 1, **measured}), flush=True)
    return {
        "load_average_at_end": os.getloadavg(),
        "summary": summary(measured_rounds),
        "rounds": measured_rounds,
    }


IN_PROCESS = {
    "search, stored": ("/v1/search", "q=who+owns+the+deploy+pipeline"),
    "answers, stored": ("/v1/answers", "q=who+owns+the+deploy+pipeline"),
}


def in_process(database: Path, rounds: int = 6, number: int = 20000) -> dict:
    """The stored answers' cost in process, as bench/request_cost.py measures it: the app's
    WSGI stack called in a loop, the query log's flush inside the timed part; process CPU
    time (the flusher threads included), ABBA rounds, the best round per side."""
    import sys
    import time

    from request_cost import environ, start_response

    os.environ.update(environment(database))
    sys.path.insert(0, str(ROOT))
    from api import create_app
    from api.config import Config

    apps = {}
    for side, flag in (("on", True), ("off", False)):
        apps[side] = create_app(type("Bench", (Config,), {"QUERY_LOG": flag}))
        apps[side].extensions["observability"].access_log.stream = open(os.devnull, "w")  # noqa: SIM115
    results = {}
    for name, (path, query) in IN_PROCESS.items():
        times: dict[str, list[float]] = {"on": [], "off": []}
        for app in apps.values():
            b"".join(app.wsgi_app(environ(path, query), start_response))  # stores the answer
        for round_number in range(rounds):
            for side in ("on", "off") if round_number % 2 == 0 else ("off", "on"):
                app, prepared = apps[side], environ(path, query)
                started = time.process_time()
                for _ in range(number):
                    for _ in app.wsgi_app(prepared.copy(), start_response):
                        pass
                if app.extensions.get("query_log") is not None:
                    app.extensions["query_log"].flush()
                app.extensions["observability"].flush()
                times[side].append(round((time.process_time() - started) / number * 1e6, 2))
        on, off = min(times["on"]), min(times["off"])
        results[name] = {"on_us": on, "off_us": off, "cost": round(on / off - 1, 3), **times}
        print(name, results[name], flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "query-log-cost.json")
    parser.add_argument(
        "--in-process-only", action="store_true", help="add the in-process part to --out"
    )
    options = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    database = WORK / "query-log.db"
    if options.in_process_only:
        result = json.loads(options.out.read_text())
        result["in_process"] = in_process(database)
        options.out.write_text(json.dumps(result, indent=2) + "\n")
        return
    database.unlink(missing_ok=True)
    env = environment(database)
    prepare(env)
    runs = [one_run(env, options.rounds, options.seconds) for _ in range(options.runs)]
    result = {
        "machine": machine(),
        "seconds_per_measure": options.seconds,
        "questions_recorded": rows_recorded(database),
        "runs": runs,
        "in_process": in_process(database),
    }
    RESULTS.mkdir(exist_ok=True)
    options.out.write_text(json.dumps(result, indent=2) + "\n")
    for number, run_result in enumerate(runs, 1):
        for name, row in run_result["summary"].items():
            on, off = row["on"], row["off"]
            print(
                f"run {number} {name:18} rps on {on['rps']:9.1f} off {off['rps']:9.1f} "
                f"cost {row['throughput_cost']:+.1%}; cpu/request on "
                f"{on['cpu_us_per_request']:8.1f} off {off['cpu_us_per_request']:8.1f} us, "
                f"cost {row['cpu_cost']:+.1%}"
            )


if __name__ == "__main__":
    main()
