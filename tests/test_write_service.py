"""The write path: one service per use case, its cost, its refusals, and when it locks.

- A PATCH dumps the entry a bounded number of times and loads it once (counted on the schema);
  the content it compares with is read from the entry as the schema would load it.
- A merge patch removing a member the schema does not have is refused by name (422).
- The write lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL) is taken for the
  write only: authentication, preconditions and validation never open a write transaction,
  and they answer while another writer holds the lock.
"""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from marshmallow import Schema
from sqlalchemy import event, select, text

from api.extensions import db
from api.registry import COLLECTIONS
from api.services.history import snapshot, writable_content
from api.services.writes import loaded_content

from .conftest import bearer

SLUG = "what-is-calms"
URL = f"/v1/faqs/{SLUG}"


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "service-writer")


def if_match(client, editor, url: str = URL) -> dict[str, str]:
    return {**editor, "If-Match": client.get(url).headers["ETag"]}


@contextmanager
def counted_schema_calls(monkeypatch):
    counts = {"dump": 0, "load": 0}

    def counting(name):
        original = getattr(Schema, name)

        def counted(self, *args, **kwargs):
            # Entries only: the query-argument schemas load too, and are not the entry.
            # The passages (api/services/passage_store.py) keep their own copy: not counted.
            caller = sys._getframe(1).f_code.co_filename
            if getattr(self, "COLLECTION", None) == "faqs" and "passage" not in caller:
                counts[name] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Schema, name, counted)

    counting("dump")
    counting("load")
    yield counts
    monkeypatch.undo()


def test_one_patch_dumps_the_entry_four_times_and_loads_it_once(app, client, editor, monkeypatch):
    headers = if_match(client, editor)
    with counted_schema_calls(monkeypatch) as counts:
        response = client.patch(URL, json={"answer": "Counted."}, headers=headers)
    assert response.status_code == 200, response.json
    # Read: one dump (the ETag the precondition compares and the snapshot the merge starts
    # from); written: the revision, the search document; answered: the representation.
    # Loaded once: the merged content (validated, then written); the current content it is
    # compared with is read from the entry (loaded_content), not loaded again.
    assert counts == {"dump": 4, "load": 1}


def test_an_entry_s_content_read_from_it_is_what_the_schema_loads(app):
    """loaded_content, which a write compares with, for every entry of every collection."""
    with app.app_context():
        for collection in COLLECTIONS:
            schema = collection.schema_instance
            for entry in db.session.scalars(select(collection.model)):
                dumped = writable_content(collection, snapshot(collection, entry))
                assert loaded_content(schema, entry) == schema.load(dumped), entry.slug


@pytest.mark.parametrize("member", ["0", "", "unknown", "version", "links"])
def test_a_patch_removing_a_member_the_schema_lacks_is_refused_by_name(client, editor, member):
    headers = if_match(client, editor)
    response = client.patch(URL, json={member: None}, headers=headers)
    assert response.status_code == 422, response.json
    assert list(response.json["errors"]) == [member]
    with_value = client.patch(URL, json={member: "x"}, headers=headers)
    assert with_value.status_code == 422
    assert response.json["errors"] == with_value.json["errors"]
    assert client.get(URL).headers["ETag"] == headers["If-Match"]


def test_null_and_valued_unknown_members_are_named_together(client, editor):
    headers = if_match(client, editor)
    response = client.patch(URL, json={"0": None, "1": 1, "answer": 5}, headers=headers)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"0", "1", "answer"}


@contextmanager
def write_transactions(app):
    """The write transactions begun meanwhile (those that take the write lock)."""
    begun = []

    def note(connection):
        if connection.get_execution_options().get("writer"):
            begun.append(connection)

    engine = app.extensions["database"]["engine"]
    event.listen(engine, "begin", note)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", note)


def test_refused_writes_never_open_a_write_transaction(app, client, editor):
    admin_only = bearer(app, "service-admin", "admin")
    with write_transactions(app) as begun:
        assert client.patch(URL, json={"answer": "x"}).status_code == 401
        assert client.patch(URL, json={"answer": "x"}, headers=editor).status_code == 428
        stale = {**editor, "If-Match": '"stale"'}
        assert client.patch(URL, json={"answer": "x"}, headers=stale).status_code == 412
        headers = if_match(client, editor)
        assert client.patch(URL, json={"answer": 5}, headers=headers).status_code == 422
        assert client.patch(URL, json={"0": None}, headers=headers).status_code == 422
        assert client.put(URL, json={"slug": SLUG}, headers=headers).status_code == 422
        assert client.post("/v1/faqs", json={"slug": 5}, headers=editor).status_code == 422
        current = client.get(URL).json
        same = {"answer": current["answer"]}
        assert client.patch(URL, json=same, headers=headers).status_code == 200
        assert client.get("/v1/faqs/nothing-here").status_code == 404
        assert client.delete("/v1/faqs/nothing-here", headers=admin_only).status_code == 404
        assert not begun, "a refused or empty write opened a write transaction"
        assert client.patch(URL, json={"answer": "Written."}, headers=headers).status_code == 200
        assert len(begun) == 1


@contextmanager
def lock_held(app):
    """Hold the database's write lock from another connection, as a slow writer would."""
    writer = app.extensions["database"]["engine"].execution_options(writer=True)
    with writer.connect() as connection:
        connection.execute(text("SELECT 1"))  # its transaction begins by taking the lock
        try:
            yield
        finally:
            connection.rollback()


def test_validation_answers_while_another_writer_holds_the_lock(app, client, editor):
    headers = if_match(client, editor)
    current = client.get(URL).json
    with lock_held(app):
        started = time.monotonic()
        assert client.patch(URL, json={"answer": 5}, headers=headers).status_code == 422
        assert client.patch(URL, json={"unknown": None}, headers=headers).status_code == 422
        stale = {**editor, "If-Match": '"stale"'}
        assert client.patch(URL, json={"answer": "x"}, headers=stale).status_code == 412
        same = {"answer": current["answer"]}
        assert client.patch(URL, json=same, headers=headers).status_code == 200
        assert time.monotonic() - started < 2  # SQLite's busy timeout is 5 s


def test_a_write_waits_for_the_lock_and_then_proceeds(app, editor):
    client = app.test_client()
    headers = if_match(client, editor)
    answers = []

    def write():
        answers.append(client.patch(URL, json={"answer": "After the wait."}, headers=headers))

    with lock_held(app):
        writer = threading.Thread(target=write)
        writer.start()
        time.sleep(0.3)
        assert not answers, "the write went ahead while another writer held the lock"
    writer.join(10)
    assert answers[0].status_code == 200


def test_one_create_sent_twice_at_once_is_written_once_and_replayed(app, editor):
    """Both requests pass the replay check before either writes: the second's write
    conflicts under the lock, and it answers with what the first kept."""
    body = {"slug": "sent-twice", "question": "Sent twice?", "answer": "Written once."}
    headers = {**editor, "Idempotency-Key": "twice-at-once"}
    barrier = threading.Barrier(2)

    def post(_):
        client = app.test_client()
        barrier.wait()
        return client.post("/v1/faqs", json=body, headers=headers)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(post, range(2)))
    assert [a.status_code for a in answers] == [201, 201]
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert answers[0].get_data() == answers[1].get_data()
    assert app.test_client().get("/v1/faqs/sent-twice/revisions").json[0]["version"] == 1
