"""Every in-process cache that depends on the content follows the one generation of
api/generation.py: semantic search's vectors (api/services/vectors.py), the passages index
(api/services/passage_index.py) and typo correction's vocabulary (api/services/analysis.py).

Two apps on one database stand for two processes: each has its engine, its generation and its
caches, and hears of the other's writes only through the push channel (a shared file on
SQLite, LISTEN/NOTIFY on PostgreSQL). A tool whose name is a new word, written through the API
of one, is found by the other's next read: by words, by passages, by meaning, and as the
correction of a misspelling. And a read whose caches are warm asks the database nothing about
the generation (the caches no longer read it each on its own), nor which of its words the
index has.
"""

import time

import pytest
from sqlalchemy import event

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.services import passage_index
from api.services.analysis import load_glossary, vocabulary
from api.services.semantic import semantic_search

from .conftest import bearer, empty_database, seeded_app

WORD = "zorblaxter"  # in no seeded entry, no dictionary
TYPO = "zorblaxtor"
TOOL = {
    "slug": WORD,
    "name": "Zorblaxter",
    "category": "language",
    "summary": "Zorblaxter is the language the build scripts of the platform team are written in.",
    "roles": ["developer"],
}


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    url = empty_database(tmp_path_factory, "test_generation_caches")
    writer = seeded_app(url)
    # No stored answers: every read reaches the caches under test.
    settings = {"DATABASE_URL": url, "REPRESENTATION_CACHE_BYTES": 0}
    reader = create_app(type("ReaderConfig", (TestConfig,), settings))
    return writer, reader


def caught_up(reader, writer, timeout: float = 5.0) -> None:
    """Wait for the reader's generation to be the writer's (a message on PostgreSQL)."""
    wanted = writer.extensions["generation"].current()
    tracker = reader.extensions["generation"]
    deadline = time.monotonic() + timeout
    while tracker.current() != wanted:
        assert time.monotonic() < deadline, (tracker.value, wanted)
        time.sleep(0.01)


def reads(client) -> dict:
    search = client.get("/v1/search", query_string={"q": TYPO}).json
    passages = client.get("/v1/passages", query_string={"q": WORD}).json
    return {
        "corrected": search["corrections"].get(TYPO),
        "searched": [(h["type"], h["slug"]) for h in search["hits"]],
        "passages": [p["id"].partition("#")[0] for p in passages["passages"]],
    }


def cached(reader) -> dict:
    """What each cache holds, asked directly."""
    with reader.app_context():
        session = db.session
        semantic = semantic_search(reader)
        return {
            "vectors": semantic and ("tools", WORD) in semantic.vectors(session).position,
            "index": any(p.slug == WORD for p in passage_index.index(session).passages),
            "vocabulary": vocabulary(session).closest(session, TYPO),
            "known": vocabulary(session).known(session, [WORD, "kubernetes"]),
        }


def test_a_write_in_one_process_is_seen_by_every_cache_of_another(apps):
    writer, reader = apps
    client = reader.test_client()
    before = reads(client)  # every cache filled
    assert before["corrected"] is None
    assert ("tool", WORD) not in before["searched"]
    assert f"tools/{WORD}" not in before["passages"]
    semantic = semantic_search(reader) is not None
    assert cached(reader) == {"vectors": False if semantic else None, "index": False,
                              "vocabulary": None, "known": {"kubernetes"}}  # fmt: skip

    editor = bearer(writer, "generation-caches")
    created = writer.test_client().post("/v1/tools", json=TOOL, headers=editor)
    assert created.status_code == 201, created.json
    caught_up(reader, writer)

    after = reads(client)
    assert after["corrected"] == WORD
    assert ("tool", WORD) in after["searched"]
    assert f"tools/{WORD}" in after["passages"]
    assert cached(reader) == {"vectors": True if semantic else None, "index": True,
                              "vocabulary": WORD, "known": {WORD, "kubernetes"}}  # fmt: skip


def test_a_read_with_warm_caches_asks_nothing_about_the_generation(apps):
    _, reader = apps
    client = reader.test_client()
    reads(client)
    reads(client)  # every cache warm, at the current generation
    tracker = reader.extensions["generation"]
    tracker.refresh()
    # Nothing writes meanwhile: the tracker itself need not poll during the measured reads.
    tracker.fresh_until = time.monotonic() + 60
    statements: list[str] = []
    engine = reader.extensions["database"]["engine"]

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        reads(client)
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert statements
    assert [s for s in statements if "revisions" in s or "search_embeddings" in s] == []
    # Which of a question's words the index has: from the vocabulary, kept per generation.
    assert [s for s in statements if "search_terms" in s] == []


def test_an_edited_glossary_is_read_again(tmp_path):
    """The glossary is a file, not content: kept by its modification time and size."""
    path = tmp_path / "glossary.json"
    path.write_text('{"k8s": ["kubernetes"]}')
    assert load_glossary(str(path)) == {"k8s": ("kubernetes",)}
    assert load_glossary(str(path)) is load_glossary(str(path))  # read once while unchanged
    path.write_text('{"k8s": ["kubernetes"], "tf": ["terraform"]}')
    assert load_glossary(str(path))["tf"] == ("terraform",)
    path.unlink()
    assert load_glossary(str(path)) == {}
