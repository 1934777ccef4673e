"""Load the JSON fixtures in seed/ through the API's own schemas, in one transaction.

Policy: entries whose slug already exists are left as they are (an editor may have changed
them), so loading twice changes nothing; their references are still checked. `--force`
overwrites entries that differ from their fixture, as new versions. Any invalid fixture
stops the load before anything is written. Every entry created or changed gets a revision
by the author "seed".
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..registry import COLLECTIONS, Collection
from .assign import UnknownReferences, assign, check_references, reread_references
from .entries import eager_loads
from .history import CREATED, record, snapshot, writable_content
from .search import index_entry
from .writes import Invalid, update_entry


class SeedError(Exception):
    """Fixtures that cannot be loaded; each message names the file, the entry and the field."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}{key}." if prefix or key != "_schema" else "")
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        for message in messages:
            yield prefix.rstrip(".") or "(entry)", message
    else:
        for index, value in enumerate(messages):
            yield from _flatten(value, f"{prefix}{index}.")


def _where(path: Path, index: int, raw: Any) -> str:
    slug = raw.get("slug") if isinstance(raw, dict) else None
    return f"{path}: entry {index}" + (f" ({slug})" if isinstance(slug, str) else "")


def read_fixtures(seed_dir: Path) -> list[tuple[Collection, Path, list[tuple[int, dict]]]]:
    """Parse and validate every fixture file; raise SeedError listing every problem."""
    loaded, errors = [], []
    for collection in COLLECTIONS:
        path = seed_dir / f"{collection.name}.json"
        if not path.exists():
            continue
        try:
            raw_entries = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            errors.append(f"{path}: not valid JSON: {exc}")
            continue
        if not isinstance(raw_entries, list):
            errors.append(f"{path}: must hold a JSON array of entries")
            continue
        schema, entries, seen = collection.schema(), [], set()
        for index, raw in enumerate(raw_entries):
            try:
                data = schema.load(raw)
            except ValidationError as exc:
                errors.extend(
                    f"{_where(path, index, raw)}: field '{name}': {message}"
                    for name, message in _flatten(exc.messages)
                )
                continue
            if data["slug"] in seen:
                errors.append(f"{_where(path, index, raw)}: field 'slug': used twice in the file")
            seen.add(data["slug"])
            entries.append((index, data))
        loaded.append((collection, path, entries))
    if errors:
        raise SeedError(errors)
    return loaded


SEED_AUTHOR = "seed"


def seed(session: Session, seed_dir: Path, force: bool = False) -> SeedReport:
    """Insert every fixture entry whose slug is not in the database yet; commit once.

    With `force`, entries that exist but differ from their fixture are overwritten (a new
    version, with its revision); without it they are kept as editors left them.
    """
    fixtures = read_fixtures(seed_dir)
    report, errors = SeedReport(), []
    for collection, path, entries in fixtures:
        model = collection.model
        existing = {e.slug: e for e in session.scalars(select(model))}
        created, updated = [], 0
        for index, data in entries:
            entry = existing.get(data["slug"])
            try:
                if entry is None:
                    entry = model(version=1)
                    assign(session, entry, data)
                    session.add(entry)
                    created.append((entry, sorted(data)))
                elif force:
                    message = f"Reloaded from {path.name} with --force."
                    updated += bool(
                        update_entry(session, collection, entry, data, SEED_AUTHOR, message)
                    )
                else:
                    check_references(session, model, data)
            except (UnknownReferences, Invalid) as exc:
                errors.extend(
                    f"{path}: entry {index} ({data['slug']}): field '{name}': {message}"
                    for name, messages in exc.errors.items()
                    for message in messages
                )
        session.flush()
        for entry, fields in created:
            reread_references(session, entry)
            state = snapshot(collection, entry)
            record(session, collection, state, CREATED, fields, SEED_AUTHOR, None)
            index_entry(session, collection, entry)
        report.created[collection.name] = len(created)
        report.updated[collection.name] = updated
        report.kept[collection.name] = len(entries) - len(created) - updated
    if errors:
        session.rollback()
        raise SeedError(errors)
    session.commit()
    return report


def export(session: Session, out_dir: Path) -> dict[str, int]:
    """Write every collection as a fixture file (seed/ format, sorted by slug)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for collection in COLLECTIONS:
        entries = session.scalars(
            select(collection.model)
            .order_by(collection.model.slug)
            .options(*eager_loads(collection.model))
        ).all()
        fixture = [writable_content(collection, snapshot(collection, e)) for e in entries]
        text = json.dumps(fixture, ensure_ascii=False, indent=2) + "\n"
        (out_dir / f"{collection.name}.json").write_text(text, encoding="utf-8")
        counts[collection.name] = len(fixture)
    return counts
