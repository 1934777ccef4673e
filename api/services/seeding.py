"""Load the JSON fixtures in seed/ through the API's own schemas, in one transaction.

Policy: the seed adds only entries that have never existed. An entry with any history is the
editors': one that exists (edited, re-created or untouched) is kept as it is, one they
deleted stays deleted, so loading again changes nothing and `make db` never trips over
editorial history. `force` overwrites existing entries that differ from their fixture;
`restore_deleted` re-creates the entries editors deleted, continuing their version numbers.
Each such write is a new version with a revision by the author "seed".

References: a slug that names no entry and never did is a fixture error; one that names an
entry editors deleted is left out of what the seed writes, with a note (a reference that
cannot be empty keeps its entry from being written). Any fixture error stops the load
before anything is written.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Revision
from ..registry import BY_MODEL, COLLECTIONS, Collection
from . import store
from .assign import Reference, UnknownReferences, assign, references, without_references
from .entries import eager_loads
from .history import CREATED, snapshot, writable_content
from .refusals import WriteRefused
from .store import Change
from .transaction import write_transaction
from .writes import changed_fields


class SeedError(Exception):
    """Fixtures that cannot be loaded; each message names the file, the entry and the field."""

    def __init__(self, messages: list[str]):
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class SeedReport:
    """Per collection, what became of its fixture entries; notes on references left out."""

    created: dict[str, int] = field(default_factory=dict)  # never existed: added
    updated: dict[str, int] = field(default_factory=dict)  # --force: overwritten
    restored: dict[str, int] = field(default_factory=dict)  # --restore-deleted: re-created
    kept: dict[str, int] = field(default_factory=dict)  # exist: left as they are
    left_out: dict[str, int] = field(default_factory=dict)  # deleted by editors, or need such
    notes: list[str] = field(default_factory=list)


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
            # Rules for shipped content beyond a valid write (an FAQ's examples).
            if fixture_rules := getattr(schema, "fixture_errors", None):
                errors.extend(
                    f"{_where(path, index, raw)}: field '{name}': {message}"
                    for name, message in _flatten(fixture_rules(data))
                )
            if data["slug"] in seen:
                errors.append(f"{_where(path, index, raw)}: field 'slug': used twice in the file")
            seen.add(data["slug"])
            entries.append((index, data))
        loaded.append((collection, path, entries))
    if errors:
        raise SeedError(errors)
    return loaded


SEED_AUTHOR = "seed"


def _messages(where: str, errors: dict[str, list[str]]) -> list[str]:
    return [
        f"{where}: field '{name}': {message}"
        for name, messages in errors.items()
        for message in messages
    ]


def _histories(session: Session, collection: Collection, slugs: set[str]) -> set[str]:
    """Those of `slugs` that have revisions in `collection`."""
    if not slugs:
        return set()
    query = select(Revision.slug).where(
        Revision.collection == collection.name, Revision.slug.in_(slugs)
    )
    return set(session.scalars(query.distinct()))


def _deleted_references(session: Session, model: type, data: dict[str, Any]) -> set[Reference]:
    """The references in `data` that name entries editors deleted.

    Raises UnknownReferences for slugs that name no entry and never did (fixture errors).
    """
    found = list(references(model, data))
    named: dict[type, set[str]] = defaultdict(set)
    for reference in found:
        named[reference.target].add(reference.slug)
    deleted: set[tuple[type, str]] = set()
    errors: dict[str, list[str]] = {}
    for target, slugs in named.items():
        missing = slugs - set(session.scalars(select(target.slug).where(target.slug.in_(slugs))))
        had_history = _histories(session, BY_MODEL[target], missing)
        deleted |= {(target, slug) for slug in had_history}
        for reference in found:
            if reference.target is target and reference.slug in missing - had_history:
                message = f"Unknown {BY_MODEL[target].label} slug: {reference.slug}."
                errors.setdefault(reference.path, []).append(message)
    if errors:
        raise UnknownReferences(errors)
    return {r for r in found if (r.target, r.slug) in deleted}


def seed(
    session: Session, seed_dir: Path, force: bool = False, restore_deleted: bool = False
) -> SeedReport:
    """Add the fixture entries that have never existed, in one write transaction (see the
    module's policy); nothing is written when any entry is refused.

    With `force`, existing entries that differ from their fixture are overwritten; with
    `restore_deleted`, entries that editors deleted are re-created from their fixture.
    """
    fixtures = read_fixtures(seed_dir)
    with write_transaction(session):
        return _load(session, fixtures, force, restore_deleted)


def _load(session: Session, fixtures: list, force: bool, restore_deleted: bool) -> SeedReport:
    report, errors = SeedReport(), []
    for collection, path, entries in fixtures:
        model, name = collection.model, collection.name
        existing = {e.slug: e for e in session.scalars(select(model))}
        deleted = _histories(session, collection, {data["slug"] for _, data in entries}) - set(
            existing
        )
        counts = dict.fromkeys(("created", "updated", "restored", "kept", "left_out"), 0)
        created, left_deleted = [], []
        for index, data in entries:
            slug, where = data["slug"], f"{path}: entry {index} ({data['slug']})"
            entry = existing.get(slug)
            try:
                gone = _deleted_references(session, model, data)
            except UnknownReferences as exc:
                errors.extend(_messages(where, exc.errors))
                continue
            if entry is None and slug in deleted and not restore_deleted:
                left_deleted.append(slug)
                counts["left_out"] += 1
                continue
            if entry is not None and not force:
                counts["kept"] += 1
                continue
            usable = without_references(model, data, {(r.target, r.slug) for r in gone})
            if gone:
                what = ", ".join(sorted({f"{r.path} '{r.slug}'" for r in gone}))
                left = "not written, it needs" if usable is None else "written without"
                report.notes.append(f"{where}: {left} {what} (deleted by editors)")
            if usable is None:
                counts["kept" if entry is not None else "left_out"] += 1
                continue
            try:
                if entry is None and slug not in deleted:
                    entry = model(version=1)
                    assign(session, entry, usable)
                    session.add(entry)
                    created.append((entry, sorted(usable)))
                    counts["created"] += 1
                elif entry is None:
                    message = f"Re-created from {path.name} with --restore-deleted."
                    store.insert(session, collection, usable, Change(SEED_AUTHOR, message))
                    counts["restored"] += 1
                else:
                    message = f"Reloaded from {path.name} with --force."
                    changed = changed_fields(collection, entry, usable)
                    if changed:
                        change = Change(SEED_AUTHOR, message)
                        store.update(session, collection, entry, usable, changed, change)
                    counts["updated" if changed else "kept"] += 1
            except UnknownReferences as exc:
                errors.extend(_messages(where, exc.errors))
            except WriteRefused as exc:
                raise SeedError([f"{where}: {exc.message}"]) from None
        if left_deleted:
            report.notes.append(
                f"{name}: {', '.join(left_deleted)}: deleted by editors, left deleted "
                "(seed --restore-deleted brings them back)"
            )
        session.flush()
        for entry, fields in created:
            store.written(session, collection, entry, CREATED, fields, Change(SEED_AUTHOR))
        for key, count in counts.items():
            getattr(report, key)[name] = count
    if errors:
        raise SeedError(errors)
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
