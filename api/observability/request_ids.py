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
        # The random half as the high 64 bits of one counter: an id is a single formatting
        # of one int (2**64 requests before the counter reaches the random half: never).
        self.prefix = os.urandom(8).hex()
        self.counter = itertools.count((int(self.prefix, 16) << 64) + 1)

    def new(self) -> str:
        # next() on a count is atomic under the GIL; % formats an int fastest.
        return "%032x" % next(self.counter)  # noqa: UP031


REQUEST_IDS = RequestIds()  # one per process, for every app in it
