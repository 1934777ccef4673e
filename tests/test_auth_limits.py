"""Only a verified key names a rate-limit bucket; failed authentications are cheap and bounded.

Counters live in the real Redis (TEST_REDIS_URL), each test under a prefix of its own.
"""

import gc
import hashlib
import hmac
import secrets
import sys
import threading
import time
import uuid

import pytest
from sqlalchemy import event, select, update

from api.extensions import WRITER, db, make_engine
from api.models import ApiKey
from api.models.base import utcnow
from api.services import keys

from .conftest import make_key
from .test_rate_limits import REDIS_URL, limited_app

SEARCH = "/v1/search?q=docker"


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def url(app) -> str:
    return app.config["DATABASE_URL"]


def forged() -> dict[str, str]:
    return {"Authorization": f"Bearer wdw_{secrets.token_hex(6)}_{secrets.token_urlsafe(8)}"}


def at(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def faq(slug: str) -> dict:
    return {"slug": slug, "question": f"What is {slug}?", "answer": "An answer."}


# Buckets


def test_forged_keys_count_against_the_client_address(url):
    client = limited_app(
        url,
        RATE_LIMIT_SEARCH="3/minute",
        RATE_LIMIT_AUTH_FAILURES="100/minute",
        REDIS_URL=REDIS_URL,
    ).test_client()
    statuses = [client.get(SEARCH, headers=forged()).status_code for _ in range(6)]
    assert statuses == [200, 200, 200, 429, 429, 429]
    # The same address without any key shares that bucket.
    assert client.get(SEARCH).status_code == 429


def test_wrong_secrets_do_not_spend_the_owners_budget(app, url):
    key = make_key(app, f"owner-{uuid.uuid4().hex[:8]}")
    public_part = key.split("_")[1]
    client = limited_app(
        url,
        RATE_LIMIT_SEARCH="3/minute",
        RATE_LIMIT_AUTH_FAILURES="100/minute",
        REDIS_URL=REDIS_URL,
    ).test_client()
    for n in range(5):
        wrong = {"Authorization": f"Bearer wdw_{public_part}_wrong{n}"}
        client.get(SEARCH, headers=wrong, environ_base=at("203.0.113.9"))
    owner = {"Authorization": f"Bearer {key}"}
    statuses = [
        client.get(SEARCH, headers=owner, environ_base=at("198.51.100.7")).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_a_verified_key_has_a_bucket_of_its_own_wherever_it_comes_from(app, url):
    key = {"Authorization": f"Bearer {make_key(app, f'roaming-{uuid.uuid4().hex[:8]}')}"}
    client = limited_app(url, RATE_LIMIT_SEARCH="2/minute", REDIS_URL=REDIS_URL).test_client()
    assert [client.get(SEARCH).status_code for _ in range(3)] == [200, 200, 429]
    first = client.get(SEARCH, headers=key, environ_base=at("192.0.2.1")).status_code
    second = client.get(SEARCH, headers=key, environ_base=at("192.0.2.2")).status_code
    third = client.get(SEARCH, headers=key, environ_base=at("192.0.2.3")).status_code
    assert (first, second, third) == (200, 200, 429)


# Failed authentications


def test_failed_authentications_have_a_small_budget_per_address(url):
    client = limited_app(url, RATE_LIMIT_AUTH_FAILURES="3/minute", REDIS_URL=REDIS_URL)
    client = client.test_client()
    statuses = [
        client.post("/v1/faqs", json=faq("nope"), headers=forged(), environ_base=at("10.9.9.9"))
        for _ in range(5)
    ]
    assert [r.status_code for r in statuses] == [401, 401, 401, 429, 429]
    refused = statuses[-1]
    assert refused.mimetype == "application/problem+json"
    assert "failed authentications" in refused.json["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Reads with a wrong key spend the same budget; reads without one are not affected.
    assert client.get(SEARCH, headers=forged(), environ_base=at("10.9.9.9")).status_code == 429
    assert client.get(SEARCH, environ_base=at("10.9.9.9")).status_code == 200
    # Another address has its own budget.
    other = client.post("/v1/faqs", json=faq("nope"), headers=forged(), environ_base=at("10.8.8.8"))
    assert other.status_code == 401


def test_past_the_budget_a_failed_authentication_costs_no_query(app, url):
    limited = limited_app(url, RATE_LIMIT_AUTH_FAILURES="2/minute", REDIS_URL=REDIS_URL)
    client = limited.test_client()
    for _ in range(2):
        client.post("/v1/faqs", json=faq("nope"), headers=forged(), environ_base=at("10.7.7.7"))
    with limited.app_context(), count_statements(db.engine) as statements:
        for _ in range(20):
            client.post("/v1/faqs", json=faq("nope"), headers=forged(), environ_base=at("10.7.7.7"))
    assert statements == []


class count_statements:
    """The SQL statements an engine runs while the block runs."""

    def __init__(self, engine):
        self.engine, self.statements = engine, []

    def record(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self.record)
        return self.statements

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self.record)


def test_a_failed_authentication_never_waits_for_the_write_lock(url):
    app = limited_app(url, RATE_LIMITS_ENABLED=False)
    client = app.test_client()
    engine = make_engine(url)
    holder = engine.execution_options(**WRITER).connect()
    answers = []

    def bogus_write():
        answers.append(client.post("/v1/faqs", json=faq("locked-out"), headers=forged()))

    try:
        holder.begin()  # takes the write lock: BEGIN IMMEDIATE, or the advisory lock
        writer = threading.Thread(target=bogus_write)
        writer.start()
        writer.join(timeout=3)
        answered_while_locked = not writer.is_alive()
    finally:
        holder.rollback()
        holder.close()
        writer.join()
        engine.dispose()
    assert answered_while_locked, "a bogus key waited for the write lock"
    assert answers[0].status_code == 401


# The cache of verified keys


def test_verified_keys_are_cached_and_a_revocation_applies_within_the_bound(app, url):
    name = f"cached-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {make_key(app, name)}"}
    cached = limited_app(url, RATE_LIMITS_ENABLED=False, API_KEY_CACHE_SECONDS=0.4)
    client = cached.test_client()
    with cached.app_context(), count_statements(db.engine) as statements:
        # An invalid body: authenticated, then refused with 422 before anything is written.
        answers = [client.post("/v1/faqs", json={}, headers=headers).status_code for _ in range(5)]
    assert answers == [422] * 5
    assert len([s for s in statements if "api_keys" in s]) == 1
    # Revoked by another process (no eviction in this one): refused once the entry expires.
    with cached.app_context():
        revoked = update(ApiKey).where(ApiKey.name == name).values(revoked_at=utcnow())
        db.session.execute(revoked)
        db.session.commit()
    time.sleep(0.5)
    assert client.post("/v1/faqs", json={}, headers=headers).status_code == 401


# Timing: a public part that exists costs the same work as one that does not


def traced_calls(app, token: str) -> list[str]:
    """Every Python and C function called while verifying `token`, in order."""
    calls: list[str] = []

    def profile(frame, event_name, arg):
        if event_name == "call":
            calls.append(frame.f_code.co_qualname)
        elif event_name == "c_call":
            calls.append(getattr(arg, "__qualname__", repr(arg)))

    with app.app_context():
        session = db.session
        for _ in range(3):  # warm every cache (statement compilation, pool) first
            keys.authenticate(session, token)
        gc.disable()  # a collection mid-trace would run finalizers in one trace only
        sys.setprofile(profile)
        try:
            keys.authenticate(session, token)
        finally:
            sys.setprofile(None)
            gc.enable()
        session.rollback()
    return calls


def test_a_missing_public_part_does_the_same_work_as_a_wrong_secret(app, monkeypatch):
    key = make_key(app, f"timing-{uuid.uuid4().hex[:8]}")
    public_part = key.split("_")[1]
    wrong_secret = f"wdw_{public_part}_{secrets.token_urlsafe(32)}"
    missing = f"wdw_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"
    counts = {"sha256": 0, "compare_digest": 0}
    sha256, compare_digest = hashlib.sha256, hmac.compare_digest

    def counted_sha256(*args, **kwargs):
        counts["sha256"] += 1
        return sha256(*args, **kwargs)

    def counted_compare(*args):
        counts["compare_digest"] += 1
        return compare_digest(*args)

    monkeypatch.setattr(hashlib, "sha256", counted_sha256)
    monkeypatch.setattr(hmac, "compare_digest", counted_compare)
    work = {}
    for label, token in (("missing", missing), ("wrong secret", wrong_secret)):
        counts.update(sha256=0, compare_digest=0)
        with app.app_context():
            assert keys.authenticate(db.session, token) is None
        work[label] = dict(counts)
    assert work["missing"] == work["wrong secret"]
    assert work["missing"]["compare_digest"] == 1
    monkeypatch.undo()
    assert traced_calls(app, missing) == traced_calls(app, wrong_secret)


def test_a_write_stamps_its_keys_last_use_and_a_refused_one_does_not(app):
    name = f"stamped-{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {make_key(app, name)}"}
    client = app.test_client()

    def last_used():
        with app.app_context():
            query = select(ApiKey.last_used_at).where(ApiKey.name == name)
            return db.session.scalar(query)

    assert client.post("/v1/faqs", json={}, headers=headers).status_code == 422
    assert last_used() is None
    assert client.post("/v1/faqs", json=faq(name), headers=headers).status_code == 201
    assert last_used() is not None
