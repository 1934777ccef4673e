"""Seeding respects editorial history: what editors deleted stays deleted, edits stay edited.

Editors work through the API on seeded entries (delete, edit, delete and re-create, delete
a tag after untagging the FAQs that named it); then the seed command runs twice, then with
--force twice, then with --restore-deleted twice. No run fails, and every entry's revisions
stay one unbroken sequence of versions.
"""

import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.extensions import db
from api.models import Revision
from api.models.roles import Role
from api.models.schedules import Schedule
from api.models.workflows import Workflow
from api.registry import BY_NAME, COLLECTIONS
from api.services.assign import canonical, without_references
from api.services.history import writable_content

from .conftest import bearer

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
DELETED = ("/v1/topics/historical-silos", "/v1/faqs/what-is-calms", "/v1/tags/careers")
EDITED = "/v1/metrics/mttr"
RECREATED = "/v1/tools/ansible"
EDITORS_SUMMARY = "An editor's own words."


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


def fixture(path: str) -> dict:
    """The seed/ entry behind an API path."""
    _, _, name, slug = path.split("/")
    entries = json.loads((SEED_DIR / f"{name}.json").read_text())
    return next(entry for entry in entries if entry["slug"] == slug)


def write(client, method: str, path: str, headers: dict, **kwargs):
    etag = client.get(path).headers.get("ETag", "*")
    return client.open(path, method=method, headers={**headers, "If-Match": etag}, **kwargs)


@pytest.fixture(scope="module")
def untagged(app) -> list[str]:
    """Editors' work on seeded entries, through the API. Returns the FAQs untagged."""
    client = app.test_client()
    editor = bearer(app, "editorial-editor")
    admin = bearer(app, "editorial-admin", "admin")

    # A tag that FAQs name cannot be deleted until they stop naming it.
    refused = write(client, "DELETE", "/v1/tags/careers", editor)
    assert refused.status_code == 409
    # FAQ entries and topics carry tags; the 409 lists only the first few that name it.
    naming = [
        (collection, entry["slug"])
        for collection in ("faqs", "topics")
        for entry in client.get(f"/v1/{collection}?tag=careers&page_size=100").json
    ]
    assert {tuple(name.split("/")) for name in refused.json["errors"]["references"]} <= set(naming)
    for collection, slug in naming:
        path = f"/v1/{collection}/{slug}"
        tags = [t for t in client.get(path).json["tags"] if t != "careers"]
        assert write(client, "PATCH", path, editor, json={"tags": tags}).status_code == 200
    faqs = [slug for collection, slug in naming if collection == "faqs"]
    for path in DELETED:
        assert write(client, "DELETE", path, editor).status_code == 204, path

    edited = write(client, "PATCH", EDITED, editor, json={"summary": EDITORS_SUMMARY})
    assert edited.status_code == 200

    assert write(client, "DELETE", RECREATED, editor).status_code == 204
    body = {**fixture(RECREATED), "summary": EDITORS_SUMMARY}
    assert client.post("/v1/tools", json=body, headers=admin).status_code == 201
    return faqs


def seed(app, *options: str) -> str:
    result = app.test_cli_runner().invoke(args=["seed", *options])
    assert result.exit_code == 0, result.output
    assert result.exception is None, result.exception
    return result.output


def revision_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Revision))


def assert_histories_consistent(app) -> None:
    """Per entry, versions 1, 2, 3, ... in commit order; the entry is at its last version,
    and an entry that has none was deleted by its last revision."""
    with app.app_context():
        session = db.session
        history = defaultdict(list)
        for revision in session.scalars(select(Revision).order_by(Revision.id)):
            history[revision.collection, revision.slug].append(revision)
        for collection in COLLECTIONS:
            query = select(collection.model.slug, collection.model.version)
            current = {slug: version for slug, version in session.execute(query)}
            for (name, slug), revisions in history.items():
                if name != collection.name:
                    continue
                versions = [r.version for r in revisions]
                assert versions == list(range(1, len(versions) + 1)), (name, slug, versions)
                if slug in current:
                    assert current[slug] == versions[-1], (name, slug)
                    assert revisions[-1].action != "deleted", (name, slug)
                else:
                    assert revisions[-1].action == "deleted", (name, slug)
            assert set(current) <= {slug for (name, slug) in history if name == collection.name}


