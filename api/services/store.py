"""The steps of a write inside its transaction: insert, update, remove an entry.

Each stores a revision and re-indexes the entry in one place, `written` (search documents,
and what api/services/search.py hooks to them), and leaves committing to
api/services/transaction.py. The use cases that call them are in api/services/writes.py.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.exc import StaleDataError

from ..models.base import utcnow
from ..registry import COLLECTIONS, Collection, linked_to
from .assign import UnknownReferences, assign, reread_references
from .history import CREATED, DELETED, UPDATED, latest_revision, record, revision_url, snapshot
from .indexing import index_entry, unindex_entry
from .keys import GRANTS
from .refusals import Conflict, Forbidden, Invalid, changed_meanwhile


@dataclass(frozen=True)
class Change:
    """Who writes and why: the revision's author and message, and the key's scope."""

    author: str
    message: str | None = None
    scope: str = "admin"  # the command line's writes (seed) may bring entries back

    @property
    def may_bring_back(self) -> bool:
        return "admin" in GRANTS[self.scope]


def bring_back_refused(slug: str, url: str, scope: str) -> Forbidden:
    """A deleted entry comes back only with an admin key: the refusal, wherever it is found."""
    return Forbidden(
        f"'{slug}' was deleted: bringing it back needs an admin key, and this key's scope is "
        f"{scope}. An admin can create it again or restore its last content with "
        f"POST {url}/restore."
    )


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
        raise changed_meanwhile(slug) from None
    except IntegrityError:
        raise Conflict(f"'{slug}' conflicts with an existing entry.") from None


def written(
    session: Session,
    collection: Collection,
    entry: Any,
    action: str,
    changed: list[str],
    change: Change,
) -> None:
    """Once an entry is flushed: its revision, and its search document (the one place)."""
    reread_references(session, entry)
    state = snapshot(collection, entry)
    record(session, collection, state, action, changed, change.author, change.message)
    index_entry(session, collection, entry)


def insert(
    session: Session, collection: Collection, data: dict[str, Any], change: Change, action=CREATED
) -> Any:
    """Insert a new entry. A slug that was deleted before continues its version numbers."""
    model, slug = collection.model, data["slug"]
    if session.scalar(select(model.id).where(model.slug == slug)) is not None:
        raise Conflict(f"A {collection.label} with the slug '{slug}' already exists.")
    previous = latest_revision(session, collection, slug)
    if previous is not None and previous.action == DELETED and not change.may_bring_back:
        raise bring_back_refused(slug, revision_url(previous), change.scope)
    entry = model()
    _assign(session, entry, data)
    entry.version = previous.version + 1 if previous else 1
    session.add(entry)
    _flush(session, slug)
    written(session, collection, entry, action, sorted(data), change)
    return entry


def update(
    session: Session,
    collection: Collection,
    entry: Any,
    data: dict[str, Any],
    changed: list[str],
    change: Change,
    action: str = UPDATED,
) -> None:
    """Replace the entry's content with `data`, whose `changed` fields differ from it."""
    _assign(session, entry, data)
    entry.version += 1
    entry.updated_at = utcnow()
    _flush(session, entry.slug)
    written(session, collection, entry, action, changed, change)


def delete(session: Session, collection: Collection, entry: Any, change: Change) -> None:
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
    record(session, collection, state, DELETED, [], change.author, change.message)
    unindex_entry(session, collection, entry.slug)


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
