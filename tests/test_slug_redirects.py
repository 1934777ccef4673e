"""Renamed slugs keep answering: the old URL redirects to the new one, sub-URLs too."""

import json
import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.migrate import alembic_config, upgrade
from api.models import Revision, SlugRename
from api.services.seeding import seed

from .conftest import bearer, empty_database

SEED = Path(__file__).resolve().parent.parent / "seed"
FAQS = {entry["slug"]: entry for entry in json.loads((SEED / "faqs.json").read_text())}
BEFORE_RENAMES = "0009"


@pytest.fixture(scope="module")
def renames(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(SlugRename.collection, SlugRename.old_slug, SlugRename.new_slug)
        ).all()
    return [tuple(row) for row in rows]


def test_the_five_faq_slugs_that_did_not_match_their_questions_were_renamed(renames):
    assert {(old, new) for collection, old, new in renames if collection == "faqs"} == {
        ("what-is-an-error-budget", "what-are-error-budgets-and-slos"),
        ("what-does-automation-mean-in-calms", "when-should-a-task-be-automated"),
        (
            "how-should-startups-handle-dev-and-devops",
            "why-should-startups-balance-dev-and-devops-early",
        ),
        ("what-was-the-meta-facebook-case", "how-did-devops-help-facebook"),
        ("how-do-developers-keep-applications-secure", "what-security-work-falls-to-developers"),
    }
    for _, old, new in renames:
        assert new in FAQS and old not in FAQS


def test_an_old_slug_answers_301_to_the_new_url(client, renames):
    for collection, old, new in renames:
        response = client.get(f"/v1/{collection}/{old}")
        assert response.status_code == 301, old
        assert response.headers["Location"] == f"/v1/{collection}/{new}"
        assert response.json["location"] == f"/v1/{collection}/{new}"
        assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("suffix", "query"),
    [
        ("", "fields=slug,question"),
        ("", "format=markdown"),
        ("/revisions", ""),
        ("/revisions/1", ""),
    ],
)
def test_sub_urls_and_the_query_move_with_the_slug(client, renames, suffix, query):
    collection, old, new = renames[0]
    url = f"/v1/{collection}/{old}{suffix}" + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 301
    expected = f"/v1/{collection}/{new}{suffix}" + (f"?{query}" if query else "")
    assert response.headers["Location"] == expected
    assert client.get(expected).status_code == 200


def test_an_unknown_slug_is_still_404(client):
    response = client.get("/v1/faqs/never-was-a-faq")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_a_write_to_an_old_slug_is_308_so_the_method_is_kept(writable_app):
    client = writable_app.test_client()
    editor = bearer(writable_app, "renames")
    response = client.patch(
        "/v1/faqs/what-is-an-error-budget",
        json={"answer": "Not written here."},
        headers={**editor, "If-Match": "*"},
    )
    assert response.status_code == 308
    assert response.headers["Location"] == "/v1/faqs/what-are-error-budgets-and-slos"
    assert client.get(response.headers["Location"]).json["answer"] != "Not written here."


def test_the_spec_documents_the_redirects(client):
    paths = client.get("/openapi.json").json["paths"]
    item = paths["/v1/faqs/{slug}"]
    assert "Location" in item["get"]["responses"]["301"]["headers"]
    for method in ("put", "patch", "delete"):
        assert "Location" in item[method]["responses"]["308"]["headers"]


def test_the_migration_renames_a_database_seeded_before(tmp_path, tmp_path_factory):
    """A database seeded with the old slugs: the entries, their history and their URLs move."""
    old_fixtures = tmp_path / "seed"
    shutil.copytree(SEED, old_fixtures)
    faqs = json.loads((old_fixtures / "faqs.json").read_text())
    url = empty_database(tmp_path_factory, "renames_migration")
    app = create_app(type("BeforeRenames", (TestConfig,), {"DATABASE_URL": url}))
    mapping = {
        "what-are-error-budgets-and-slos": "what-is-an-error-budget",
        "when-should-a-task-be-automated": "what-does-automation-mean-in-calms",
    }
    for entry in faqs:
        entry["slug"] = mapping.get(entry["slug"], entry["slug"])
    (old_fixtures / "faqs.json").write_text(json.dumps(faqs))
    with app.app_context():
        # The models are today's, so the old slugs are seeded on today's schema, which is
        # then taken back to before the renames (later migrations drop what they added) and
        # forward again: the rename migration meets a database seeded with the old slugs.
        upgrade(db.engine)
        seed(db.session, old_fixtures)
        db.session.close()
        with db.engine.begin() as connection:
            command.downgrade(alembic_config(connection), BEFORE_RENAMES)
        upgrade(db.engine)
        faq_history = select(Revision).where(Revision.collection == "faqs")
        moved = db.session.scalars(faq_history.where(Revision.slug.in_(mapping))).all()
        assert {r.slug for r in moved} == set(mapping)
        assert all(r.snapshot["slug"] == r.slug for r in moved)
        left = db.session.scalars(faq_history.where(Revision.slug.in_(mapping.values()))).all()
        assert left == []
    client = app.test_client()
    for new, old in mapping.items():
        assert client.get(f"/v1/faqs/{old}").headers["Location"] == f"/v1/faqs/{new}"
        assert client.get(f"/v1/faqs/{new}").json["version"] == 1
        [created] = client.get(f"/v1/faqs/{new}/revisions").json
        assert created["slug"] == new
    search = client.get("/v1/search?q=error+budgets+slos&type=faq").json
    assert search["hits"][0]["url"] == "/v1/faqs/what-are-error-budgets-and-slos"
