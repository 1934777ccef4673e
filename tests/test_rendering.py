"""Rendering: representations travel with their views, one encoder writes every body, and
the response schemas the spec declares are what writes search, changes, revisions, compare
and the root."""

import ast
import json
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask

from api import create_app
from api.config import TestConfig
from api.encoding import encode
from api.formats import JSON_LD, offered
from api.registry import BY_NAME
from api.resources.collections import collection_blueprint

API = Path(__file__).resolve().parent.parent / "api"
MARKDOWN = {"Accept": "text/markdown"}


@pytest.fixture(scope="module")
def renamed(app, database_url):
    """An app serving views of the shared app again under endpoint names of its own: the
    root function, /docs and /llms.txt (which answer HTML and Markdown of their own), and
    the tools' item MethodView class under another class name."""
    other = create_app(type("Renamed", (TestConfig,), {"DATABASE_URL": database_url}))
    views = other.view_functions
    other.add_url_rule("/elsewhere/root", "somewhere.else", views["meta.root"])
    other.add_url_rule("/elsewhere/docs", "somewhere.docs", views["docs.page"])
    other.add_url_rule("/elsewhere/llms.txt", "somewhere.llms", views["llms.llms_txt"])
    item = views["tools.EntryBySlug"].view_class
    renamed_class = type("ToolPage", (item,), {})
    other.add_url_rule("/elsewhere/tools/<slug>", view_func=renamed_class.as_view("ToolPage"))
    return other.test_client()


def test_a_view_keeps_its_markdown_under_another_endpoint_name(renamed):
    root = renamed.get("/elsewhere/root", headers=MARKDOWN)
    assert root.status_code == 200 and root.mimetype == "text/markdown"
    assert root.get_data(as_text=True).startswith("# ")
    assert "/v1/tools" in root.get_data(as_text=True)
    tool = renamed.get("/elsewhere/tools/docker", query_string={"format": "markdown"})
    assert tool.status_code == 200 and tool.mimetype == "text/markdown"
    assert tool.get_data(as_text=True).startswith("# Docker")
    # a view that declares no Markdown has none
    assert renamed.get("/healthz", headers=MARKDOWN).status_code == 406


def test_a_view_that_negotiates_itself_does_so_under_another_endpoint_name(renamed):
    """Declared with @negotiates_itself, not listed by blueprint name in api/formats.py."""
    docs = renamed.get("/elsewhere/docs", headers={"Accept": "text/html"})
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    llms = renamed.get("/elsewhere/llms.txt", headers=MARKDOWN)
    assert llms.status_code == 200 and llms.get_data(as_text=True).startswith("# ")


def endpoint_names(app) -> set[str]:
    names = {rule.endpoint for rule in app.url_map.iter_rules()}
    return names | {name.rpartition(".")[2] for name in names} | set(app.blueprints)


def test_formats_names_no_endpoint(app):
    """The representations are the views' own: api/formats.py holds no endpoint, view or
    blueprint name to look them up by (renaming a view once dropped its Markdown silently)."""
    tree = ast.parse((API / "formats.py").read_text())
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert strings & endpoint_names(app) == set()


def offered_by(collection) -> dict[str, list[str]]:
    """What each view of `collection`'s blueprint declares it can answer in, by class name."""
    app = Flask(__name__)
    app.register_blueprint(collection_blueprint(collection))
    return {name.rpartition(".")[2]: offered(view) for name, view in app.view_functions.items()}


def test_json_ld_is_declared_by_the_faq_collection_not_chosen_by_its_name():
    faqs_renamed = offered_by(replace(BY_NAME["faqs"], name="questions"))
    assert JSON_LD in faqs_renamed["EntryList"] and JSON_LD in faqs_renamed["EntryBySlug"]
    tools_named_faqs = offered_by(replace(BY_NAME["tools"], name="faqs"))
    assert JSON_LD not in tools_named_faqs["EntryList"] + tools_named_faqs["EntryBySlug"]


# Every json.dumps outside api/encoding.py, and why it is not an HTTP body.
OWN_FORM = {
    "services/idempotency.py": "a canonical form (sorted keys) hashed to compare requests",
    "services/seeding.py": "fixture files for people to read and diff, indented",
    "observability/logs.py": "log lines, any value written with default=str",
    "observability/access_log.py": "a log line's string field",
    "mcp_server.py": "field errors quoted in a message for a model",
    "gaps_cli.py": "a request's body quoted in a report printed to a terminal",
    "services/word_matches.py": "a list of ids bound as one SQL parameter (SQLite's json_each)",
}


