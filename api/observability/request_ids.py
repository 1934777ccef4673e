"""Request ids: the client's `X-Request-ID` when it is safe to log, else one made here."""

import itertools
import os
import re

SAFE = re.compile(r"[A-Za-z0-9._-]{1,128}").fullmatch  # what may be logged as it is
HEADER = "HTTP_X_REQUEST_ID"


class RequestIds:
    """32 hex digits: 16 drawn at random per process, then a counter.

    Unique across processes and restarts without a system call per request; drawn again in
    a forked child, so workers forked from one loaded app do not share a prefix. Made ids
    sort in the order they were made.
    """

    def __init__(self):
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count(1)  # next() on a count is atomic under the GIL

    def new(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"  # 2**64 requests: never wraps


REQUEST_IDS = RequestIds()  # one per process, for every app in it


def request_id(environ: dict) -> str:
    """The request's id, kept in `environ` (HTTP_X_REQUEST_ID) for the app to read too."""
    given = environ.get(HEADER)
    if given and SAFE(given):
        return given
    made = environ[HEADER] = REQUEST_IDS.new()
    return made
