"""Writes: keys, validation, preconditions, history, the change feed, idempotency."""

import json
import re

import pytest
from sqlalchemy import func, select

from api.auth import ANONYMOUS_WRITES
from api.extensions import db
from api.models import ApiKey, Faq, IdempotentRequest

from .conftest import bearer, make_key


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "editor-tests")


@pytest.fixture(scope="module")
def admin(app):
    return bearer(app, "admin-tests", "admin")


def faq(slug: str, **fields) -> dict:
    return {"slug": slug, "question": f"What is {slug}?", "answer": "An answer.", **fields}


def create(client, headers, body, collection="faqs"):
    response = client.post(f"/v1/{collection}", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response


def etag_of(client, url):
    return client.get(url).headers["ETag"]


def count_faqs(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Faq))


# keys


def test_cli_creates_a_key_shown_once_on_its_last_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["keys", "create", "--name", "cli-made", "--scope", "editor"])
    assert result.exit_code == 0
    key = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"wdw_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", key)
    listing = runner.invoke(args=["keys", "list"]).output
    assert "cli-made\teditor" in listing
    assert key not in listing and key.split("_")[-1] not in listing
    with app.app_context():
        stored = db.session.scalar(select(ApiKey).where(ApiKey.name == "cli-made"))
        columns = [str(getattr(stored, c.key)) for c in ApiKey.__table__.columns]
    assert not any(key.split("_")[-1] in value for value in columns)


def test_revoked_key_stops_working(app, client):
    key = make_key(app, "to-revoke")
    headers = {"Authorization": f"Bearer {key}"}
    create(client, headers, faq("before-revoke"))
    result = app.test_cli_runner().invoke(args=["keys", "revoke", "to-revoke"])
    assert result.exit_code == 0
    response = client.post("/v1/faqs", json=faq("after-revoke"), headers=headers)
    assert response.status_code == 401


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Basic abc", "Bearer wdw_000000000000_nope", "Bearer nope"],
)
def test_writes_without_a_valid_key_are_401(client, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.post("/v1/faqs", json=faq("unauthorized"), headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_every_write_route_refuses_a_missing_key(app, client):
    """Walks the URL map, so a write route added later cannot slip through unprotected; the
    one write anyone may send (feedback on answers) is named in api/auth.py."""
    values = {"slug": "docker", "number": "1"}
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"GET", "HEAD", "OPTIONS"}:
            url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule.rule)
            response = client.open(url, method=method, json={})
            expected = 422 if url in ANONYMOUS_WRITES else 401  # {} is not a vote
            assert response.status_code == expected, (method, url)
            checked += 1
    assert set(ANONYMOUS_WRITES) == {"/v1/answers/feedback"}
    assert checked >= 12 * 5


def test_key_in_query_string_is_refused_and_not_logged(client, editor, caplog):
    caplog.set_level("DEBUG")
    key = editor["Authorization"].split()[1]
    response = client.post(f"/v1/faqs?api_key={key}", json=faq("in-url"))
    assert response.status_code == 400
    assert key not in response.get_data(as_text=True)
    assert client.get(f"/v1/faqs?x={key}").status_code == 400
    assert client.get("/v1/faqs/in-url").status_code == 404
    assert key not in caplog.text


# create


def test_create_answers_201_with_location_body_and_etag(client, editor):
    response = create(client, editor, faq("created-one", roles=["developer"], tags=["calms"]))
    assert response.headers["Location"] == "/v1/faqs/created-one"
    body = response.json
    assert (body["version"], body["roles"], body["tags"]) == (1, ["developer"], ["calms"])
    assert response.headers["ETag"] == etag_of(client, "/v1/faqs/created-one")
    assert client.get("/v1/faqs/created-one").json == body


def test_create_an_existing_slug_is_409(client, editor):
    response = client.post("/v1/faqs", json=faq("can-developers-do-devops"), headers=editor)
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (faq("bad-1", colour="red"), {"colour"}),
        (faq("bad-2", version=3, created_at="2020-01-01T00:00:00Z"), {"version", "created_at"}),
        (faq("bad-3", question="x" * 20_001), {"question"}),
        (faq("Bad Slug"), {"slug"}),
        (faq("bad-4", roles=["nobody"], tags=["no-tag"]), {"roles", "tags"}),
        ({"slug": "bad-5"}, {"question", "answer"}),
        (faq("bad-6", answer="nul\x00byte"), {"answer"}),
        (faq("bad-7", roles="developer"), {"roles"}),
    ],
)
def test_invalid_bodies_are_422_naming_each_field_and_write_nothing(
    app, client, editor, body, fields
):
    before = count_faqs(app)
    response = client.post("/v1/faqs", json=body, headers=editor)
    assert response.status_code == 422
    assert set(response.json["errors"]) == fields
    assert count_faqs(app) == before


