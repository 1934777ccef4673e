"""The access log: one JSON line per request, written straight to a stream (stderr by default).

Not through `logging`, measured: bench/access_log_bench.py writes the same line 50,000
times to /dev/null; through `logging` with a QueueHandler and a QueueListener it cost 44 us
of CPU per line, with a plain StreamHandler 29 us, and this way 2.4 us (2 shared cores, load
average 10: quiet figures are about a third). A request answered from stored representations
costs the whole stack about 10 us on the same machine (bench/request_cost.py), and the
read-path target (0.85 of a bare WSGI app under the same server) leaves no room for a
LogRecord per request. The app's other records (errors, warnings) do go through `logging`
(api/observability/logs.py).

What production needs, and how it is kept:

- one JSON line per request, formatted by hand: its fields are few and known, and every
  string from the client goes through `json_string`; the query string is never written
  (it may hold what a client should not have sent, such as a key);
- lines not interleaved across workers sharing a pipe: each os.write is at most PIPE_BUF
  bytes of whole lines;
- little work per request: a request only queues a tuple; the lines are formatted and
  written in batches by the process's flusher thread (api/observability/flusher.py), a
  write per line would cost a system call and a GIL hand-over. A stream without a file
  descriptor (io.StringIO, in tests) gets each line at once;
- flushed on shutdown: the flusher writes a last time when the main thread ends (a server
  worker stopping), and is started again in a forked worker.
"""

import json
import os
import select
import sys
import time

REMEMBERED = 1000  # formatted paths and line endings kept per log


def json_string(value: str) -> str:
    """`value` as a JSON string: as is between quotes when nothing in it needs escaping."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


class AccessLog:
    """The access lines of one app, to `stream` (None: sys.stderr at the time of writing)."""

    CHUNK = select.PIPE_BUF

    def __init__(self, stream=None):
        self.stream = stream
        self.target: tuple = (None, None)  # (stream, its file descriptor or None)
        self.stamped = (-1, "")  # (millisecond, its timestamp): busy workers share them
        self.second = (-1, "")  # (second, its timestamp up to the second)
        self.paths: dict[str, str] = {}  # path -> as JSON
        self.endings: dict[tuple, str] = {}  # (route, method, status, cache) -> end of line

    def timestamp(self, millisecond: int) -> str:
        """ISO 8601 UTC with milliseconds (kept for the next line in the same millisecond)."""
        whole, fraction = divmod(millisecond, 1000)
        second = self.second
        if second[0] != whole:
            second = self.second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
        text = f"{second[1]}.{fraction:03d}Z"
        self.stamped = (millisecond, text)
        return text

    def ending(self, key: tuple[str, str, str, str | None]) -> str:
        """The fields after the duration, as JSON: one string per (route, method, status,
        cache result), the first REMEMBERED of them kept."""
        route, method, status, cache = key
        ending = (
            f'"method":{json_string(method)},"status":{status},"route":{json_string(route)},'
            f'"cache":{"null" if cache is None else json_string(cache)}}}\n'
        )
        if len(self.endings) < REMEMBERED:
            self.endings[key] = ending
        return ending

    @property
    def stream(self):
        return self._stream

    @stream.setter
    def stream(self, stream) -> None:
        """Lines go to `stream` from now on (None: to sys.stderr, whatever it is then)."""
        self._stream = stream
        # A stream without a file descriptor (io.StringIO, in tests) gets each line at once.
        self.immediate = stream is not None and _descriptor(stream) is None

    def write(self, records: list[tuple], clock_offset: float) -> None:
        """One line per record (started, request id, path, seconds, key), in order.

        `started` is on the perf_counter clock: `clock_offset` turns it into wall time. The
        request id is REQUEST_ID-safe; `key` is (route, method, status, cache result), the
        status three digits; the rest is escaped.
        """
        paths, endings, stamped = self.paths, self.endings, self.stamped
        lines = []
        for started, request_id, path, seconds, key in records:
            quoted = paths.get(path)
            if quoted is None:
                quoted = json_string(path)
                if len(paths) < REMEMBERED:
                    paths[path] = quoted
            now = int((started + seconds + clock_offset) * 1000)
            if stamped[0] != now:
                stamped = (now, self.timestamp(now))
            lines.append(
                f'{{"time":"{stamped[1]}","level":"info","logger":"api.access",'
                f'"request_id":"{request_id}","path":{quoted},"duration_ms":{seconds * 1000:.3f},'
                f"{endings.get(key) or self.ending(key)}"
            )
        self.stamped = stamped
        stream = self._stream or sys.stderr
        target, fd = self.target
        if target is not stream:
            fd = self.resolve(stream)
        if fd is None:
            stream.write("".join(lines))
            return
        if getattr(stream, "closed", False):
            return  # lines for a closed stream are dropped
        chunk, size = [], 0
        try:
            for line in lines:
                if size + len(line) > self.CHUNK and chunk:
                    _write_all(fd, "".join(chunk).encode())
                    chunk, size = [], 0
                chunk.append(line)
                size += len(line)
            _write_all(fd, "".join(chunk).encode())
        except OSError:  # nowhere left to write them (a closed pipe, say)
            return

    def resolve(self, stream) -> int | None:
        """Write to `stream` from now on: its file descriptor (its buffer flushed first, so
        that what it holds comes before our lines), or None if it has none."""
        fd = _descriptor(stream)
        if fd is not None:
            stream.flush()
        self.target = (stream, fd)
        return fd


def _descriptor(stream) -> int | None:
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation, closed
        return None


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]
