"""api/urls.py builds the URLs answers carry: site-relative, under /v1, readable."""

from api.urls import (
    api_url,
    collection_url,
    entry_url,
    restore_url,
    revision_url,
    revisions_url,
)


def test_entry_and_history_urls():
    assert entry_url("tools", "docker") == "/v1/tools/docker"
    assert entry_url("roles", "developer", "pain_points") == "/v1/roles/developer#pain_points"
    assert revisions_url("tools", "docker") == "/v1/tools/docker/revisions"
    assert revision_url("tools", "docker", 3) == "/v1/tools/docker/revisions/3"
    assert restore_url("tools", "docker", 3) == "/v1/tools/docker/revisions/3/restore"


def test_queries_are_encoded_in_order_with_commas_kept():
    assert api_url() == "/v1"
    assert collection_url("tools") == "/v1/tools"
    assert collection_url("tools", role="developer", page=2) == "/v1/tools?role=developer&page=2"
    assert api_url("compare", roles="developer,sre") == "/v1/compare?roles=developer,sre"
    assert api_url("answers", q="do devs code?") == "/v1/answers?q=do%20devs%20code%3F"


def test_urls_in_answers_come_from_the_builder(client):
    """The links a read carries are the ones the builder makes."""
    revision = client.get("/v1/tools/docker/revisions").get_json()[0]
    assert revision["links"]["self"] == revision_url("tools", "docker", revision["version"])
    assert revision["links"]["entry"] == entry_url("tools", "docker")
    root = client.get("/v1").get_json()
    assert {c["url"] for c in root["collections"]} >= {collection_url("tools")}
