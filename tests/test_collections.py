"""Every collection serves a populated list and its items, with the fields every entry has."""

import pytest

from api.registry import COLLECTIONS

MINIMUM_ENTRIES = {
    "roles": 5,
    "responsibilities": 12,
    "tools": 30,
    "metrics": 8,
    "sub-disciplines": 3,
    "faqs": 25,
    "practices": 5,
    "workflows": 3,
    "schedules": 2,
    "topics": 10,
    "resources": 4,
    "tags": 10,
}
NAMES = [c.name for c in COLLECTIONS]


def test_every_collection_has_a_minimum():
    assert set(MINIMUM_ENTRIES) == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_list_is_populated(client, name):
    response = client.get(f"/v1/{name}?page_size=100")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    entries = response.json
    assert isinstance(entries, list)
    assert len(entries) >= MINIMUM_ENTRIES[name]
    assert int(response.headers["X-Total-Count"]) == len(entries)


@pytest.mark.parametrize("name", NAMES)
def test_items_carry_slug_version_timestamps_and_links(client, name):
    for listed in client.get(f"/v1/{name}?page_size=100").json:
        response = client.get(f"/v1/{name}/{listed['slug']}")
        assert response.status_code == 200
        item = response.json
        assert item == listed
        assert item["version"] == 1
        assert item["created_at"].endswith("+00:00")
        assert item["updated_at"] == item["created_at"]
        assert item["links"]["self"] == f"/v1/{name}/{item['slug']}"


@pytest.mark.parametrize("name", NAMES)
def test_related_links_resolve(client, name):
    first = client.get(f"/v1/{name}?page_size=1").json[0]
    for link in first["links"].values():
        assert client.get(link).status_code == 200, link


def test_root_lists_every_collection_with_counts(client):
    root = client.get("/v1").json
    listed = {c["name"]: c for c in root["collections"]}
    assert list(listed) == NAMES
    for name, collection in listed.items():
        assert collection["url"] == f"/v1/{name}"
        total = client.get(collection["url"]).headers["X-Total-Count"]
        assert collection["count"] == int(total)
    assert root["links"]["docs"] == "/docs"
    assert root["links"]["openapi"] == "/openapi.json"


def test_unknown_slug_is_404_problem(client):
    response = client.get("/v1/roles/nobody-at-all")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "nobody-at-all" in response.json["detail"]
    assert "/v1/roles" in response.json["detail"]


@pytest.mark.parametrize("slug", ["UPPER", "a--b", "x" * 81, "nul\x00byte", "é"])
def test_malformed_slug_is_404_not_a_query(client, slug):
    assert client.get(f"/v1/tools/{slug}").status_code == 404
