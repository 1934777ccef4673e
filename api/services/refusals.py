"""Refused writes: services raise these, api/errors.py answers each with its `status`."""

from typing import Any


class WriteRefused(Exception):
    """A write that cannot be done; `status` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str, errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Forbidden(WriteRefused):
    status = 403


class Conflict(WriteRefused):
    status = 409


class Stale(WriteRefused):
    status = 412


class Invalid(WriteRefused):
    status = 422


def changed_meanwhile(slug: str) -> Stale:
    """The entry changed (or went) between the read a write started from and the write."""
    return Stale(f"'{slug}' was changed by someone else meanwhile. GET it and retry.")
