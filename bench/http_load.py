"""Load for the HTTP benches: wrk's figures, and the server's CPU time per request.

CPU per request is the steadier figure on a shared machine: other work slows a server down,
but adds little to the CPU time the server itself spends on each request.
"""

import os
import re
import subprocess
from pathlib import Path


def run(*args: str, **kwargs) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


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
