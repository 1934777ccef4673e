"""Export and re-import, and what seeding does to entries editors changed."""

import json
from pathlib import Path

import pytest

from api import create_app
from api.config import TestConfig
from api.extensions import db
from api.migrate import upgrade

from .conftest import bearer, empty_database


@pytest.fixture(scope="module")
def app(writable_app):
    return writable_app


@pytest.fixture(scope="module")
def editor(app):
    return bearer(app, "exporter")


def export(app, directory: Path) -> dict[str, bytes]:
    result = app.test_cli_runner().invoke(args=["seed", "export", str(directory)])
    assert result.exit_code == 0, result.output
    return {path.name: path.read_bytes() for path in sorted(directory.glob("*.json"))}


def test_export_import_export_is_byte_identical_and_keeps_edits(
    app, client, editor, tmp_path, tmp_path_factory
):
    etag = client.get("/v1/tools/docker").headers["ETag"]
    edited = client.patch(
        "/v1/tools/docker",
        json={"summary": "Edited through the API."},
        headers={**editor, "If-Match": etag},
    )
    assert edited.status_code == 200
    first = export(app, tmp_path / "first")
    assert len(first) == 12
    tools = json.loads(first["tools.json"])
    assert next(t for t in tools if t["slug"] == "docker")["summary"] == "Edited through the API."

    url = empty_database(tmp_path_factory, "reimport")
    other = create_app(type("ReimportConfig", (TestConfig,), {"DATABASE_URL": url}))
    with other.app_context():
        upgrade(db.engine)
    loaded = other.test_cli_runner().invoke(args=["seed", "--dir", str(tmp_path / "first")])
    assert loaded.exit_code == 0, loaded.output
    assert export(other, tmp_path / "second") == first


def test_seed_keeps_editors_changes_unless_forced(app, client, editor):
    etag = client.get("/v1/metrics/mttr").headers["ETag"]
    client.patch(
        "/v1/metrics/mttr",
        json={"summary": "An editor's words."},
        headers={**editor, "If-Match": etag},
    )
    runner = app.test_cli_runner()

    kept = runner.invoke(args=["seed"])
    assert kept.exit_code == 0
    assert "metrics: 0 created, 0 updated" in kept.output
    assert client.get("/v1/metrics/mttr").json["summary"] == "An editor's words."

    forced = runner.invoke(args=["seed", "--force"])
    assert forced.exit_code == 0
    metric = client.get("/v1/metrics/mttr").json
    assert metric["summary"] != "An editor's words."
    assert metric["version"] == 3
    latest = client.get("/v1/metrics/mttr/revisions").json[0]
    assert (latest["author"], latest["changed"]) == ("seed", ["summary"])
    again = runner.invoke(args=["seed", "--force"])
    assert "0 updated" in again.output and " 1 updated" not in again.output
