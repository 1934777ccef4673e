"""Rate limits: per key or address, one bucket across instances through the real Redis."""

import os
import uuid

from api import create_app
from api.config import TestConfig

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def limited_app(database_url: str, **settings):
    config = {
        "DATABASE_URL": database_url,
        "RATE_LIMITS_ENABLED": True,
        "RATE_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}",
        "REPRESENTATION_CACHE_BYTES": 0,  # so that every request reaches the limiter
        "REDIS_URL": "",
        **settings,
    }
    return create_app(type("LimitedConfig", (TestConfig,), config))


def test_over_the_limit_is_429_problem_details_with_retry_after(app, database_url):
    client = limited_app(database_url, RATE_LIMIT_READS="3/minute").test_client()
    statuses = [client.get("/v1/roles").status_code for _ in range(3)]
    assert statuses == [200] * 3
    response = client.get("/v1/roles")
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert client.get("/healthz").status_code == 200


def test_search_and_writes_have_their_own_stricter_budgets(app, database_url):
    client = limited_app(
        database_url, RATE_LIMIT_READS="100/minute", RATE_LIMIT_SEARCH="2/minute"
    ).test_client()
    assert [client.get("/v1/search?q=docker").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/v1/roles").status_code == 200


def test_a_forged_forwarded_for_does_not_reset_the_bucket(app, database_url):
    client = limited_app(database_url, RATE_LIMIT_READS="2/minute").test_client()
    statuses = [
        client.get("/v1/roles", headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_bucket(app, database_url):
    client = limited_app(database_url, RATE_LIMIT_READS="1/minute", TRUSTED_PROXIES=1)
    client = client.test_client()
    for n in range(3):
        headers = {"X-Forwarded-For": f"10.0.0.{n}"}
        assert client.get("/v1/roles", headers=headers).status_code == 200
    assert client.get("/v1/roles", headers={"X-Forwarded-For": "10.0.0.0"}).status_code == 429


def test_a_forged_key_shares_its_address_bucket(app, database_url):
    """Only a key that verifies names a bucket (tests/test_auth_limits.py tests real keys)."""
    client = limited_app(database_url, RATE_LIMIT_READS="1/minute").test_client()
    assert client.get("/v1/roles").status_code == 200
    assert client.get("/v1/roles").status_code == 429
    forged = {"Authorization": "Bearer wdw_0123456789ab_secret"}
    assert client.get("/v1/roles", headers=forged).status_code == 429


def test_two_instances_share_one_bucket_in_redis(app, database_url):
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {"RATE_LIMIT_READS": "4/minute", "REDIS_URL": REDIS_URL, "RATE_LIMIT_PREFIX": prefix}
    first = limited_app(database_url, **settings).test_client()
    second = limited_app(database_url, **settings).test_client()
    statuses = [client.get("/v1/roles").status_code for client in (first, second) * 3]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_redis_down_falls_back_to_counting_in_memory(app, database_url):
    client = limited_app(
        database_url, RATE_LIMIT_READS="2/minute", REDIS_URL="redis://127.0.0.1:9/0"
    ).test_client()
    assert [client.get("/v1/roles").status_code for _ in range(3)] == [200, 200, 429]


def test_retry_after_only_on_429_and_503(app, database_url):
    client = limited_app(database_url, RATE_LIMIT_READS="2/minute").test_client()
    ok = client.get("/v1/roles")
    assert ok.status_code == 200
    assert ok.headers["X-RateLimit-Limit"] == "2"
    assert "Retry-After" not in ok.headers
    missing = client.get("/v1/roles/nobody")
    assert missing.status_code == 404
    assert "Retry-After" not in missing.headers
    limited = client.get("/v1/roles")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
