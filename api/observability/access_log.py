"""The access log: one JSON line per request, written straight to a stream (ACCESS_LOG: stderr
by default, stdout, a file, or off).

Not through `logging`, measured: bench/access_log_bench.py writes the same line 20,000
times to /dev/null; through `logging` with a QueueHandler and a QueueListener it cost 15.2 us
of CPU per line, with a plain StreamHandler 10.8 us, and this way 0.84 us (2 shared cores,
load average about 10). A request answered from stored representations costs the whole
stack about 4 us on the same machine (bench/request_cost.py), and the
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
# Durations under a millisecond, as written: formatting a float costs more than the rest of
# the line (most answers from memory take a few microseconds).
DURATIONS = tuple(f"{micro / 1000:.3f}" for micro in range(1000))
STANDARD = ("stderr", "stdout")  # ACCESS_LOG's names for the process's own streams
OFF = ("", "0", "off", "false", "no", "none")


def destination(setting: str):
    """ACCESS_LOG's value as what AccessLog writes to: "stderr" or "stdout" (the stream of
    that name when a line is written), None for no lines, else a file's path, opened for
    appending (each write lands at its end, whichever worker makes it)."""
    value = setting.strip()
    if value.lower() in OFF:
        return None
    if value.lower() in STANDARD:
        return value.lower()
    try:  # open for the life of the process, like stderr
        return open(value, "a", encoding="utf-8")
    except OSError as error:
        raise ValueError(f"ACCESS_LOG={value}: {error.strerror}") from None


def json_string(value: str) -> str:
    """`value` as a JSON string: as is between quotes when nothing in it needs escaping."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return json.dumps(value)


class AccessLog:
    """The access lines of one app, to `stream`: a stream, "stderr" or "stdout" (sys.stderr or
    sys.stdout at the time of writing), or None (no lines)."""

    CHUNK = select.PIPE_BUF

    def __init__(self, stream="stderr"):
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
        """Lines go to `stream` from now on (see the class)."""
        if isinstance(stream, str) and stream not in STANDARD:
            raise ValueError(f"not a stream: {stream!r} (a stream, None, or one of {STANDARD})")
        self._stream = stream
        # A stream without a file descriptor (io.StringIO, in tests) gets each line at once.
        self.immediate = not isinstance(stream, str | None) and _descriptor(stream) is None

    def write(self, records: list[tuple], clock_offset: float) -> None:
        """One line per record (started, request id, path, seconds, key), in order.

        `started` is on the perf_counter clock: `clock_offset` turns it into wall time. The
        request id is REQUEST_ID-safe; `key` is (route, method, status, cache result), the
        status three digits; the rest is escaped.
        """
        stream = self._stream
        if stream is None:
            return  # ACCESS_LOG off
        if stream.__class__ is str:
            stream = getattr(sys, stream)  # "stderr" or "stdout": whatever it is now
        paths, endings, durations = self.paths, self.endings, DURATIONS
        millisecond, stamp = self.stamped
        lines = []
        line = lines.append
        for started, request_id, path, seconds, key in records:
            quoted = paths.get(path) or self.quoted(path)
            now = int((started + seconds + clock_offset) * 1000)
            if now != millisecond:
                millisecond, stamp = now, self.timestamp(now)
            micro = int(seconds * 1e6 + 0.5)
            line(
                f'{{"time":"{stamp}","level":"info","logger":"api.access",'
                f'"request_id":"{request_id}","path":{quoted},"duration_ms":'
                f"{durations[micro] if micro < 1000 else f'{micro / 1000:.3f}'},"
                f"{endings.get(key) or self.ending(key)}"
            )
        self.stamped = (millisecond, stamp)
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

    def quoted(self, path: str) -> str:
        """`path` as JSON (the first REMEMBERED paths kept)."""
        quoted = json_string(path)
        if len(self.paths) < REMEMBERED:
            self.paths[path] = quoted
        return quoted

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
