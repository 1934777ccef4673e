"""After a write, the passages index reads again only the passages that changed.

The passages of the entries a write did not change stay the same objects, with what was
worked out for them (stems, vectors); the index is the one reading every passage gives:
same passages, stems, stem counts, vectors and entry meanings. After an update, a create
and a delete, on SQLite and PostgreSQL.
"""

from dataclasses import astuple

import pytest

from api.extensions import db
from api.services import passage_index
from api.services.passage_index import index, load_index

from .conftest import bearer

SLUG = "terraform"
NEW = {
    "slug": "quuxfile",
    "name": "Quuxfile",
    "category": "language",
    "summary": "Quuxfile describes the build of a service in one file.",
    "roles": ["developer"],
}


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "passage-reload")


def current(app) -> passage_index.Index:
    with app.app_context():
        return index(db.session)


def assert_as_if_read_whole(app, found: passage_index.Index) -> None:
    with app.app_context():
        whole = load_index(db.session, found.generation)
    assert [astuple(p) for p in found.passages] == [astuple(p) for p in whole.passages]
    assert found.digests == whole.digests
    assert found._stems == whole._stems
    assert found._title_stems == whole._title_stems
    assert found.frequency == whole.frequency
    assert found._shorter == whole._shorter
    assert (found.matrix is None) == (whole.matrix is None)
    if whole.matrix is not None:
        import numpy as np

        assert np.array_equal(found.matrix, whole.matrix)
        assert np.array_equal(found.has_vector, whole.has_vector)
        assert np.array_equal(found.entry_of, whole.entry_of)
        assert np.allclose(found.entries, whole.entries)


def unchanged_kept(before: passage_index.Index, after: passage_index.Index, slug: str) -> None:
    """Every passage of another entry is the object `before` held; the entry's are new."""
    for p in after.passages:
        old = before.by_row.get(p.row)
        if p.slug == slug:
            assert old is None or before.passages[old] is not p
        elif p.collection != "roles":  # a tool's roles list it: they may be rewritten
            assert old is not None and before.passages[old] is p, p.id


def test_an_update_reads_only_the_passages_it_changed(app, client, editor):
    before = current(app)
    url = f"/v1/tools/{SLUG}"
    headers = {**editor, "If-Match": client.get(url).headers["ETag"]}
    summary = "Terraform plans and applies infrastructure changes from declared files."
    assert client.patch(url, json={"summary": summary}, headers=headers).status_code == 200
    after = current(app)
    assert after is not before and after.generation != before.generation
    unchanged_kept(before, after, SLUG)
    assert any(p.slug == SLUG and "declared files" in p.text for p in after.passages)
    assert_as_if_read_whole(app, after)


def test_a_create_and_a_delete_read_only_what_they_changed(app, client, editor):
    before = current(app)
    assert client.post("/v1/tools", json=NEW, headers=editor).status_code == 201
    created = current(app)
    unchanged_kept(before, created, NEW["slug"])
    assert any(p.slug == NEW["slug"] for p in created.passages)
    assert_as_if_read_whole(app, created)

    url = f"/v1/tools/{NEW['slug']}"
    headers = {**editor, "If-Match": client.get(url).headers["ETag"]}
    assert client.delete(url, headers=headers).status_code == 204
    deleted = current(app)
    unchanged_kept(created, deleted, NEW["slug"])
    assert not any(p.slug == NEW["slug"] for p in deleted.passages)
    assert_as_if_read_whole(app, deleted)
