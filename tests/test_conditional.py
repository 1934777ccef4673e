"""ETag and 304 on every read, caching headers, CORS, security headers."""

import pytest

READS = [
    "/v1",
    "/v1/roles",
    "/v1/roles/developer",
    "/v1/tools?category=iac&sort=-name",
    "/v1/roles/devops-engineer?expand=tools",
    "/v1/faqs?fields=slug,question",
    "/openapi.json",
]


@pytest.mark.parametrize("url", READS)
def test_every_read_has_an_etag_and_revalidates_to_304(client, url):
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag


@pytest.mark.parametrize("url", READS)
def test_a_different_etag_gets_the_full_answer(client, url):
    response = client.get(url, headers={"If-None-Match": '"not-the-etag"'})
    assert response.status_code == 200
    assert response.data


def test_etag_differs_between_representations(client):
    full = client.get("/v1/roles/developer").headers["ETag"]
    sparse = client.get("/v1/roles/developer?fields=slug").headers["ETag"]
    other = client.get("/v1/roles/devops-engineer").headers["ETag"]
    assert len({full, sparse, other}) == 3


def test_etag_is_stable(client):
    assert client.get("/v1/tools").headers["ETag"] == client.get("/v1/tools").headers["ETag"]


def test_head_answers_like_get_without_a_body(client):
    get, head = client.get("/v1/roles/developer"), client.head("/v1/roles/developer")
    assert head.status_code == 200
    assert head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_public_reads_are_cacheable_after_revalidation(client):
    cache_control = client.get("/v1/tools").headers["Cache-Control"]
    assert "public" in cache_control
    assert "no-cache" in cache_control


def test_health_is_not_cached(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"


def test_errors_have_no_etag(client):
    assert "ETag" not in client.get("/v1/roles/nobody").headers


def test_cors_allows_configured_origin_and_exposes_headers(client):
    response = client.get("/v1/tools", headers={"Origin": "https://app.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"
    exposed = {
        h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")
    }
    assert {"etag", "link", "x-total-count"} <= exposed


def test_cors_preflight_from_configured_origin(client):
    response = client.options(
        "/v1/tools",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://app.example"


def test_cors_refuses_other_origins(client):
    response = client.get("/v1/tools", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("url", ["/v1/tools", "/v1/nothing", "/docs", "/healthz"])
def test_security_headers_on_every_answer(client, url):
    headers = client.get(url).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
