"""Property-based tests from the spec: no server errors, every answer conforms to the spec.

Two runs: every read operation against the shared seeded database, and every write
operation with an editor key against a database of its own.
"""

import logging
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import bearer

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
# The writes' database ranks by words only (tests/conftest.py writable_app): these check the
# spec; embedding every generated text would triple each write's cost in CI.
SEMANTIC_SEARCH = False
# The in-process client does not decode gzip or brotli, which stored representations use
# when offered (tests/test_cache.py checks those forms).
PLAIN = {"Accept-Encoding": "identity"}

# Writes without a key are all 401: tests/test_writes.py walks every write route for that.


class ServerTracebacks(logging.Handler):
    """Keeps the tracebacks the app logs, to show with a failure (the app hides them)."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.found.append("".join(traceback.format_exception(*record.exc_info)))


@pytest.fixture(scope="module")
def server_tracebacks():
    handler = ServerTracebacks()
    logger = logging.getLogger("api.errors")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


def call_and_validate(case, tracebacks: ServerTracebacks, **kwargs) -> None:
    seen = len(tracebacks.found)
    try:
        case.call_and_validate(**kwargs)
    finally:
        if len(tracebacks.found) > seen:
            raise AssertionError("the server failed:\n" + tracebacks.found[-1])


anonymous = schemathesis.pytest.from_fixture("api_schema").exclude(method=WRITE_METHODS)
authenticated = schemathesis.pytest.from_fixture("writable_api_schema").include(
    method=WRITE_METHODS
)


@pytest.fixture(scope="module")
def editor_headers(writable_app):
    return bearer(writable_app, "schemathesis")


# If-Match is required on PUT, PATCH and DELETE: without it the answer is 428 (RFC 6585),
# unless the entry is gone (410) or missing (404), which RFC 9110 checks before preconditions;
# a stale or made-up one is 412. Schemathesis's defaults leave some of these out.
REFUSED = [400, 401, 403, 404, 405, 406, 409, 410, 412, 415, 422, 428, 429]
WRITE_CHECKS = SchemathesisConfig.from_dict(
    {
        "checks": {
            "negative_data_rejection": {"expected-statuses": [*REFUSED, "5xx"]},
            "missing_required_header": {"expected-statuses": REFUSED},
        }
    }
)


@pytest.fixture(scope="module")
def writable_api_schema(writable_app):
    return schemathesis.openapi.from_wsgi("/openapi.json", writable_app, config=WRITE_CHECKS)


# Where valid-looking input can name nothing: `roles` slugs that name no role are 422 naming
# them (the issue asks for it), which no pattern in the spec can tell apart.
NAMES_ENTRIES = {"/v1/compare"}


@anonymous.parametrize()
@SETTINGS
def test_every_operation_conforms_to_its_spec(case, server_tracebacks):
    excluded = [positive_data_acceptance] if case.operation.path in NAMES_ENTRIES else []
    call_and_validate(case, server_tracebacks, headers=PLAIN, excluded_checks=excluded)


@authenticated.parametrize()
@SETTINGS
def test_every_write_with_a_key_conforms_to_its_spec(case, editor_headers, server_tracebacks):
    # A body can match the schema and still be refused with 422 for what no schema can say:
    # a slug that names no entry, an Idempotency-Key reused with another body. Every other
    # check holds: no 5xx, documented status, content type and body.
    call_and_validate(
        case,
        server_tracebacks,
        headers={**PLAIN, **editor_headers},
        excluded_checks=[positive_data_acceptance],
    )
