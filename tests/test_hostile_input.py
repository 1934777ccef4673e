"""Inputs that break one database and not the other get a 4xx or a 200, never a 5xx."""

import json
import re
from pathlib import Path

import pytest

from api.registry import COLLECTIONS

from .conftest import bearer

HOSTILE_VALUES = [
    "\x00",
    "a\x00b",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "x" * 10_000,
    "' OR 1=1 --",
    '" AND NOT NEAR ( * ) :',
    "😀",
    "%00",
    "",
]


def list_parameters(collection) -> list[str]:
    return [f.data_key or name for name, f in collection.list_args._declared_fields.items()]


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_hostile_query_values_never_give_5xx(client, collection):
    for parameter in list_parameters(collection):
        for value in HOSTILE_VALUES:
            response = client.get(f"/v1/{collection.name}", query_string={parameter: value})
            assert response.status_code in (200, 422), (parameter, value, response.json)
            if response.status_code == 422:
                assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("value", HOSTILE_VALUES[:-1])
def test_hostile_slugs_never_give_5xx(client, value):
    response = client.get(f"/v1/roles/{value}")
    assert response.status_code == 404


def test_nul_in_query_is_422_naming_the_parameter(client):
    response = client.get("/v1/practices", query_string={"framework": "CAL\x00MS"})
    assert response.status_code == 422
    assert response.json["errors"] == {"framework": ["NUL characters are not allowed."]}


@pytest.mark.parametrize("value", ["\x00", "x" * 500])
def test_hostile_headers_never_give_5xx(client, value):
    headers = {"If-None-Match": value, "Accept": "application/json", "Origin": value[:100]}
    assert client.get("/v1/tools", headers=headers).status_code == 200


@pytest.mark.parametrize("value", HOSTILE_VALUES[:-1])
def test_hostile_slugs_in_history_routes_never_give_5xx(client, value):
    assert client.get(f"/v1/roles/{value}/revisions").status_code == 404
    assert client.get(f"/v1/roles/{value}/revisions/1").status_code == 404


@pytest.mark.parametrize("cursor", ["c2147483648", "c3000000000", "c999999999999"])
def test_cursors_past_32_bits_are_empty_not_errors(client, cursor):
    response = client.get(f"/v1/changes?since={cursor}")
    assert response.status_code == 200
    assert response.json == []


# Hostile bodies (issue 10, item 9): a refusal naming the problem, never a 500.

MAX_DEPTH = 32  # the documented nesting limit (api/bodies.py)


@pytest.fixture(scope="module")
def writer(writable_app):
    return writable_app.test_client()


@pytest.fixture(scope="module")
def editor(writable_app):
    return bearer(writable_app, "hostile-bodies")


def seed_entry(app, collection) -> dict:
    return json.loads((Path(app.config["SEED_DIR"]) / f"{collection.name}.json").read_text())[0]


def write_routes() -> list[tuple[str, str, str]]:
    """(method, url, content type) of every write that takes a body."""
    routes = []
    for c in COLLECTIONS:
        routes.append(("POST", f"/v1/{c.name}", "application/json"))
        routes.append(("PUT", f"/v1/{c.name}/{c.example_slug}", "application/json"))
        routes.append(("PATCH", f"/v1/{c.name}/{c.example_slug}", "application/merge-patch+json"))
    return routes


def nested(depth: int) -> str:
    """A JSON object whose `summary` holds arrays nested so that the body is `depth` deep."""
    return '{"summary": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize(("method", "url", "content_type"), write_routes())
def test_json_nested_10000_deep_is_400_naming_the_nesting_limit(
    writer, editor, method, url, content_type
):
    body = "[" * 10_000 + "]" * 10_000
    response = writer.open(url, method=method, data=body, content_type=content_type, headers=editor)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    detail = response.json["detail"]
    assert "nested" in detail and str(MAX_DEPTH) in detail


def test_the_nesting_limit_is_exactly_the_documented_one(writer, editor):
    at_limit = writer.post(
        "/v1/tags", data=nested(MAX_DEPTH), content_type="application/json", headers=editor
    )
    # Parsed, then refused by the schema (summary is no list): the limit let it through.
    assert at_limit.status_code == 422, at_limit.json
    over = writer.post(
        "/v1/tags", data=nested(MAX_DEPTH + 1), content_type="application/json", headers=editor
    )
    assert over.status_code == 400
    assert f"{MAX_DEPTH + 1} levels" in over.json["detail"]