def test_seeding_twice_after_editorial_work_keeps_it(app, client, untagged):
    before = revision_count(app)
    outputs = [seed(app), seed(app)]

    assert revision_count(app) == before
    for path in DELETED:
        assert client.get(path).status_code == 410, path
    assert client.get(EDITED).json["summary"] == EDITORS_SUMMARY
    recreated = client.get(RECREATED).json
    assert (recreated["summary"], recreated["version"]) == (EDITORS_SUMMARY, 3)
    for slug in untagged:
        assert "careers" not in client.get(f"/v1/faqs/{slug}").json["tags"]
    for output in outputs:
        assert "topics: 0 created, 0 updated, 0 restored" in output
        assert "note: tags: careers: deleted by editors, left deleted" in output
        assert "--restore-deleted" in output
    assert_histories_consistent(app)


def test_a_new_fixture_entry_naming_a_deleted_entry_is_written_without_it(app, client, tmp_path):
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    faqs = json.loads((target / "faqs.json").read_text())
    new = {**faqs[0], "slug": "a-new-faq-naming-careers", "tags": ["careers", "devops"]}
    (target / "faqs.json").write_text(json.dumps([*faqs, new]))

    output = seed(app, "--dir", str(target))

    assert "faqs: 1 created" in output
    assert "(a-new-faq-naming-careers): written without tags 'careers'" in output
    assert client.get("/v1/faqs/a-new-faq-naming-careers").json["tags"] == ["devops"]
    assert_histories_consistent(app)


def test_seed_force_overwrites_as_new_versions_and_keeps_deletions(app, client, untagged):
    first = seed(app, "--force")
    after_first = revision_count(app)
    second = seed(app, "--force")

    assert revision_count(app) == after_first, second
    assert "metrics: 0 created, 1 updated" in first
    assert "metrics: 0 created, 0 updated" in second
    for path in DELETED:
        assert client.get(path).status_code == 410, path
    edited = client.get(EDITED).json
    assert (edited["summary"], edited["version"]) == (fixture(EDITED)["summary"], 3)
    recreated = client.get(RECREATED).json
    assert (recreated["summary"], recreated["version"]) == (fixture(RECREATED)["summary"], 4)
    [latest, *_] = client.get(f"{RECREATED}/revisions").json
    assert (latest["version"], latest["author"], latest["action"]) == (4, "seed", "updated")
    assert "--force" in latest["message"]
    # The FAQs' fixtures still name the deleted tag: written without it, so unchanged.
    for slug in untagged:
        faq = client.get(f"/v1/faqs/{slug}").json
        expected = [t for t in fixture(f"/v1/faqs/{slug}")["tags"] if t != "careers"]
        assert faq["tags"] == sorted(expected)
        assert f"({slug}): written without tags 'careers' (deleted by editors)" in first
    assert_histories_consistent(app)


def test_restore_deleted_brings_fixtures_back_as_new_versions(app, client, untagged):
    first = seed(app, "--restore-deleted")
    after_first = revision_count(app)
    second = seed(app, "--restore-deleted")

    assert revision_count(app) == after_first
    assert "topics: 0 created, 0 updated, 1 restored" in first
    assert "topics: 0 created, 0 updated, 0 restored" in second
    for path in DELETED:
        shown = client.get(path)
        assert shown.status_code == 200, path
        model = BY_NAME[path.split("/")[2]].model
        # As written: a source's title is shown from its resource, not part of the content.
        shown_content = writable_content(BY_NAME[path.split("/")[2]], shown.json)
        restored, written = canonical(model, shown_content), canonical(model, fixture(path))
        assert {key: restored[key] for key in written} == written, path
        [latest, deletion, *_] = client.get(f"{path}/revisions").json
        assert deletion["action"] == "deleted"
        assert latest["version"] == deletion["version"] + 1 == shown.json["version"]
        assert (latest["author"], latest["action"]) == ("seed", "created")
        assert "--restore-deleted" in latest["message"]
    # Without --force the untagged FAQs stay as editors left them.
    for slug in untagged:
        assert "careers" not in client.get(f"/v1/faqs/{slug}").json["tags"]
    assert_histories_consistent(app)


def test_a_reference_to_a_deleted_entry_is_dropped_or_keeps_the_entry_from_being_written():
    gone = {(Role, "platform-engineer")}
    workflow = {"slug": "w", "owner": "platform-engineer", "stages": []}
    assert without_references(Workflow, workflow, gone) == {**workflow, "owner": None}
    stage = {"name": "Build", "actor": "platform-engineer", "tools": []}
    written = without_references(Workflow, {**workflow, "stages": [stage]}, gone)
    assert written["stages"] == [{**stage, "actor": None}]
    # A schedule must belong to a role: it cannot be written without it.
    assert without_references(Schedule, {"slug": "s", "role": "platform-engineer"}, gone) is None
