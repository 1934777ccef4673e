"""Stored representations: same bytes as the app, compressed forms, and bounded staleness."""

import gzip
import time

import brotli
import pytest
from sqlalchemy import text

from api import create_app
from api.config import TestConfig

from .conftest import bearer

URLS = [
    "/v1",
    "/v1/roles",
    "/v1/tools/docker",
    "/v1/faqs?tag=calms&fields=slug,question",
    "/v1/tools/docker?format=markdown",
    "/v1/answers?q=is+devops+a+job&format=markdown",
]


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


def instance(app, **settings):
    """Another app (another worker or instance) on the same database."""
    config = {"DATABASE_URL": app.config["DATABASE_URL"], **settings}
    return create_app(type("InstanceConfig", (TestConfig,), config))


@pytest.mark.parametrize("url", URLS)
def test_stored_answers_are_the_apps_answers(app, url):
    plain = instance(app, REPRESENTATION_CACHE_BYTES=0).test_client().get(url)
    client = app.test_client()
    cache = app.extensions["representation_cache"]
    client.get(url)
    hits = cache.hits
    stored = client.get(url)
    assert cache.hits == hits + 1
    assert stored.status_code == 200
    assert stored.data == plain.data
    assert stored.headers["ETag"] == plain.headers["ETag"]
    for header in ("Content-Type", "Cache-Control", "X-Content-Type-Options", "Link"):
        assert stored.headers.get(header) == plain.headers.get(header), header


def test_revalidation_and_head_from_memory(app):
    client = app.test_client()
    first = client.get("/v1/roles")
    again = client.get("/v1/roles", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    head = client.head("/v1/roles")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == first.headers["ETag"]


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_compressed_forms(app, encoding, decode):
    client = app.test_client()
    plain = client.get("/v1/tools?page_size=50")
    packed = client.get("/v1/tools?page_size=50", headers={"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert decode(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert "Accept-Encoding" in packed.headers.get_all("Vary")
    for etag in (plain.headers["ETag"], packed.headers["ETag"]):
        revalidated = client.get(
            "/v1/tools?page_size=50",
            headers={"Accept-Encoding": encoding, "If-None-Match": etag},
        )
        assert revalidated.status_code == 304


def test_a_write_is_seen_at_once_by_the_writing_process(app):
    client, editor = app.test_client(), bearer(app, "cache-writer")
    before = client.get("/v1/metrics/uptime")
    client.get("/v1/metrics/uptime")
    response = client.patch(
        "/v1/metrics/uptime",
        json={"summary": "Changed through the cache test."},
        headers={**editor, "If-Match": before.headers["ETag"]},
    )
    assert response.status_code == 200
    after = client.get("/v1/metrics/uptime")
    assert after.json["summary"] == "Changed through the cache test."
    assert after.headers["ETag"] != before.headers["ETag"]


def test_another_instance_sees_a_write_within_one_second(app):
    writer, reader = app.test_client(), instance(app).test_client()
    editor = bearer(app, "cache-other-instance")
    url = "/v1/metrics/error-rate"
    reader.get(url)
    etag = reader.get(url).headers["ETag"]
    response = writer.patch(
        url, json={"summary": "Seen elsewhere soon."}, headers={**editor, "If-Match": etag}
    )
    assert response.status_code == 200
    committed = time.monotonic()
    while reader.get(url).json["summary"] != "Seen elsewhere soon.":
        assert time.monotonic() - committed < 1.0, "stale beyond the 1 s bound"
        time.sleep(0.01)


def test_the_byte_budget_holds(app):
    small = instance(app, REPRESENTATION_CACHE_BYTES=40_000)
    client = small.test_client()
    for page in range(1, 8):
        client.get(f"/v1/faqs?page={page}&page_size=5")
        client.get(f"/v1/tools?page={page}&page_size=5")
    cache = small.extensions["representation_cache"]
    assert 0 < cache.bytes <= 40_000
    assert len(cache.entries) < 14


def test_the_etag_of_a_compressed_form_is_good_for_if_match(app):
    client, editor = app.test_client(), bearer(app, "cache-gzip-writer")
    packed = client.get("/v1/roles/platform-engineer", headers={"Accept-Encoding": "gzip"})
    etag = packed.headers["ETag"]
    assert etag.endswith('-gzip"')
    response = client.patch(
        "/v1/roles/platform-engineer",
        json={"summary": "Edited by a gzip client."},
        headers={**editor, "If-Match": etag},
    )
    assert response.status_code == 200


def test_a_stored_answer_does_not_repeat_the_first_clients_rate_limit_or_date(app):
    limited = instance(app, RATE_LIMITS_ENABLED=True)
    client = limited.test_client()
    first = client.get("/v1/tools/kubernetes")
    assert "X-RateLimit-Remaining" in first.headers  # the limiter did answer the first
    stored = client.get("/v1/tools/kubernetes", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert limited.extensions["representation_cache"].hits == 1
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Date"):
        assert header not in stored.headers, header
    assert stored.headers["ETag"] == first.headers["ETag"]


def change_behind_the_cache(app, slug: str, summary: str) -> None:
    """Change a metric in the database without a revision: the generation stays the same."""
    with app.extensions["database"]["engine"].begin() as connection:
        connection.execute(
            text("UPDATE metrics SET summary = :summary WHERE slug = :slug"),
            {"summary": summary, "slug": slug},
        )


@pytest.mark.parametrize(
    "headers",
    [
        {"Cache-Control": "no-cache"},
        {"Pragma": "no-cache"},
        {"Cache-Control": "max-age=0, no-cache"},
    ],
)
def test_no_cache_is_answered_by_the_app_and_stored_for_the_next(app, headers):
    client, url = app.test_client(), "/v1/metrics/mttr"
    client.get(url)
    old = client.get(url).json["summary"]
    change_behind_the_cache(app, "mttr", f"Fresh for {headers}.")
    assert client.get(url).json["summary"] == old  # stored: the generation did not change
    fresh = client.get(url, headers=headers)
    assert fresh.json["summary"] == f"Fresh for {headers}."
    assert client.get(url).headers["ETag"] == fresh.headers["ETag"]  # stored in its place


def test_pragma_counts_only_without_cache_control(app):
    client, url = app.test_client(), "/v1/metrics/deployment-frequency"
    old = client.get(url).json["summary"]
    change_behind_the_cache(app, "deployment-frequency", "Changed behind the cache.")
    headers = {"Cache-Control": "max-age=600", "Pragma": "no-cache"}
    assert client.get(url, headers=headers).json["summary"] == old


def test_no_store_is_neither_served_nor_stored(app):
    client, url = app.test_client(), "/v1/metrics/sprint-velocity"
    old = client.get(url).json["summary"]
    change_behind_the_cache(app, "sprint-velocity", "Not stored.")
    fresh = client.get(url, headers={"Cache-Control": "no-store"})
    assert fresh.json["summary"] == "Not stored."
    assert client.get(url).json["summary"] == old
