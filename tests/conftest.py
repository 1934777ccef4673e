"""Fixtures: one migrated, seeded database per run (SQLite, or TEST_DATABASE_URL), app, client.

The suite runs unchanged on SQLite and PostgreSQL; each completed run leaves a line in
build/test-run-<dialect>.txt that .ci/run checks.
"""

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from api import create_app
from api.config import TestConfig
from api.extensions import db, make_engine
from api.migrate import upgrade
from api.services.seeding import seed

ROOT = Path(__file__).resolve().parent.parent


def _reset(url: str) -> None:
    """Start from an empty database: drop every table (PostgreSQL) or use a new file."""
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    )
    _reset(url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    """The app on a database migrated from empty and seeded from seed/."""
    app = create_app(type("RunConfig", (TestConfig,), {"DATABASE_URL": database_url}))
    with app.app_context():
        upgrade(db.engine)
        seed(db.session, Path(app.config["SEED_DIR"]))
    return app


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
    (ROOT / "build" / f"test-run-{dialect}.txt").write_text(
        f"exitstatus={int(exitstatus)}\npassed={passed}\nfailed={failed}\n"
    )


@pytest.fixture(scope="session")
def api_schema(app):
    import schemathesis

    return schemathesis.openapi.from_wsgi("/openapi.json", app)
