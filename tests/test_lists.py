"""Pagination, filters, sort, sparse fields and embedded relations."""

import re

import pytest


def links(response) -> dict[str, str]:
    return {
        rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])
    }


def slugs(response) -> list[str]:
    return [entry["slug"] for entry in response.json]


def test_default_page_size_is_20(client):
    response = client.get("/v1/tools")
    assert len(response.json) == 20
    assert int(response.headers["X-Total-Count"]) >= 30


def test_pages_walk_the_whole_list_without_overlap(client):
    total = int(client.get("/v1/tools").headers["X-Total-Count"])
    seen, url = [], "/v1/tools?page_size=7"
    while url:
        response = client.get(url)
        seen += slugs(response)
        url = links(response).get("next")
    assert len(seen) == total == len(set(seen))


def test_link_header_has_first_prev_next_last(client):
    total = int(client.get("/v1/tools").headers["X-Total-Count"])
    last = -(-total // 5)
    rels = links(client.get("/v1/tools?page=2&page_size=5&category=language"))
    assert set(rels) >= {"first", "prev", "last"}
    rels = links(client.get("/v1/tools?page=2&page_size=5"))
    assert rels == {
        "first": "/v1/tools?page=1&page_size=5",
        "prev": "/v1/tools?page=1&page_size=5",
        "next": "/v1/tools?page=3&page_size=5",
        "last": f"/v1/tools?page={last}&page_size=5",
    }


def test_link_keeps_filters(client):
    rels = links(client.get("/v1/tools?page_size=2&category=language"))
    assert "category=language" in rels["next"]


def test_page_past_the_end_is_empty(client):
    response = client.get("/v1/tools?page=999")
    assert response.status_code == 200
    assert response.json == []
    assert "next" not in links(response)


@pytest.mark.parametrize(
    "query",
    [
        "page_size=0",
        "page_size=101",
        "page=0",
        "page=-1",
        f"page={10**19}",
        "page=abc",
        f"page_size={2**63}",
    ],
)
def test_bad_pagination_is_422_naming_the_field(client, query):
    response = client.get(f"/v1/tools?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert set(response.json["errors"]) == {query.split("=")[0]}


def test_max_page_size_is_100(client):
    assert client.get("/v1/tools?page_size=100").status_code == 200


def test_tools_by_category(client):
    response = client.get("/v1/tools?category=iac&page_size=100")
    assert {"terraform", "pulumi"} <= set(slugs(response))
    assert all(tool["category"] == "iac" for tool in response.json)


def test_unknown_category_is_422_listing_allowed_values(client):
    response = client.get("/v1/tools?category=spaceship")
    assert response.status_code == 422
    assert "iac" in " ".join(response.json["errors"]["category"])


@pytest.mark.parametrize(
    ("collection", "query", "must_include"),
    [
        ("tools", "role=devops-engineer", {"docker", "kubernetes", "terraform"}),
        ("tools", "role=developer", {"react", "prisma", "jest"}),
        ("responsibilities", "role=developer", {"feature-delivery"}),
        ("metrics", "role=devops-engineer", {"mttr", "deployment-frequency"}),
        ("faqs", "tag=calms", set()),
        ("faqs", "role=site-reliability-engineer", set()),
        ("roles", "tool=docker", {"devops-engineer"}),
        ("sub-disciplines", "role=site-reliability-engineer", {"site-reliability-engineering"}),
        ("workflows", "kind=loop", {"inner-loop", "outer-loop"}),
        ("workflows", "role=developer", {"inner-loop"}),
        ("schedules", "role=developer", {"developer-day"}),
    ],
)
def test_filters(client, collection, query, must_include):
    response = client.get(f"/v1/{collection}?{query}&page_size=100")
    assert response.status_code == 200
    found = set(slugs(response))
    assert found, f"{collection}?{query} found nothing"
    assert must_include <= found
    total = int(client.get(f"/v1/{collection}").headers["X-Total-Count"])
    assert len(found) < total


def test_relation_filter_matches_the_item_relations(client):
    for tool in client.get("/v1/tools?role=platform-engineer&page_size=100").json:
        assert "platform-engineer" in tool["roles"]


def test_filter_on_unknown_slug_is_empty_not_error(client):
    response = client.get("/v1/tools?role=nobody")
    assert response.status_code == 200
    assert response.json == []
    assert response.headers["X-Total-Count"] == "0"


def test_sort_ascending_and_descending(client):
    names = [t["name"] for t in client.get("/v1/tools?sort=name&page_size=100").json]
    assert names == sorted(names)
    reverse = [t["name"] for t in client.get("/v1/tools?sort=-name&page_size=100").json]
    assert reverse == sorted(names, reverse=True)


def test_sort_by_two_keys(client):
    tools = client.get("/v1/tools?sort=category,-name&page_size=100").json
    keys = [(t["category"], t["name"]) for t in tools]
    by_name_descending = sorted(keys, key=lambda k: k[1], reverse=True)
    assert keys == sorted(by_name_descending, key=lambda k: k[0])


def test_repeated_sort_key_counts_once(client):
    once = client.get("/v1/tools?sort=-name").json
    assert client.get("/v1/tools?sort=-name,-name").json == once


@pytest.mark.parametrize("sort", ["password", "-", "name,", "name, slug", "-summary", ""])
def test_bad_sort_is_422(client, sort):
    response = client.get(f"/v1/tools?sort={sort}")
    assert response.status_code == 422
    assert "sort" in response.json["errors"]


def test_sparse_fields(client):
    response = client.get("/v1/tools?fields=slug,name")
    assert all(set(tool) == {"slug", "name"} for tool in response.json)
    item = client.get("/v1/tools/docker?fields=category").json
    assert item == {"category": "container"}


def test_unknown_field_name_is_422(client):
    response = client.get("/v1/tools?fields=slug,secret")
    assert response.status_code == 422
    assert "secret" in response.json["errors"]["fields"][0]


def test_expand_embeds_related_entries(client):
    role = client.get("/v1/roles/devops-engineer?expand=tools,metrics").json
    embedded = role["embedded"]
    assert [t["slug"] for t in embedded["tools"]] == role["tools"]
    assert [m["slug"] for m in embedded["metrics"]] == role["metrics"]
    docker = next(t for t in embedded["tools"] if t["slug"] == "docker")
    assert docker == client.get("/v1/tools/docker").json


def test_expand_a_single_reference(client):
    schedule = client.get("/v1/schedules/developer-day?expand=role").json
    assert schedule["embedded"]["role"][0]["slug"] == "developer"


def test_expand_in_lists(client):
    for tool in client.get("/v1/tools?expand=roles&page_size=5").json:
        assert [r["slug"] for r in tool["embedded"]["roles"]] == tool["roles"]


def test_unknown_expand_is_422(client):
    response = client.get("/v1/roles/developer?expand=friends")
    assert response.status_code == 422
    assert "expand" in response.json["errors"]


def test_unknown_query_parameter_is_422_naming_it(client):
    response = client.get("/v1/tools?categroy=iac")
    assert response.status_code == 422
    assert "categroy" in response.json["errors"]
