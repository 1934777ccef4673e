"""Fixtures: one migrated, seeded database per run (SQLite, or TEST_DATABASE_URL), app, client.

The suite runs unchanged on SQLite and PostgreSQL; each completed run leaves a line in
build/test-run-<dialect>.txt (build/test-run-<dialect>-words.txt with SEMANTIC_SEARCH=0) that
.ci/run checks. It runs in the default mode (SEMANTIC_SEARCH
on, as `make run` serves) unless SEMANTIC_SEARCH=0 is set (words only; .ci/run runs the search
and answer tests so too).

Every seeded database embeds the same texts (the seed's search documents and passages): the
model computes each text's vector once per run, and every later database, in this process or
in the servers and commands tests start, reads it from EMBEDDING_CACHE_DIR
(api/services/vector_cache.py): `make test` names one directory for both databases' suites,
a run started otherwise gets its own. The model still runs for every text no process of the
run has embedded, questions included.
"""

import os
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from api import create_app
from api.config import TestConfig
from api.extensions import db, make_engine
from api.migrate import upgrade
from api.services.keys import create_key
from api.services.seeding import seed

ROOT = Path(__file__).resolve().parent.parent


# api/services/vector_cache.py; inherited by every process the tests start
os.environ.setdefault("EMBEDDING_CACHE_DIR", tempfile.mkdtemp(prefix="embeddings-"))


def empty_database(tmp_path_factory, schema: str = "public") -> str:
    """The URL of an empty database: a new SQLite file, or a new schema in TEST_DATABASE_URL.

    Tests that write get their own (schema != "public"), so the shared seeded database that
    most tests read stays exactly as seed/ describes it.
    """
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path_factory.mktemp(schema) / 'test.db'}"
    engine = make_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    if schema == "public":
        return base
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


def seeded_app(database_url: str, **settings):
    """The app on a database migrated from empty and seeded from seed/."""
    settings = {"DATABASE_URL": database_url, **settings}
    app = create_app(type("RunConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, Path(app.config["SEED_DIR"]))
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return empty_database(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url):
    """The shared app for tests that only read: its content is exactly seed/."""
    return seeded_app(database_url)


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory, request):
    """An app on a database of the test module's own, for tests that write.

    A module that sets SEMANTIC_SEARCH = False gets it words only: tests/test_schemathesis.py,
    whose thousands of generated writes check the spec, not the ranking (embedding each
    written text triples a write's CPU; tests/test_semantic.py checks that writes embed).
    """
    schema = request.module.__name__.rsplit(".", 1)[-1]
    url = empty_database(tmp_path_factory, schema)
    if getattr(request.module, "SEMANTIC_SEARCH", None) is False:
        return seeded_app(url, SEMANTIC_SEARCH=False)
    return seeded_app(url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def session(app):
    with app.app_context():
        yield db.session


def pytest_sessionfinish(session, exitstatus):
    url = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    dialect = "postgresql" if url.startswith("postgres") else "sqlite"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passed = len(reporter.stats.get("passed", [])) if reporter else 0
    failed = len(reporter.stats.get("failed", [])) if reporter else 0
    if session.config.option.collectonly or not passed:
        return
    (ROOT / "build").mkdir(exist_ok=True)
    mode = "-words" if os.environ.get("SEMANTIC_SEARCH", "1").lower() in ("0", "false") else ""
    (ROOT / "build" / f"test-run-{dialect}{mode}.txt").write_text(
        f"exitstatus={int(exitstatus)}\npassed={passed}\nfailed={failed}\n"
    )


@pytest.fixture(scope="session")
def api_schema(app):
    import schemathesis

    return schemathesis.openapi.from_wsgi("/openapi.json", app)


def make_key(app, name: str, scope: str = "editor") -> str:
    """A new API key, made as the CLI makes it."""
    with app.app_context():
        return create_key(db.session, name, scope)


def bearer(app, name: str, scope: str = "editor") -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(app, name, scope)}"}