def test_nesting_is_counted_outside_strings_only(writer, editor):
    body = json.dumps({"slug": "brackets-in-text", "name": "[" * 100, "summary": "{" * 100})
    response = writer.post("/v1/tags", data=body, content_type="application/json", headers=editor)
    assert response.status_code == 201, response.json
    assert writer.get("/v1/tags/brackets-in-text").json["name"] == "[" * 100


@pytest.mark.parametrize("collection", COLLECTIONS, ids=lambda c: c.name)
def test_a_lone_surrogate_in_a_text_field_is_422_naming_the_field(
    writable_app, writer, editor, collection
):
    entry = {**seed_entry(writable_app, collection), "slug": f"lone-surrogate-{collection.name}"}
    entry["summary"] = "half of a pair: \ud800"
    body = json.dumps(entry)  # ensure_ascii: the surrogate travels as the escape \ud800
    assert "\\ud800" in body
    response = writer.post(
        f"/v1/{collection.name}", data=body, content_type="application/json", headers=editor
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]) == ["summary"]
    assert "surrogate" in response.json["errors"]["summary"][0]
    assert writer.get(f"/v1/{collection.name}/{entry['slug']}").status_code == 404


def test_a_lone_surrogate_is_named_where_it_is_nested_and_in_a_patch(writable_app, writer, editor):
    workflow = {**seed_entry(writable_app, next(c for c in COLLECTIONS if c.name == "workflows"))}
    workflow["slug"] = "nested-surrogate"
    workflow["stages"][1]["name"] = "\udc00 low half first"
    response = writer.post(
        "/v1/workflows",
        data=json.dumps(workflow),
        content_type="application/json",
        headers=editor,
    )
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["stages"]
    assert list(response.json["errors"]["stages"]["1"]) == ["name"]

    url = "/v1/tags/sre"
    patch = writer.patch(
        url,
        data='{"summary": "x\\uDBFF"}',
        content_type="application/merge-patch+json",
        headers={**editor, "If-Match": writer.get(url).headers["ETag"]},
    )
    assert patch.status_code == 422
    assert list(patch.json["errors"]) == ["summary"]


def test_a_lone_surrogate_in_a_field_name_is_422(writer, editor):
    response = writer.post(
        "/v1/tags",
        data='{"slug": "k", "\\ud800": 1}',
        content_type="application/json",
        headers=editor,
    )
    assert response.status_code == 422
    [(name, [message])] = response.json["errors"].items()
    assert name == "\\ud800"  # shown as its escape: it cannot be written as UTF-8
    assert "surrogate" in message and "field name" in message


def test_a_surrogate_pair_is_one_character_and_is_stored(writer, editor):
    body = '{"slug": "emoji-pair", "name": "Rocket \\ud83d\\ude80", "summary": "ok"}'
    response = writer.post("/v1/tags", data=body, content_type="application/json", headers=editor)
    assert response.status_code == 201, response.json
    assert writer.get("/v1/tags/emoji-pair").json["name"] == "Rocket 🚀"


# Issue 10, item 12: the Host header is client input; no answer (stored or not) repeats it.

HOST_DEPENDENT_BEFORE = [
    "/llms.txt",
    "/v1/faqs/devops-vs-sre?format=jsonld",
    "/v1/faqs?format=jsonld",
    "/v1/faqs/devops-vs-sre?format=markdown",
    "/v1/faqs/devops-vs-sre",
    "/v1?format=markdown",
    "/v1/compare?roles=developer,devops-engineer&format=markdown",
]


@pytest.mark.parametrize("url", HOST_DEPENDENT_BEFORE)
def test_no_answer_carries_the_host_a_client_sent(client, url):
    forged = client.get(url, headers={"Host": "attacker.example"})
    plain = client.get(url)  # may come from the stored representation the first one made
    for response in (forged, plain):
        assert response.status_code == 200
        assert b"attacker.example" not in response.get_data()
        assert "attacker.example" not in str(response.headers)
    assert forged.get_data() == plain.get_data()


def test_llms_txt_links_are_relative_and_answer(client):
    text = client.get("/llms.txt").get_data(as_text=True)
    links = re.findall(r"\]\(([^)]+)\)", text)
    assert len(links) >= 12 + 3
    assert all(link.startswith("/") for link in links), links
