"""/metrics is for the operators' Prometheus, not the public.

Without METRICS_TOKEN it answers only requests from this host that came through no proxy;
with METRICS_TOKEN it answers only `Authorization: Bearer <METRICS_TOKEN>`, from anywhere.
"""

import pytest

from api import create_app
from api.config import TestConfig

TOKEN = "scrape-me-7f3c9a"


@pytest.fixture
def metrics_app(database_url, app):
    def make(**settings):
        config = {"DATABASE_URL": database_url, **settings}
        return create_app(type("MetricsConfig", (TestConfig,), config)).test_client()

    return make


def scrape(client, address="127.0.0.1", headers=None):
    return client.get("/metrics", headers=headers or {}, environ_base={"REMOTE_ADDR": address})


def test_without_a_token_only_this_host_may_scrape(metrics_app):
    client = metrics_app()
    assert scrape(client).status_code == 200
    assert scrape(client, "::1").status_code == 200
    refused = scrape(client, "203.0.113.5")
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    assert "METRICS_TOKEN" in refused.json["detail"]
    assert "wdw_http_requests_total" not in refused.get_data(as_text=True)


def test_without_a_token_a_request_relayed_by_a_local_proxy_is_refused(metrics_app):
    client = metrics_app()
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        relayed = scrape(client, headers={header: "203.0.113.5"})
        assert relayed.status_code == 403, header


def test_with_a_token_only_the_token_opens_it(metrics_app):
    client = metrics_app(METRICS_TOKEN=TOKEN)
    allowed = scrape(client, "203.0.113.5", {"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200
    assert allowed.mimetype == "text/plain"
    assert "wdw_http_requests_total" in allowed.get_data(as_text=True)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = scrape(client, "127.0.0.1", headers)
        assert refused.status_code == 401, headers
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.mimetype == "application/problem+json"
