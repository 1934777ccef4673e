"""Request ids, JSON log lines and Prometheus metrics."""

import io
import json
import logging

import pytest

from api import create_app
from api.config import TestConfig


@pytest.fixture
def observed(database_url, app):
    return create_app(type("ObservedConfig", (TestConfig,), {"DATABASE_URL": database_url}))


@pytest.fixture
def access_log(observed) -> io.StringIO:
    stream = io.StringIO()
    observed.extensions["observability"].access_log.stream = stream
    return stream


def access_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_request_id_is_echoed_or_made(observed):
    client = observed.test_client()
    assert client.get("/v1", headers={"X-Request-ID": "trace-42"}).headers["X-Request-ID"] == (
        "trace-42"
    )
    made = client.get("/v1").headers["X-Request-ID"]
    assert len(made) == 32
    replaced = client.get("/v1", headers={"X-Request-ID": "bad id\twith spaces"})
    assert replaced.headers["X-Request-ID"] != "bad id\twith spaces"
    assert client.get("/nowhere").headers["X-Request-ID"]


def test_one_json_line_per_request_without_the_query_string(observed, access_log):
    client = observed.test_client()
    client.get("/v1/tools?category=iac&secret=wdw_abc_def", headers={"X-Request-ID": "r-1"})
    client.get("/v1/tools/docker", headers={"X-Request-ID": "r-2"})
    client.get("/v1/tools/docker", headers={"X-Request-ID": "r-3"})
    lines = access_lines(access_log)
    assert [line["request_id"] for line in lines] == ["r-1", "r-2", "r-3"]
    first, _, third = lines
    assert (first["path"], first["status"], first["route"]) == ("/v1/tools", 400, "tools.EntryList")
    assert "wdw_abc_def" not in access_log.getvalue()
    assert third["cache"] == "hit" and third["duration_ms"] >= 0
    assert third["logger"] == "api.access" and third["time"].endswith("Z")


def test_metrics_in_prometheus_format(observed):
    client = observed.test_client()
    client.get("/v1/roles")
    client.get("/v1/roles")
    client.get("/v1/roles/nobody")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert 'wdw_http_requests_total{method="GET",route="roles.EntryList",status="200"} 2.0' in text
    assert 'route="roles.EntryBySlug",status="404"' in text
    assert 'wdw_http_request_duration_seconds_bucket{le="0.005",route="roles.EntryList"}' in text
    assert 'wdw_representation_cache_lookups_total{result="hit"} 1.0' in text
    assert 'wdw_representation_cache_lookups_total{result="miss"}' in text
    assert "wdw_db_pool_checked_out" in text
    assert "wdw_representation_cache_bytes" in text


def test_errors_are_logged_as_json_with_their_traceback(observed, caplog):
    @observed.get("/v1/explode")
    def explode():
        raise RuntimeError("kaboom")

    caplog.set_level(logging.INFO)
    observed.test_client().get("/v1/explode", headers={"X-Request-ID": "boom-1"})
    error = next(r for r in caplog.records if r.name == "api.errors")
    line = json.loads(observed.logger.handlers[0].format(error))
    assert line["level"] == "error"
    assert "kaboom" in line["exception"]
