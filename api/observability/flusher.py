"""Threads that write what requests left pending, one per process and kind: access lines and
metrics (FLUSHER, every 50 ms), the query log's rows (api/services/query_log.py, its own).

Requests only queue what they observed (a tuple each, api/observability/__init__.py); this
thread hands the queued records to the access log and the metrics every INTERVAL seconds,
and a last time when the main thread has ended (a server worker stopping: its requests are
over). From then on, each request's record is handled at once.
"""

import os
import threading
import time
import weakref
from typing import Protocol


class Pending(Protocol):
    closing: bool  # set when the process ends: records are handled at once from then on
    watched: bool

    def flush(self) -> None: ...


class Flusher:
    """Flushes every watched object every INTERVAL seconds, and once more at the end.

    Not a daemon thread, so the interpreter waits for that last flush before it exits.
    Started again in a forked child (a server worker forked from one loaded app).
    """

    INTERVAL = 0.05

    def __init__(self, name: str = "log-flusher", interval: float | None = None):
        self.name = name
        # A slow flush (a database write) on its own thread delays no access line.
        self.interval = self.INTERVAL if interval is None else interval
        self.watched: weakref.WeakSet[Pending] = weakref.WeakSet()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        os.register_at_fork(after_in_child=self.after_fork)

    def watch(self, pending: Pending) -> None:
        with self.lock:
            self.watched.add(pending)
            pending.watched = True
            if self.thread is None:
                # daemon=False said outright: a thread inherits it from the one starting it,
                # and a server's request threads (granian's) are daemon threads.
                self.thread = threading.Thread(target=self.run, name=self.name, daemon=False)
                try:
                    self.thread.start()
                except RuntimeError:  # the interpreter is shutting down
                    self.thread = None
                    pending.closing = True

    def after_fork(self) -> None:
        """A forked child has no flusher thread yet: the next request starts one."""
        self.lock = threading.Lock()
        self.thread = None
        for pending in list(self.watched):
            pending.watched = False

    def run(self) -> None:
        main = threading.main_thread()
        while main.is_alive():
            time.sleep(self.interval)
            for pending in list(self.watched):
                pending.flush()
        with self.lock:
            watched = list(self.watched)
            for pending in watched:
                pending.closing = True
        for pending in watched:
            pending.flush()


FLUSHER = Flusher()