def test_wrong_content_type_is_415(client, editor):
    response = client.post(
        "/v1/faqs", data="slug=x", headers=editor, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_body_over_one_mib_is_413(client, editor):
    body = json.dumps(faq("huge", answer="x" * (1024 * 1024)))
    response = client.post("/v1/faqs", data=body, headers=editor, content_type="application/json")
    assert response.status_code == 413


def test_invalid_json_is_400(client, editor):
    response = client.post("/v1/faqs", data="{", headers=editor, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


# update


def test_patch_needs_if_match(client, editor):
    create(client, editor, faq("patch-me"))
    response = client.patch("/v1/faqs/patch-me", json={"answer": "New."}, headers=editor)
    assert response.status_code == 428


def test_patch_is_a_merge_patch_and_bumps_the_version(client, editor):
    create(client, editor, faq("merge-me", roles=["developer", "devops-engineer"]))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/merge-me")}
    response = client.patch(
        "/v1/faqs/merge-me",
        data=json.dumps({"answer": "Merged.", "roles": ["developer"]}),
        content_type="application/merge-patch+json",
        headers=headers,
    )
    assert response.status_code == 200
    body = response.json
    assert (body["version"], body["answer"], body["roles"]) == (2, "Merged.", ["developer"])
    assert body["question"] == "What is merge-me?"
    assert body["updated_at"] > body["created_at"]
    assert response.headers["ETag"] == etag_of(client, "/v1/faqs/merge-me")


def test_writes_answer_json_with_the_next_etag_whatever_the_accept(client, editor):
    """Markdown is for reading: a write's answer must carry the ETag for the next If-Match."""
    create(client, editor, faq("accept-md"))
    headers = {
        **editor,
        "If-Match": etag_of(client, "/v1/faqs/accept-md"),
        "Accept": "text/markdown, application/json;q=0.5",
    }
    response = client.patch("/v1/faqs/accept-md", json={"answer": "Changed."}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["ETag"] == etag_of(client, "/v1/faqs/accept-md")


def test_patch_null_removes_an_optional_field_and_is_422_for_a_required_one(client, editor):
    create(client, editor, faq("nulls", tags=["calms"]))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/nulls")}
    response = client.patch("/v1/faqs/nulls", json={"answer": None}, headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"answer"}
    response = client.patch("/v1/faqs/nulls", json={"tags": None}, headers=headers)
    assert response.status_code == 200
    assert response.json["tags"] == []


def test_a_patch_that_changes_nothing_keeps_the_version(client, editor):
    create(client, editor, faq("same"))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/same")}
    response = client.patch("/v1/faqs/same", json={"answer": "An answer."}, headers=headers)
    assert response.status_code == 200
    assert response.json["version"] == 1


def test_stale_if_match_is_412_and_writes_nothing(client, editor):
    create(client, editor, faq("stale"))
    old = etag_of(client, "/v1/faqs/stale")
    client.patch("/v1/faqs/stale", json={"answer": "First."}, headers={**editor, "If-Match": old})
    response = client.patch(
        "/v1/faqs/stale", json={"answer": "Second."}, headers={**editor, "If-Match": old}
    )
    assert response.status_code == 412
    assert client.get("/v1/faqs/stale").json["answer"] == "First."


def test_put_replaces_the_whole_entry(client, editor):
    create(client, editor, faq("put-me", roles=["developer"], tags=["calms"]))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/put-me")}
    body = {"slug": "put-me", "question": "Replaced?", "answer": "Yes."}
    response = client.put("/v1/faqs/put-me", json=body, headers=headers)
    assert response.status_code == 200
    assert (response.json["roles"], response.json["tags"]) == ([], [])
    assert response.json["version"] == 2


def test_put_cannot_rename(client, editor):
    create(client, editor, faq("keep-name"))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/keep-name")}
    response = client.put("/v1/faqs/keep-name", json=faq("new-name"), headers=headers)
    assert response.status_code == 422
    assert "slug" in response.json["errors"]


# delete, history, restore


def test_delete_then_410_then_admin_restores(client, editor, admin):
    create(client, editor, faq("delete-me", tags=["calms"]))
    headers = {**editor, "If-Match": etag_of(client, "/v1/faqs/delete-me")}
    assert client.delete("/v1/faqs/delete-me", headers=headers).status_code == 204
    gone = client.get("/v1/faqs/delete-me")
    assert gone.status_code == 410
    assert gone.headers["Link"] == '</v1/faqs/delete-me/revisions/2>; rel="last-revision"'
    assert client.post("/v1/faqs/delete-me/revisions/1/restore", headers=editor).status_code == (
        403
    )
    restored = client.post("/v1/faqs/delete-me/revisions/1/restore", headers=admin)
    assert restored.status_code == 200
    assert (restored.json["version"], restored.json["tags"]) == (3, ["calms"])
    actions = [r["action"] for r in client.get("/v1/faqs/delete-me/revisions").json]
    assert actions == ["restored", "deleted", "created"]


def test_delete_of_an_entry_others_name_is_409(client, editor):
    headers = {**editor, "If-Match": etag_of(client, "/v1/tags/calms")}
    response = client.delete("/v1/tags/calms", headers=headers)
    assert response.status_code == 409
    assert any(ref.startswith("faqs/") for ref in response.json["errors"]["references"])
    assert client.get("/v1/tags/calms").status_code == 200


def test_revisions_record_author_message_changes_and_snapshots(client, editor):
    create(client, editor, faq("history"))
    headers = {
        **editor,
        "If-Match": etag_of(client, "/v1/faqs/history"),
        "X-Change-Message": "Clearer answer",
    }
    client.patch("/v1/faqs/history", json={"answer": "Better."}, headers=headers)
    revisions = client.get("/v1/faqs/history/revisions").json
    assert [r["version"] for r in revisions] == [2, 1]
    latest = revisions[0]
    assert (latest["action"], latest["changed"], latest["author"], latest["message"]) == (
        "updated",
        ["answer"],
        "editor-tests",
        "Clearer answer",
    )
    assert latest["snapshot"]["answer"] == "Better."
    first = client.get("/v1/faqs/history/revisions/1").json
    assert first["snapshot"]["answer"] == "An answer."


def test_restore_an_old_revision_makes_a_new_version(client, editor):
    create(client, editor, faq("restore-me"))
    client.patch(
        "/v1/faqs/restore-me",
        json={"answer": "Changed."},
        headers={**editor, "If-Match": etag_of(client, "/v1/faqs/restore-me")},
    )
    response = client.post(
        "/v1/faqs/restore-me/revisions/1/restore",
        headers={**editor, "If-Match": etag_of(client, "/v1/faqs/restore-me")},
    )
    assert response.status_code == 200
    assert (response.json["version"], response.json["answer"]) == (3, "An answer.")
    assert client.post("/v1/faqs/restore-me/revisions/1/restore", headers=editor).status_code == (
        428
    )


def test_revisions_are_paginated(client, editor):
    create(client, editor, faq("many-versions"))
    for n in range(4):
        client.patch(
            "/v1/faqs/many-versions",
            json={"answer": f"Answer {n}."},
            headers={**editor, "If-Match": etag_of(client, "/v1/faqs/many-versions")},
        )
    page = client.get("/v1/faqs/many-versions/revisions?page_size=2&page=2")
    assert [r["version"] for r in page.json] == [3, 2]
    assert page.headers["X-Total-Count"] == "5"


# change feed


def test_change_feed_resumes_from_a_cursor(client, editor):
    start = client.get("/v1/changes?limit=1000")
    cursor = start.headers["X-Next-Cursor"]
    create(client, editor, faq("feed-entry"))
    client.patch(
        "/v1/faqs/feed-entry",
        json={"answer": "Fed."},
        headers={**editor, "If-Match": etag_of(client, "/v1/faqs/feed-entry")},
    )
    client.delete(
        "/v1/faqs/feed-entry",
        headers={**editor, "If-Match": etag_of(client, "/v1/faqs/feed-entry")},
    )
    changes = client.get(f"/v1/changes?since={cursor}").json
    assert [(c["slug"], c["action"], c["version"]) for c in changes] == [
        ("feed-entry", "created", 1),
        ("feed-entry", "updated", 2),
        ("feed-entry", "deleted", 3),
    ]
    later = client.get(f"/v1/changes?since={changes[-1]['cursor']}")
    assert later.json == []
    assert later.headers["X-Next-Cursor"] == changes[-1]["cursor"]


def test_the_feed_starts_with_the_seeded_entries(client):
    first = client.get("/v1/changes?limit=5").json
    assert all(c["action"] == "created" and c["author"] == "seed" for c in first)


# idempotency


def test_same_idempotency_key_and_body_replays_the_first_answer(app, client, editor):
    headers = {**editor, "Idempotency-Key": "retry-42"}
    answers = [client.post("/v1/faqs", json=faq("idempotent"), headers=headers) for _ in range(10)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.data for a in answers}) == 1
    assert all(a.headers.get("Idempotent-Replayed") == "true" for a in answers[1:])
    assert len(client.get("/v1/faqs/idempotent/revisions").json) == 1
    with app.app_context():
        stored = db.session.scalar(
            select(func.count())
            .select_from(IdempotentRequest)
            .where(IdempotentRequest.key == "retry-42")
        )
    assert stored == 1


def test_same_idempotency_key_with_another_body_is_422(client, editor):
    headers = {**editor, "Idempotency-Key": "retry-43"}
    create(client, headers, faq("idempotent-2"))
    response = client.post("/v1/faqs", json=faq("idempotent-3"), headers=headers)
    assert response.status_code == 422
    assert client.get("/v1/faqs/idempotent-3").status_code == 404


def test_a_patch_that_changes_nothing_leaves_nested_stages_alone(client, editor):
    url = "/v1/workflows/inner-loop"
    before = client.get(url)
    response = client.patch(url, json={}, headers={**editor, "If-Match": before.headers["ETag"]})
    assert response.status_code == 200
    assert response.json == before.json
