"""The spec: committed equals served, valid, documented; /docs works with no internet."""

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

COMMITTED = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
NOT_PAGINATED = {"/v1/changes", "/v1/search/suggest", "/v1/answers", "/v1/compare", "/v1/passages"}
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").json


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_committed_spec_is_current(spec):
    committed = json.loads(COMMITTED.read_text())
    assert committed == spec, "openapi/openapi.json is stale: run `make openapi` and commit it"


def test_spec_is_valid_openapi(spec):
    validate(spec)


def test_every_operation_is_documented(spec):
    ids = []
    for path, method, operation in operations(spec):
        where = f"{method.upper()} {path}"
        assert operation.get("operationId"), where
        assert operation.get("summary"), where
        assert operation.get("description"), where
        assert operation["responses"].get("default"), where
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), f"{where}: {parameter['name']}"
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def test_errors_are_documented_as_problem_details(spec):
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == ["application/problem+json"]
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem)


def test_reads_document_conditional_requests(spec):
    for path, method, operation in operations(spec):
        if method == "get":
            names = {p["name"] for p in operation.get("parameters", [])}
            assert "If-None-Match" in names, path
            assert "304" in operation["responses"], path
            assert "ETag" in operation["responses"]["200"]["headers"], path


def test_lists_document_pagination_headers(spec):
    for path, method, operation in operations(spec):
        paginated = path.endswith("/revisions") or (
            path.startswith("/v1/") and "{" not in path and path not in NOT_PAGINATED
        )
        if method == "get" and paginated:
            headers = operation["responses"]["200"]["headers"]
            assert {"Link", "X-Total-Count"} <= set(headers), path


def test_schemas_carry_examples(spec):
    tool = spec["components"]["schemas"]["Tool"]["properties"]
    assert tool["category"]["example"] == "iac"
    assert tool["slug"]["example"]


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), f"{asset} is not served by the app"
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.data) > 100
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_docs_init_points_at_the_served_spec(client):
    script = client.get("/docs/init.js").get_data(as_text=True)
    assert '"/openapi.json"' in script


def test_writes_that_need_if_match_mark_it_required(spec):
    """PUT, PATCH and DELETE answer 428 without If-Match: the spec must not call it optional."""
    checked = 0
    for path, method, operation in operations(spec):
        if method in {"put", "patch", "delete"}:
            headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
            assert headers["If-Match"]["required"] is True, f"{method.upper()} {path}"
            checked += 1
    assert checked >= 36  # three per collection


def test_every_operation_states_its_security(spec):
    """Reads are public (`security: []`) but the editors' analytics (/v1/analytics/...);
    every other operation needs the bearer key, but feedback on answers, which takes one when
    sent (`[{}, bearerAuth]`: optional)."""
    assert "bearerAuth" in spec["components"]["securitySchemes"]
    for path, method, operation in operations(spec):
        expected = [] if method == "get" else [{"bearerAuth": []}]
        if path.startswith("/v1/analytics/"):  # editors' reads
            expected = [{"bearerAuth": []}]
        if (method, path) == ("post", "/v1/answers/feedback"):
            expected = [{}, {"bearerAuth": []}]
        assert operation.get("security") == expected, f"{method.upper()} {path}"


def test_servers_are_relative_to_where_the_spec_is_served(spec):
    """No host baked in: the one document serves every deployment (and the committed copy)."""
    assert [server["url"] for server in spec["servers"]] == ["/"]
    assert spec["info"]["description"] and spec["info"]["contact"]
