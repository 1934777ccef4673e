"""The write use cases: create, replace, patch, delete and restore an entry.

Each is one function that reads first and locks last: it validates and compares what it
was given against the entry as read (`Current`, dumped once) without any lock, answers a
write that changes nothing with no new version and no write transaction, and only then
opens the write's transaction (api/services/transaction.py), where it reads the entry again,
checks that its version is still the one read, and writes it (api/services/store.py).
`answer`, when given, builds the caller's answer inside that transaction, so that what is
kept for an Idempotency-Key commits with the write. Refusals are WriteRefused exceptions.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from marshmallow import Schema, ValidationError, fields
from sqlalchemy.orm import Session

from schemas.fields import SlugList, SlugRef

from ..models import Revision
from ..registry import Collection
from . import store
from .assign import UnknownReferences, canonical, check_references
from .entries import get_entry
from .history import RESTORED, UPDATED, snapshot_of, writable_content
from .refusals import Conflict, Invalid, Stale, WriteRefused, changed_meanwhile
from .store import Change
from .transaction import write_transaction

__all__ = ["Change", "Conflict", "Current", "Invalid", "Stale", "WriteRefused"]

T = TypeVar("T")
Answer = Callable[[], T] | None


@dataclass(frozen=True)
class Current:
    """An entry as read before a write, and what a GET shows of it (dumped once)."""

    entry: Any
    shown: dict[str, Any]

    @classmethod
    def read(cls, collection: Collection, entry: Any) -> "Current":
        return cls(entry, collection.schema_instance.dump(entry))


def create_entry(
    session: Session,
    collection: Collection,
    data: dict[str, Any],
    change: Change,
    answer: Answer = None,
) -> Any:
    """A new entry from schema-loaded `data`; a slug deleted before needs an admin's change."""
    _check_references(session, collection, data)
    with write_transaction(session):
        entry = store.insert(session, collection, data, change)
        return answer() if answer else entry


def replace_entry(
    session: Session,
    collection: Collection,
    current: Current,
    data: dict[str, Any],
    change: Change,
    answer: Answer = None,
) -> Any:
    """The entry's whole content becomes `data` (schema-loaded); its slug cannot change."""
    slug = current.shown["slug"]
    if data["slug"] != slug:
        raise Invalid(
            "Slugs cannot change.", {"slug": [f"Must stay '{slug}': slugs cannot change."]}
        )
    return _update(session, collection, current, data, change, UPDATED, answer)


def patch_entry(
    session: Session,
    collection: Collection,
    current: Current,
    patch: dict[str, Any],
    change: Change,
    answer: Answer = None,
) -> Any:
    """Apply a JSON Merge Patch (RFC 7396) to the entry's content, then replace it."""
    content = writable_content(collection, snapshot_of(collection, current.shown))
    # A null removes a member: one the schema does not have is refused as any value would be.
    errors = _not_writable(collection, [key for key, value in patch.items() if value is None])
    try:
        data = collection.schema_instance.load(merge_patch(content, patch))
    except ValidationError as exc:
        errors = {**errors, **exc.normalized_messages()}
    if errors:
        raise Invalid("The merged content is not valid.", errors)
    return replace_entry(session, collection, current, data, change, answer)


def delete_entry(
    session: Session, collection: Collection, current: Current, change: Change
) -> None:
    """Delete the entry (409 while others name it); its last content stays in its revisions."""
    slug, version = current.shown["slug"], current.shown["version"]
    with write_transaction(session):
        store.delete(session, collection, _reread(session, collection, slug, version), change)


def restore_revision(
    session: Session,
    collection: Collection,
    current: Current | None,
    revision: Revision,
    change: Change,
    answer: Answer = None,
) -> Any:
    """Make a revision's content current again; re-create the entry (`current` None) if it
    was deleted, which needs an admin's change."""
    try:
        data = collection.schema_instance.load(writable_content(collection, revision.snapshot))
    except ValidationError as exc:
        raise Conflict("That revision no longer fits the schema.", exc.messages) from None
    change = replace(change, message=change.message or f"Restored version {revision.version}.")
    if current is not None:
        return _update(session, collection, current, data, change, RESTORED, answer)
    _check_references(session, collection, data)
    with write_transaction(session):
        entry = store.insert(session, collection, data, change, RESTORED)
        return answer() if answer else entry


def changed_fields(collection: Collection, entry: Any, data: dict[str, Any]) -> list[str]:
    """The writable fields whose content differs between an entry and schema-loaded `data`.

    Both are compared in the schema's loaded form, lists of references as sets (canonical()).
    """
    model = collection.model
    current = canonical(model, loaded_content(collection.schema_instance, entry))
    wanted = canonical(model, data)
    return [name for name in collection.writable_fields if current.get(name) != wanted.get(name)]


def loaded_content(schema: Schema, entry: Any) -> dict[str, Any]:
    """What `schema.load` makes of the entry's writable content, read from the entry itself.

    The loaded form is what api/services/assign.py sets on a model: columns as they are, a
    reference as its slug, owned rows (stages, sources) as their own loaded form. Reading it
    back from the entry saves dumping and loading it again to compare (a PATCH loads once: the
    merged content). tests/test_write_service.py checks it against the load for every entry.
    """
    content = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        value = getattr(entry, field.attribute or name)
        inner = getattr(field, "inner", None)
        if isinstance(field, SlugRef):
            value = None if value is None else value.slug
        elif isinstance(field, SlugList):
            value = None if value is None else [item.slug for item in value]
        elif isinstance(inner, fields.Nested) and value is not None:
            value = [loaded_content(inner.schema, item) for item in value]
        content[name] = value
    return content


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


def _update(
    session: Session,
    collection: Collection,
    current: Current,
    data: dict[str, Any],
    change: Change,
    action: str,
    answer: Answer,
) -> Any:
    changed = changed_fields(collection, current.entry, data)
    if not changed:  # no new version, and no write transaction
        return answer() if answer else current.entry
    _check_references(session, collection, data)
    with write_transaction(session):
        entry = _reread(session, collection, current.shown["slug"], current.shown["version"])
        store.update(session, collection, entry, data, changed, change, action)
        return answer() if answer else entry


def _reread(session: Session, collection: Collection, slug: str, version: int) -> Any:
    """The entry again, in the write's transaction, if it is still at the version read."""
    entry = get_entry(session, collection, slug)
    if entry is None or entry.version != version:
        raise changed_meanwhile(slug)
    return entry


def _check_references(session: Session, collection: Collection, data: dict[str, Any]) -> None:
    """422 for slugs naming no entry, before any lock (the write resolves them again)."""
    try:
        check_references(session, collection.model, data)
    except UnknownReferences as exc:
        raise Invalid("Some slugs name no entry.", exc.errors) from None


def _not_writable(collection: Collection, names: list[str]) -> dict[str, list[str]]:
    """What the schema says of these members when sent with a value (schemas/base.py)."""
    fields, writable = collection.schema_instance.fields, set(collection.writable_fields)
    errors = {}
    for name in names:
        if name not in writable:
            read_only = name in fields and fields[name].dump_only
            errors[name] = ["Read-only: set by the server." if read_only else "Unknown field."]
    return errors
