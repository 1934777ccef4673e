"""Seeding: validated by the API's schemas, all or nothing, and idempotent."""

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from api.registry import COLLECTIONS
from api.services.seeding import SeedError, seed

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"


def snapshot(session) -> dict[str, list[tuple]]:
    return {
        c.name: sorted(
            session.execute(select(c.model.slug, c.model.version, c.model.updated_at)).all()
        )
        for c in COLLECTIONS
    }


def test_every_fixture_entry_is_in_the_database(session):
    for collection in COLLECTIONS:
        fixture = json.loads((SEED_DIR / f"{collection.name}.json").read_text())
        stored = set(session.scalars(select(collection.model.slug)))
        assert {entry["slug"] for entry in fixture} == stored, collection.name


def test_seeding_twice_changes_nothing(session):
    before = snapshot(session)
    report = seed(session, SEED_DIR)
    assert set(report.created.values()) == {0}
    assert snapshot(session) == before


@pytest.fixture
def fixtures(tmp_path) -> Path:
    """A copy of seed/ to break, with one new valid tag that must not be written."""
    target = tmp_path / "seed"
    shutil.copytree(SEED_DIR, target)
    edit(
        target,
        "tags",
        lambda entries: entries.append(
            {"slug": "brand-new-tag", "name": "New", "summary": "Must not be written."}
        ),
    )
    return target


def edit(seed_dir: Path, name: str, change) -> None:
    path = seed_dir / f"{name}.json"
    entries = json.loads(path.read_text())
    change(entries)
    path.write_text(json.dumps(entries))


NEW_TOOL = {"slug": "brand-new-tool", "name": "New", "category": "chat", "summary": "New."}


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({**NEW_TOOL, "colour": "red"}, "colour", "Unknown field"),
        ({k: v for k, v in NEW_TOOL.items() if k != "name"}, "name", "required"),
        ({**NEW_TOOL, "category": "spaceship"}, "category", "Must be one of"),
        ({**NEW_TOOL, "roles": ["nobody"]}, "roles", "Unknown role slug: nobody"),
        ({**NEW_TOOL, "version": 7}, "version", "Read-only"),
        ({**NEW_TOOL, "slug": "Not A Slug"}, "slug", "lowercase"),
    ],
)
def test_bad_fixture_is_refused_naming_file_entry_field_and_nothing_is_written(
    session, fixtures, entry, field, message
):
    edit(fixtures, "tools", lambda entries: entries.append(entry))
    before = snapshot(session)
    with pytest.raises(SeedError) as raised:
        seed(session, fixtures)
    [error] = raised.value.messages
    assert "tools.json: entry " in error
    assert f"field '{field}'" in error
    assert message in error
    session.rollback()
    assert snapshot(session) == before


def test_nested_errors_name_the_path(fixtures, session):
    def break_stage(entries):
        entries[0]["stages"][1]["tools"] = ["no-such-tool"]

    edit(fixtures, "workflows", break_stage)
    with pytest.raises(SeedError) as raised:
        seed(session, fixtures)
    assert "field 'stages.1.tools'" in raised.value.messages[0]


def test_invalid_json_is_refused(fixtures, session):
    (fixtures / "roles.json").write_text("[{")
    with pytest.raises(SeedError, match=r"roles\.json: not valid JSON"):
        seed(session, fixtures)


def test_cli_reports_errors_and_exits_non_zero(app, fixtures):
    edit(fixtures, "tools", lambda entries: entries.append({**NEW_TOOL, "roles": ["ghost"]}))
    result = app.test_cli_runner().invoke(args=["seed", "--dir", str(fixtures)])
    assert result.exit_code == 1
    assert "Unknown role slug: ghost" in result.output


def test_cli_seed_on_a_seeded_database_keeps_everything(app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0
    assert "tools: 0 created" in result.output
