"""Revisions of entries and the change feed across all collections."""

import re
from collections.abc import Sequence
from typing import Any

from marshmallow import fields as ma_fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from schemas.constants import CURSOR_PATTERN, MAX_INT32
from schemas.fields import is_slug

from .. import urls
from ..models import Revision
from ..registry import Collection
from .entries import Page

CREATED, UPDATED, DELETED, RESTORED = "created", "updated", "deleted", "restored"
META_FIELDS = ("slug", "version", "created_at", "updated_at")


def snapshot(collection: Collection, entry: Any) -> dict[str, Any]:
    """The entry's own content (what a client can write) with its version and timestamps."""
    return snapshot_of(collection, collection.schema_instance.dump(entry))


def snapshot_of(collection: Collection, shown: dict[str, Any]) -> dict[str, Any]:
    """The snapshot within what a GET shows of an entry (its schema dump), without dumping."""
    keep = set(META_FIELDS) | set(collection.writable_fields)
    return {key: value for key, value in shown.items() if key in keep}


def writable_content(collection: Collection, data: dict[str, Any]) -> dict[str, Any]:
    """Only what a client writes (and a fixture holds) of a snapshot or representation.

    Records nested in a list keep only their writable fields too: a source's `title` is
    shown from its resource, not written with the entry.
    """
    fields = collection.schema_instance.fields
    writable = set(collection.writable_fields)
    return {key: _writable(fields[key], value) for key, value in data.items() if key in writable}


def _writable(field: ma_fields.Field, value: Any) -> Any:
    inner = getattr(field, "inner", None)
    if not isinstance(inner, ma_fields.Nested) or not isinstance(value, list):
        return value
    keep = {f.data_key or name for name, f in inner.schema.fields.items() if not f.dump_only}
    return [
        {k: v for k, v in item.items() if k in keep} if isinstance(item, dict) else item
        for item in value
    ]


def record(
    session: Session,
    collection: Collection,
    state: dict[str, Any],
    action: str,
    changed: list[str],
    author: str,
    message: str | None,
) -> Revision:
    """Store one revision; `state` is a snapshot()."""
    revision = Revision(
        collection=collection.name,
        slug=state["slug"],
        version=state["version"],
        action=action,
        snapshot=state,
        changed=changed,
        author=author,
        message=message,
    )
    session.add(revision)
    return revision


def revision_url(revision: Revision) -> str:
    return urls.revision_url(revision.collection, revision.slug, revision.version)


def deleted_revision(session: Session, collection: Collection, slug: str) -> Revision | None:
    """The revision that deleted the entry, when its latest one is a delete (else None).

    Its URL (revision_url) holds the entry's last content, from which it can be restored.
    """
    last = latest_revision(session, collection, slug)
    return last if last is not None and last.action == DELETED else None


def latest_revision(session: Session, collection: Collection, slug: str) -> Revision | None:
    if not is_slug(slug):
        return None
    query = (
        select(Revision)
        .where(Revision.collection == collection.name, Revision.slug == slug)
        .order_by(Revision.version.desc())
        .limit(1)
    )
    return session.scalar(query)


def list_revisions(
    session: Session, collection: Collection, slug: str, page: int, page_size: int
) -> Page:
    """An entry's revisions, newest first."""
    if not is_slug(slug):
        return Page([], 0, page, page_size)
    where = (Revision.collection == collection.name, Revision.slug == slug)
    total = session.scalar(select(func.count()).select_from(Revision).where(*where)) or 0
    query = (
        select(Revision)
        .where(*where)
        .order_by(Revision.version.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return Page(session.scalars(query).all() if total else [], total, page, page_size)


def get_revision(
    session: Session, collection: Collection, slug: str, version: int
) -> Revision | None:
    if not is_slug(slug):
        return None
    query = select(Revision).where(
        Revision.collection == collection.name, Revision.slug == slug, Revision.version == version
    )
    return session.scalar(query)


class BadCursor(ValueError):
    pass


def encode_cursor(revision_id: int) -> str:
    """A position in the change feed; clients treat it as opaque."""
    return f"c{revision_id}"


def decode_cursor(cursor: str) -> int:
    """The revision id a cursor stands for; BadCursor when it is not one we give out."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise BadCursor(cursor)
    return int(cursor[1:])


def changes_after(session: Session, after_id: int, limit: int) -> Sequence[Revision]:
    """Revisions committed after `after_id`, oldest first."""
    # Ids are 32-bit: a cursor past that cannot have anything after it (and PostgreSQL
    # would refuse the comparison).
    after_id = min(after_id, MAX_INT32)
    query = select(Revision).where(Revision.id > after_id).order_by(Revision.id).limit(limit)
    return session.scalars(query).all()
