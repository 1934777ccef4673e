"""Creating, replacing, deleting and restoring entries; every change stores a revision."""

from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from ..models import Revision
from ..models.base import utcnow
from ..registry import COLLECTIONS, Collection, linked_to
from .assign import UnknownReferences, assign, canonical, reread_references
from .history import (
    CREATED,
    DELETED,
    RESTORED,
    UPDATED,
    latest_revision,
    record,
    snapshot,
    writable_content,
)
from .search import index_entry, unindex_entry


class WriteRefused(Exception):
    """A write that cannot be done; `status` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors


class Conflict(WriteRefused):
    status = 409


class Stale(WriteRefused):
    status = 412


class Invalid(WriteRefused):
    status = 422


def _assign(session: Session, entry: Any, data: dict[str, Any]) -> None:
    try:
        assign(session, entry, data)
    except UnknownReferences as exc:
        raise Invalid("Some slugs name no entry.", exc.errors) from None


def _flush(session: Session, slug: str) -> None:
    """Flush; the UPDATE/DELETE carries `WHERE version = <read>`, so a lost race is 412."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise Stale(f"'{slug}' was changed by someone else meanwhile. GET it and retry.") from None
    except IntegrityError:
        session.rollback()
        raise Conflict(f"'{slug}' conflicts with an existing entry.") from None


def create_entry(
    session: Session, collection: Collection, data: dict[str, Any], author: str, message: str | None
) -> Any:
    """Insert a new entry. A slug that was deleted before continues its version numbers."""
    model = collection.model
    if session.scalar(select(model.id).where(model.slug == data["slug"])) is not None:
        raise Conflict(f"A {collection.label} with the slug '{data['slug']}' already exists.")
    previous = latest_revision(session, collection, data["slug"])
    entry = model()
    _assign(session, entry, data)
    entry.version = previous.version + 1 if previous else 1
    session.add(entry)
    _flush(session, data["slug"])
    reread_references(session, entry)
    record(session, collection, snapshot(collection, entry), CREATED, sorted(data), author, message)
    index_entry(session, collection, entry)
    return entry


def update_entry(
    session: Session,
    collection: Collection,
    entry: Any,
    data: dict[str, Any],
    author: str,
    message: str | None,
    action: str = UPDATED,
) -> list[str]:
    """Replace an entry's content with `data`; return the fields that changed.

    Nothing changes (no new version, nothing touched) when `data` equals the current content:
    both are compared in the schema's loaded form before anything is assigned, lists of
    references as sets (canonical()). The revision holds them in the order GET shows.
    """
    before = snapshot(collection, entry)
    model = collection.model
    current = canonical(
        model, collection.schema_instance.load(writable_content(collection, before))
    )
    wanted = canonical(model, data)
    changed = [name for name in collection.writable_fields if current.get(name) != wanted.get(name)]
    if not changed:
        return []
    _assign(session, entry, data)
    entry.version = before["version"] + 1
    entry.updated_at = utcnow()
    _flush(session, entry.slug)
    reread_references(session, entry)
    record(session, collection, snapshot(collection, entry), action, changed, author, message)
    index_entry(session, collection, entry)
    return changed


def references_to(session: Session, entry: Any) -> list[str]:
    """Entries whose own content names `entry` ("tools/docker"), which a delete would change."""
    found = []
    for collection in COLLECTIONS:
        for name in collection.writable_fields:
            if name in collection.model.__mapper__.relationships:
                condition = _points_to(getattr(collection.model, name), entry)
                if condition is not None:
                    query = select(collection.model.slug).where(condition)
                    found += [f"{collection.name}/{slug}" for slug in session.scalars(query)]
    return found


def _points_to(relation: InstrumentedAttribute, entry: Any) -> ColumnElement[bool] | None:
    target = relation.property.mapper.class_
    if target is type(entry):
        return linked_to(relation)(entry.slug)
    if hasattr(target, "slug"):
        return None
    # Child rows (stages): does any child point to the entry?
    inner = [
        condition
        for child in target.__mapper__.relationships
        if (condition := _points_to(getattr(target, child.key), entry)) is not None
    ]
    return relation.any(or_(*inner)) if inner else None


def delete_entry(
    session: Session, collection: Collection, entry: Any, author: str, message: str | None
) -> None:
    """Delete an entry nothing else names; its last content stays in its revisions."""
    references = references_to(session, entry)
    if references:
        raise Conflict(
            f"'{entry.slug}' is still named by {', '.join(references)}. Remove it there first.",
            {"references": references},
        )
    state = snapshot(collection, entry)
    state.update(version=entry.version + 1, updated_at=utcnow().isoformat())
    session.delete(entry)
    _flush(session, entry.slug)
    record(session, collection, state, DELETED, [], author, message)
    unindex_entry(session, collection, entry.slug)


def restore_revision(
    session: Session,
    collection: Collection,
    entry: Any | None,
    revision: Revision,
    author: str,
    message: str | None,
) -> Any:
    """Make a revision's content current again; re-create the entry if it was deleted."""
    content = writable_content(collection, revision.snapshot)
    try:
        data = collection.schema_instance.load(content)
    except ValidationError as exc:
        raise Conflict("That revision no longer fits the schema.", exc.messages) from None
    message = message or f"Restored version {revision.version}."
    if entry is None:
        latest = latest_revision(session, collection, revision.slug)
        entry = collection.model()
        _assign(session, entry, data)
        entry.version = latest.version + 1
        session.add(entry)
        _flush(session, revision.slug)
        reread_references(session, entry)
        state = snapshot(collection, entry)
        record(session, collection, state, RESTORED, sorted(data), author, message)
        index_entry(session, collection, entry)
        return entry
    update_entry(session, collection, entry, data, author, message, action=RESTORED)
    return entry


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply an RFC 7396 JSON Merge Patch: objects merge, null removes, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
