"""Writes that change nothing make no version: lists of references are sets.

A client may send `"tags": ["sre", "devops", "careers"]` in any order; GET shows them in one
order (by slug) and the revisions hold that same order.
"""

import re

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import Revision
from api.registry import BY_NAME, COLLECTIONS
from api.services.history import writable_content

from .conftest import bearer

FAQ = "when-should-a-task-be-automated"
UNORDERED_TAGS = ["sre", "devops", "careers"]


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "noop-writer")


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Revision))


def content(collection: str, body: dict) -> dict:
    return writable_content(BY_NAME[collection], body)


def put(client, editor, path: str, body: dict):
    etag = client.get(path).headers["ETag"]
    return client.put(path, json=body, headers={**editor, "If-Match": etag})


def test_three_identical_puts_with_an_unordered_list_make_one_version(client, editor):
    path = f"/v1/faqs/{FAQ}"
    body = {**content("faqs", client.get(path).json), "tags": UNORDERED_TAGS}
    answers = [put(client, editor, path, body) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json["version"] for a in answers] == [2, 2, 2]
    shown = client.get(path).json
    assert shown["tags"] == sorted(UNORDERED_TAGS)
    assert [a.json["tags"] for a in answers] == [shown["tags"]] * 3
    revisions = client.get(f"{path}/revisions").json
    assert [r["version"] for r in revisions] == [2, 1]
    # The revision holds the list as GET shows it, not as the client sent it.
    stored = client.get(f"{path}/revisions/2").json["snapshot"]
    assert stored["tags"] == shown["tags"]


def test_patch_that_only_reorders_a_list_makes_no_version(client, editor):
    path = "/v1/tools/docker"
    shown = client.get(path)
    before, etag = shown.json, shown.headers["ETag"]
    assert len(before["roles"]) > 1
    answer = client.patch(
        path,
        json={"roles": list(reversed(before["roles"]))},
        headers={**editor, "If-Match": etag},
    )
    assert answer.status_code == 200
    assert answer.json["version"] == before["version"]
    assert client.get(path).headers["ETag"] == etag


def test_reordered_tools_inside_stages_make_no_version(client, editor):
    path = "/v1/workflows/inner-loop"
    before = client.get(path).json
    body = content("workflows", before)
    for stage in body["stages"]:
        stage["tools"] = list(reversed(stage["tools"]))
    assert any(len(stage["tools"]) > 1 for stage in body["stages"])
    answer = put(client, editor, path, body)
    assert answer.status_code == 200
    assert answer.json["version"] == before["version"]
    # Reordering the stages themselves is a change: stages are an ordered list.
    body["stages"] = list(reversed(body["stages"]))
    answer = put(client, editor, path, body)
    assert answer.json["version"] == before["version"] + 1
    for stage in answer.json["stages"]:
        assert stage["tools"] == sorted(stage["tools"])


def test_every_entrys_latest_revision_holds_what_get_shows(app, client):
    with app.app_context():
        latest = {
            (r.collection, r.slug): r.snapshot
            for r in db.session.scalars(select(Revision).order_by(Revision.id))
        }
    for collection in COLLECTIONS:
        for slug in [s for (c, s) in latest if c == collection.name]:
            shown = client.get(f"/v1/{collection.name}/{slug}")
            if shown.status_code == 410:
                continue
            stored = latest[(collection.name, slug)]
            assert stored["version"] == shown.json["version"], slug
            assert content(collection.name, stored) == content(collection.name, shown.json), slug


def test_seed_force_on_an_unchanged_database_makes_no_revision(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["seed", "--force"])  # back to the fixtures after the tests above
    before = revision_count(app)
    forced = runner.invoke(args=["seed", "--force"])
    assert forced.exit_code == 0, forced.output
    assert revision_count(app) - before == 0
    updated = re.findall(r"(\d+) updated", forced.output)
    assert len(updated) == len(COLLECTIONS) and set(updated) == {"0"}, forced.output
