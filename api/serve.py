"""Start a server command once its --host and --port can work; say its URL when it answers.

    python -m api.serve .venv/bin/granian --interface wsgi --host 127.0.0.1 --port 8000 ...

`make run`, `make serve` and the Docker image start their servers through this. Refused in
one line, before anything starts: a PORT outside 1-65535 (granian would wrap 99999 to 34463),
a port another program listens on (granian shares it through SO_REUSEPORT and the two split
the traffic), a HOST this machine does not have, and a DATABASE_URL that cannot work. Then
the server replaces this process (exec), so signals reach it as if it had been started
directly, and a detached watcher prints the URL once /healthz answers.
"""

import errno
import fcntl
import os
import signal
import socket
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .config import ConfigError, check_database_url

READY_TIMEOUT = 120.0  # seconds the watcher waits for the first answer
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


class Refused(Exception):
    """Why the server cannot start, in one line."""


def option(command: list[str], name: str) -> str:
    """The value of `--name VALUE` or `--name=VALUE` in `command`."""
    for index, word in enumerate(command):
        if word == name and index + 1 < len(command):
            return command[index + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    raise Refused(f"the server command must give {name}: {' '.join(command)}")


def parse_port(text: str) -> int:
    port = int(text) if text.isascii() and text.isdigit() else 0
    if not 0 < port < 65536:
        raise Refused(f"PORT={text} is not a TCP port: use a number from 1 to 65535")
    return port


def is_free(host: str, port: int) -> bool:
    """Whether a server could listen on (host, port) now; Refused when it never could."""
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except socket.gaierror as exc:
        raise Refused(f"HOST={host} is not an address of this machine ({exc.strerror})") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            # As servers do: a port whose last connections are in TIME_WAIT is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False
                if exc.errno == errno.EADDRNOTAVAIL:
                    raise Refused(f"HOST={host} is not an address of this machine") from None
                if exc.errno == errno.EACCES:
                    raise Refused(
                        f"PORT={port} needs privileges this user does not have: use 1024 or above"
                    ) from None
                raise
    return True


def claim(port: int) -> bool:
    """Hold a lock on `port` for this process and the server that replaces it.

    Two launchers started together would both find the port free before either server
    binds it; the second one to ask for this lock learns it is taken. The lock goes away
    with the server (its file descriptor is inherited through exec, and closed at exit).
    """
    path = Path(tempfile.gettempdir()) / f"who-does-what-{os.getuid()}-port-{port}.lock"
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return True  # no lock to be had here: the bind check alone decides
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return False
    os.set_inheritable(descriptor, True)
    return True


def check(command: list[str]) -> tuple[str, int]:
    """(host, port) of `command` once they and DATABASE_URL can work; Refused otherwise."""
    host, port = option(command, "--host"), parse_port(option(command, "--port"))
    try:
        check_database_url(os.environ.get("DATABASE_URL", ""))
    except ConfigError as exc:
        raise Refused(exc.message) from None
    if not is_free(host, port) or not claim(port):
        spare = next((p for p in range(port + 1, min(port + 50, 65536)) if is_free(host, p)), None)
        hint = f", e.g. PORT={spare}" if spare else ""
        raise Refused(
            f"port {port} on {host} is already in use: stop the program that holds it, "
            f"or choose another port{hint}"
        )
    return host, port


def url_of(host: str, port: int) -> str:
    host = WILDCARDS.get(host, host)
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def announce_when_ready(url: str, server_pid: int) -> None:
    """In a detached process: print `url` once /healthz answers, or give up quietly."""
    if os.fork():  # the first child exits at once: the watcher is nobody's child to reap
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        try:
            os.kill(server_pid, 0)
        except ProcessLookupError:
            break
        try:
            with urllib.request.urlopen(url + "healthz", timeout=2):
                print(f"Serving on {url} (API at {url}v1, docs at {url}docs)", flush=True)
                break
        except OSError:
            time.sleep(0.1)
    os._exit(0)


def main(command: list[str]) -> None:
    if not command:
        raise SystemExit("usage: python -m api.serve SERVER-COMMAND ... --host H --port P ...")
    try:
        host, port = check(command)
    except Refused as exc:
        raise SystemExit(f"Error: {exc}") from None
    server_pid = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    watcher = os.fork()
    if watcher == 0:
        announce_when_ready(url_of(host, port), server_pid)
    os.waitpid(watcher, 0)  # the first child only; the watcher itself lives on detached
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        raise SystemExit(f"Error: cannot run {command[0]}: {exc.strerror}") from None


if __name__ == "__main__":
    main(sys.argv[1:])
