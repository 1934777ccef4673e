"""/v1/compare: the matrix side by side and the overlap of responsibilities, tools, metrics."""

import json
import re
from pathlib import Path

import pytest

from api.services.compare import ASPECTS

SEED = Path(__file__).resolve().parent.parent / "seed"
ROLES = {role["slug"]: role for role in json.loads((SEED / "roles.json").read_text())}


def _seed(collection: str) -> list[dict]:
    return json.loads((SEED / f"{collection}.json").read_text())


def seeded_links(collection: str) -> dict[str, set[str]]:
    """Role slug -> the slugs of the entries in `collection` that name it, read from seed/."""
    linked: dict[str, set[str]] = {}
    for entry in json.loads((SEED / f"{collection}.json").read_text()):
        for role in entry.get("roles", []):
            linked.setdefault(role, set()).add(entry["slug"])
    return linked


def test_matrix_sets_the_roles_side_by_side(client):
    response = client.get("/v1/compare?roles=developer,devops-engineer")
    assert response.status_code == 200
    body = response.json
    assert [r["slug"] for r in body["roles"]] == ["developer", "devops-engineer"]
    assert body["roles"][0]["url"] == "/v1/roles/developer"
    assert body["roles"][0]["version"] >= 1
    aspects = {row["aspect"]: row["values"] for row in body["matrix"]}
    assert set(aspects) >= {
        "output",
        "philosophy",
        "pain_points",
        "key_metric",
        "core_tooling",
        "daily_activity",
        "scale_focus",
        "automation",
    }
    for aspect, values in aspects.items():
        for slug in ("developer", "devops-engineer"):
            assert values[slug] == ROLES[slug][aspect]


def test_every_role_has_every_aspect_in_the_fixtures():
    gaps = {
        slug: [aspect for aspect, _ in ASPECTS if not (role.get(aspect) or "").strip()]
        for slug, role in ROLES.items()
    }
    assert not {slug: missing for slug, missing in gaps.items() if missing}


def test_comparing_every_role_leaves_no_cell_empty(client):
    body = client.get(f"/v1/compare?roles={','.join(ROLES)}").json
    assert [row["aspect"] for row in body["matrix"]] == [aspect for aspect, _ in ASPECTS]
    for row in body["matrix"]:
        assert row["values"] == {slug: ROLES[slug][row["aspect"]] for slug in ROLES}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_the_matrix_is_kept_in_the_roles_only():
    """No topic repeats a cell: a copy elsewhere drifts (it once listed tools in another order)."""
    topics = {t["slug"]: _words(f"{t['summary']} {t['body']}") for t in _seed("topics")}
    repeated = [
        (slug, role["slug"], aspect)
        for role in ROLES.values()
        for aspect, _ in ASPECTS
        for slug, text in topics.items()
        if len(_words(role[aspect]).split()) >= 3 and _words(role[aspect]) in text
    ]
    assert not repeated


@pytest.mark.parametrize("relation", ["responsibilities", "tools", "metrics"])
def test_overlap_follows_the_seeded_links(client, relation):
    linked = seeded_links(relation)
    dev, ops = linked.get("developer", set()), linked.get("devops-engineer", set())
    body = client.get("/v1/compare?roles=developer,devops-engineer").json[relation]
    assert {e["slug"] for e in body["shared"]} == dev & ops
    assert {e["slug"] for e in body["only"]["developer"]} == dev - ops
    assert {e["slug"] for e in body["only"]["devops-engineer"]} == ops - dev
    assert body["partly"] == []
    for entry in body["shared"] + body["only"]["developer"]:
        assert entry["url"] == f"/v1/{relation}/{entry['slug']}"


def test_tools_both_use_are_shared(client):
    body = client.get("/v1/compare?roles=developer,devops-engineer").json["tools"]
    assert body["shared"], "the articles name tools developers and DevOps engineers both use"


def test_three_roles_report_what_some_share(client):
    slugs = ["developer", "devops-engineer", "site-reliability-engineer"]
    body = client.get(f"/v1/compare?roles={','.join(slugs)}").json
    linked = seeded_links("tools")
    holders = {
        tool: [s for s in slugs if tool in linked.get(s, set())]
        for tool in set().union(*(linked.get(s, set()) for s in slugs))
    }
    expected = {tool for tool, who in holders.items() if 1 < len(who) < 3}
    assert {e["slug"] for e in body["tools"]["partly"]} == expected
    for entry in body["tools"]["partly"]:
        assert entry["roles"] == holders[entry["slug"]]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("roles=developer,no-such-role", "'no-such-role'"),
        ("roles=developer,nope,zzz", "'nope', 'zzz'"),
        ("roles=developer", "between 2"),
        ("roles=developer,developer", "between 2"),
        ("roles=developer,Dev", "'Dev'"),
        ("roles=developer,,devops-engineer", "''"),
        ("", "Missing"),
        ("roles=developer,devops-engineer&extra=1", "Unknown"),
    ],
)
def test_bad_roles_are_422_naming_the_problem(client, query, named):
    response = client.get(f"/v1/compare?{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert named in json.dumps(response.json["errors"])
