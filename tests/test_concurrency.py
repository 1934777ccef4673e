"""No lost updates: concurrent writers with the same ETag, and the version check in the UPDATE."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import select

from api.extensions import db
from api.models import Faq
from api.registry import BY_NAME
from api.services.writes import Change, Current, Stale, replace_entry

from .conftest import bearer

WRITERS = 20
ROUNDS = 5


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "racer")


def race(app, url: str, headers: dict, etag: str, answer: str) -> list[int]:
    """WRITERS clients PATCH `url` with the same ETag at the same moment; their statuses."""
    barrier = Barrier(WRITERS)

    def patch(writer: int) -> int:
        client = app.test_client()
        barrier.wait()
        response = client.patch(
            url, json={"answer": f"{answer} {writer}"}, headers={**headers, "If-Match": etag}
        )
        return response.status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        return sorted(pool.map(patch, range(WRITERS)))


def test_concurrent_patches_with_one_etag_give_one_success_and_the_rest_412(app, editor):
    url = "/v1/faqs/what-is-calms"
    for round_number in range(ROUNDS):
        before = app.test_client().get(url)
        statuses = race(app, url, editor, before.headers["ETag"], f"Round {round_number}")
        assert statuses == [200] + [412] * (WRITERS - 1), f"round {round_number}: {statuses}"
        after = app.test_client().get(url).json
        assert after["version"] == before.json["version"] + 1
        revisions = app.test_client().get(f"{url}/revisions?page_size=1").json
        assert revisions[0]["snapshot"]["answer"] == after["answer"]


def test_the_update_itself_checks_the_version_read(app):
    """A writer that read version n loses, in the database, to one that committed n+1."""
    faqs = BY_NAME["faqs"]
    with app.app_context():
        stale = db.session.scalar(select(Faq).where(Faq.slug == "what-is-mttr"))
        db.session.expunge(stale)  # keep the object as read, version included
    with app.app_context():
        fresh = db.session.scalar(select(Faq).where(Faq.slug == "what-is-mttr"))
        data = {"slug": fresh.slug, "question": fresh.question, "answer": "Committed first."}
        replace_entry(db.session, faqs, Current.read(faqs, fresh), data, Change("first"))
    with app.app_context():
        session = db.session
        stale = session.merge(stale, load=False)
        data = {"slug": stale.slug, "question": stale.question, "answer": "Lost race."}
        with pytest.raises(Stale):
            replace_entry(session, faqs, Current.read(faqs, stale), data, Change("second"))
    with app.app_context():
        answer = db.session.scalar(select(Faq.answer).where(Faq.slug == "what-is-mttr"))
    assert answer == "Committed first."
