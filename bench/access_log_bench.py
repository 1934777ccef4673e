"""The access log's cost per request: this project's writer against the standard library's.

    .venv/bin/python bench/access_log_bench.py [--lines 50000]

Each way writes the same JSON line for N requests to /dev/null and is timed in CPU time of
the whole process (its threads included), best of three:

- `ours`: what api/observability does: the request queues a tuple, the lines are formatted
  and written in batches (api/observability/access_log.py);
- `logging + QueueHandler`: `logger.info(..., extra=...)` through a QueueHandler, written by
  a QueueListener's StreamHandler with a formatter making the same line (the standard
  library's way to keep writes off the request thread);
- `logging, direct`: the same logger and formatter with a StreamHandler, no queue.
"""

import argparse
import logging
import logging.handlers
import os
import queue
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.observability.access_log import AccessLog, json_string

KEY = ("faqs.EntryBySlug", "GET", "200", "hit")
PATH = "/v1/faqs/what-is-calms"


class AccessFormatter(logging.Formatter):
    """The same line as AccessLog's, from a LogRecord's `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        ms = int(record.created * 1000)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000))
        route, method, status, cache = record.key
        return (
            f'{{"time":"{stamp}.{ms % 1000:03d}Z","level":"info","logger":"api.access",'
            f'"request_id":"{record.request_id}","path":{json_string(record.path)},'
            f'"duration_ms":{record.seconds * 1000:.3f},"method":{json_string(method)},'
            f'"status":{status},"route":{json_string(route)},"cache":{json_string(cache)}}}'
        )


def ours(lines: int, stream) -> None:
    log = AccessLog(stream)
    pending = []
    for number in range(lines):
        started = time.perf_counter()
        pending.append((started, f"{number:032x}", PATH, time.perf_counter() - started, KEY))
        if len(pending) >= 256:
            log.write(pending, 0.0)
            pending = []
    log.write(pending, 0.0)


def through_logging(lines: int, stream, queued: bool) -> None:
    logger = logging.getLogger(f"bench.access.{queued}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    target = logging.StreamHandler(stream)
    target.setFormatter(AccessFormatter())
    listener = None
    if queued:
        messages: queue.SimpleQueue = queue.SimpleQueue()
        logger.addHandler(logging.handlers.QueueHandler(messages))
        listener = logging.handlers.QueueListener(messages, target)
        listener.start()
    else:
        logger.addHandler(target)
    for number in range(lines):
        started = time.perf_counter()
        extra = {"request_id": f"{number:032x}", "path": PATH, "key": KEY}
        extra["seconds"] = time.perf_counter() - started
        logger.info("request", extra=extra)
    if listener is not None:
        listener.stop()  # waits until every queued record is written
    logger.handlers.clear()


def cpu_us_per_line(write, lines: int) -> float:
    best = float("inf")
    for _ in range(3):
        with open(os.devnull, "w") as stream:
            start = time.process_time()
            write(lines, stream)
            best = min(best, time.process_time() - start)
    return best / lines * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=50000)
    args = parser.parse_args()
    results = {
        "ours (queued tuple, batched writes)": cpu_us_per_line(ours, args.lines),
        "logging + QueueHandler/QueueListener": cpu_us_per_line(
            lambda n, s: through_logging(n, s, queued=True), args.lines
        ),
        "logging, StreamHandler direct": cpu_us_per_line(
            lambda n, s: through_logging(n, s, queued=False), args.lines
        ),
    }
    print(f"{sys.version.split()[0]}; {args.lines:,} lines to /dev/null; CPU us per line")
    for name, cost in results.items():
        print(f"| {name} | {cost:.2f} |")


if __name__ == "__main__":
    main()
