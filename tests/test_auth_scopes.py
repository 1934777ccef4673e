"""Bringing a deleted entry back needs an admin key, by POST or by restore alike."""

import pytest

from .conftest import bearer


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "scopes-editor")


@pytest.fixture(scope="module")
def admin(app):
    return bearer(app, "scopes-admin", "admin")


def tag(slug: str) -> dict:
    return {"slug": slug, "name": slug.title(), "summary": "A tag that gets deleted."}


def delete(client, headers, url: str) -> None:
    etag = client.get(url).headers["ETag"]
    assert client.delete(url, headers={**headers, "If-Match": etag}).status_code == 204


def test_an_editor_cannot_recreate_a_deleted_entry_by_post(client, editor):
    assert client.post("/v1/tags", json=tag("gone-by-post"), headers=editor).status_code == 201
    delete(client, editor, "/v1/tags/gone-by-post")
    response = client.post("/v1/tags", json=tag("gone-by-post"), headers=editor)
    assert response.status_code == 403, response.json
    assert response.mimetype == "application/problem+json"
    detail = response.json["detail"]
    assert "deleted" in detail and "admin" in detail
    assert "/v1/tags/gone-by-post/revisions/" in detail
    assert client.get("/v1/tags/gone-by-post").status_code == 410


def test_an_admin_may_recreate_a_deleted_entry_by_post(client, editor, admin):
    assert client.post("/v1/tags", json=tag("back-by-admin"), headers=editor).status_code == 201
    delete(client, editor, "/v1/tags/back-by-admin")
    response = client.post("/v1/tags", json=tag("back-by-admin"), headers=admin)
    assert response.status_code == 201
    assert response.json["version"] == 3
    actions = [r["action"] for r in client.get("/v1/tags/back-by-admin/revisions").json]
    assert actions == ["created", "deleted", "created"]


def test_restoring_a_deleted_entry_follows_the_same_rule(client, editor, admin):
    assert client.post("/v1/tags", json=tag("restore-rule"), headers=editor).status_code == 201
    delete(client, editor, "/v1/tags/restore-rule")
    url = "/v1/tags/restore-rule/revisions/1/restore"
    refused = client.post(url, headers=editor)
    assert refused.status_code == 403
    assert "admin" in refused.json["detail"]
    assert client.post(url, headers=admin).status_code == 200


def test_an_editor_still_creates_slugs_that_never_existed(client, editor):
    assert client.post("/v1/tags", json=tag("brand-new"), headers=editor).status_code == 201
