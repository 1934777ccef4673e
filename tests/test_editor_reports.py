"""The editors' reports (/v1/analytics/queries, /v1/analytics/gaps) share one contract,
declared once (api/resources/editor_reports.py): an editor key, never stored, documented so."""

import pytest

from .conftest import bearer

REPORTS = ["/v1/analytics/queries", "/v1/analytics/gaps"]
OPERATIONS = {"/v1/analytics/queries": "queryAnalytics", "/v1/analytics/gaps": "contentGaps"}


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "editor-reports")


@pytest.mark.parametrize(
    "url",
    [REPORTS[0], f"{REPORTS[0]}?format=csv", f"{REPORTS[0]}?format=ndjson", REPORTS[1]],
)
def test_every_answer_is_private(client, editor, url):
    response = client.get(url, headers=editor)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("url", REPORTS)
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_the_key_is_checked_first_for_every_method(client, url, method):
    response = client.open(url, method=method, query_string={"page_size": "bad"})
    assert response.status_code == 401  # before the arguments are read
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def operation(spec: dict, url: str) -> dict:
    get = spec["paths"][url]["get"]
    assert get["operationId"] == OPERATIONS[url]
    return get


def test_the_spec_documents_one_contract_for_both(client):
    spec = client.get("/openapi.json").json
    for url in REPORTS:
        get = operation(spec, url)
        assert get["security"] == [{"bearerAuth": []}]
        assert {"200", "401", "403", "422"} <= set(get["responses"])
        cache_control = get["responses"]["200"]["headers"]["Cache-Control"]
        assert cache_control["description"].startswith("`private, no-store`")
        assert {"Link", "X-Total-Count"} <= set(get["responses"]["200"]["headers"])