WRITERS = {"dumps", "dump", "JSONEncoder"}


def json_writers(path: Path) -> bool:
    """Whether the module calls json.dumps or json.dump or builds a json.JSONEncoder."""
    for node in ast.walk(ast.parse(path.read_text())):
        attribute = isinstance(node, ast.Attribute) and node.attr in WRITERS
        if attribute and isinstance(node.value, ast.Name) and node.value.id == "json":
            return True
        imported = isinstance(node, ast.ImportFrom) and node.module == "json"
        if imported and {alias.name for alias in node.names} & WRITERS:
            return True
    return False


def test_one_encoder_writes_every_http_body():
    writers = {
        str(path.relative_to(API))
        for path in API.rglob("*.py")
        if "migrations" not in path.parts and json_writers(path)
    }
    unexplained = writers - {"encoding.py"} - set(OWN_FORM)
    assert not unexplained, (
        f"{sorted(unexplained)} write JSON: an HTTP body is written with api.encoding.encode "
        "(or dumps); anything else is listed in OWN_FORM with its reason"
    )
    assert "encoding.py" in writers


def test_success_and_problem_bodies_are_written_alike(client):
    ok = client.get("/v1/compare", query_string={"roles": "developer,devops-engineer"})
    bad = client.get("/v1/compare", query_string={"roles": "developer,nobody"})
    assert bad.status_code == 422
    for response in (ok, bad):
        assert response.get_data() == encode(response.json)
    pretty = client.get("/v1/compare", query_string={"roles": "developer,nobody", "pretty": 1})
    assert pretty.get_data() == encode(bad.json, pretty=True)


def test_an_entry_etag_is_the_hash_of_the_encoded_body(client):
    from api.services.passages import representation_etag

    response = client.get("/v1/tools/docker")
    assert response.headers["ETag"] == representation_etag(response.json)


SCHEMA_WRITTEN = [
    "/v1",
    "/v1/search?q=kubernets",
    "/v1/search/suggest?q=depl",
    "/v1/compare?roles=developer,devops-engineer,site-reliability-engineer",
    "/v1/changes?limit=5",
    "/v1/tools/docker/revisions",
    "/v1/tools/docker/revisions/1",
    "/healthz",
]


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


def check(spec: dict, schema: dict, value, where: str) -> None:
    """`value` has exactly the properties its schema in the spec declares, all the way down."""
    schema = resolve(spec, schema)
    if not schema:  # any value (a revision's snapshot)
        return
    if isinstance(value, list):
        assert schema.get("type") == "array", where
        for i, item in enumerate(value):
            check(spec, schema["items"], item, f"{where}[{i}]")
    elif isinstance(value, dict) and "properties" in schema:
        assert set(value) == set(schema["properties"]), where
        for key, item in value.items():
            check(spec, schema["properties"][key], item, f"{where}.{key}")
    elif isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for key, item in value.items():
            check(spec, schema["additionalProperties"], item, f"{where}.{key}")


@pytest.mark.parametrize("url", SCHEMA_WRITTEN)
def test_answers_have_exactly_the_shape_the_spec_declares(client, url):
    spec = client.get("/openapi.json").json
    path = url.partition("?")[0]
    if "/revisions/" in path:
        path = "/v1/tools/{slug}/revisions/{number}"
    elif "/revisions" in path:
        path = "/v1/tools/{slug}/revisions"
    declared = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    body = client.get(url).json
    assert body
    check(spec, declared["schema"], body, url)


@pytest.mark.parametrize("module", ["search", "changes", "revisions", "compare", "meta"])
def test_these_views_return_data_their_response_schema_writes(module):
    """No pre-built JSON: what they return goes through @blp.response's schema."""
    source = (API / "resources" / f"{module}.py").read_text()
    assert "json_response" not in source


def test_a_view_declares_only_known_representations():
    from api.formats import representations

    with pytest.raises(TypeError, match="html"):
        representations(html=lambda body, url, total: "")


def test_pretty_json_ends_with_a_newline_and_keeps_unicode(client):
    body = client.get("/v1/faqs/devops-vs-sre", query_string={"pretty": 1}).get_data(True)
    assert body.endswith("}\n") and json.loads(body)
    jsonld = client.get("/v1/faqs/devops-vs-sre", query_string={"format": "jsonld"})
    assert jsonld.get_data(as_text=True).endswith("}\n")
