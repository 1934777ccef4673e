"""Passages kept with their entries, written just before the transaction that changed them commits.

index_entry, unindex_entry and reindex (api/services/search.py) only note which entries they
touched (note(), note_everything()). Before the writer session commits, sync() rewrites those
entries' passages from their representation (api/services/passages.py): changed passages are
updated in place (their ids stay), new ones added, gone ones deleted; every passage gets the
entry's new version and ETag. A write can change another entry's representation too: a tool
naming a role changes the role's `tools` list, a resource's title is shown in the sources of
every entry citing it; those entries' passages get their new ETag in the same transaction.

With SEMANTIC_SEARCH on, each passage whose text changed is embedded (title and searched
text, as api/services/encoder.py embeds documents), with a digest of that text, so that text
that did not change is not embedded again. Off, changed passages lose their vector; turning it
on for a database that has content needs one `flask reindex`.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import delete, event, select, tuple_
from sqlalchemy.orm import Session

from schemas.fields import SlugList

from ..models import Passage, Resource, Role, Source
from ..registry import BY_MODEL, BY_NAME, COLLECTIONS
from .passages import entry_title, representation_etag, role_slugs, sources_for, split

PENDING = "passages_pending"  # Session.info: (collection, slug) of entries indexed
EVERYTHING = "passages_everything"  # Session.info: reindex asked for every entry
NAMED = ("roles", "tools", "responsibilities", "metrics")  # slugs shown by name in passages
Key = tuple[str, str]


def note(session: Session, collection: str, slug: str) -> None:
    """The entry's passages are to be rewritten (or deleted) before this transaction commits."""
    session.info.setdefault(PENDING, set()).add((collection, slug))


def note_everything(session: Session) -> None:
    session.info[EVERYTHING] = True


def _reverse_links() -> dict[str, list[tuple[str, str]]]:
    """{collection: [(its relation field, collection whose representation lists it back)]}:
    writing a tool that names roles changes those roles' `tools`."""
    found: dict[str, list[tuple[str, str]]] = {}
    for collection in COLLECTIONS:
        relationships = collection.model.__mapper__.relationships
        for name, schema_field in collection.schema_instance.fields.items():
            if (
                schema_field.dump_only
                and isinstance(schema_field, SlugList)
                and name in relationships
            ):
                relation = relationships[name]
                written = BY_MODEL[relation.mapper.class_].name
                found.setdefault(written, []).append((relation.back_populates, collection.name))
    return found


REVERSE = _reverse_links()


def embedded_text(row: Passage) -> str:
    return f"{row.title}\n{row.search_text}"


def _names(session: Session) -> dict[str, str]:
    names: dict[str, str] = {}
    for collection in NAMED:
        model = BY_NAME[collection].model
        names.update(dict(session.execute(select(model.slug, model.name)).all()))
    names.update(dict(session.execute(select(Role.slug, Role.name)).all()))
    return names


def _stored(session: Session, keys: set[Key] | None) -> dict[Key, dict[str, Passage]]:
    query = select(Passage)
    if keys is not None:
        if not keys:
            return {}
        query = query.where(tuple_(Passage.collection, Passage.slug).in_(sorted(keys)))
    found: dict[Key, dict[str, Passage]] = defaultdict(dict)
    for row in session.scalars(query):
        found[(row.collection, row.slug)][row.anchor] = row
    return found


def _entries(session: Session, keys: Iterable[Key]) -> dict[Key, Any]:
    by_collection: dict[str, list[str]] = defaultdict(list)
    for collection, slug in keys:
        by_collection[collection].append(slug)
    found: dict[Key, Any] = {}
    for name, slugs in by_collection.items():
        model = BY_NAME[name].model
        for start in range(0, len(slugs), 500):
            chunk = slugs[start : start + 500]
            for entry in session.scalars(select(model).where(model.slug.in_(chunk))):
                found[(name, entry.slug)] = entry
    return found


def _citing(session: Session, resource: str) -> set[Key]:
    """Entries whose sources cite the resource (its title is shown in them)."""
    rows = session.execute(
        select(Source.collection, Source.entry_id)
        .join(Resource, Resource.id == Source.resource_id)
        .where(Resource.slug == resource)
    ).all()
    found: set[Key] = set()
    ids: dict[str, set[int]] = defaultdict(set)
    for collection, entry_id in rows:
        ids[collection].add(entry_id)
    for name, entry_ids in ids.items():
        model = BY_NAME[name].model
        found.update(
            (name, s) for s in session.scalars(select(model.slug).where(model.id.in_(entry_ids)))
        )
    return found


def _touched(session: Session, keys: set[Key], stored, entries) -> set[Key]:
    """Other entries whose representation changes with these: reverse lists, cited titles."""
    extra: set[Key] = set()
    for key in keys:
        collection, slug = key
        entry = entries.get(key)
        for name, other in REVERSE.get(collection, ()):
            linked = {e.slug for e in getattr(entry, name, None) or []} if entry else set()
            for row in stored.get(key, {}).values():
                linked.update((row.details or {}).get("links", {}).get(name, []))
            extra.update((other, s) for s in linked)
        if collection == "resources":
            extra |= _citing(session, slug)
    return extra - keys


def _write(
    session: Session, key: Key, entry: Any, existing: dict[str, Passage], names
) -> list[Passage]:
    """Rewrite one entry's passages; return those whose text changed (to embed)."""
    collection = BY_NAME[key[0]]
    if entry is None:
        for row in existing.values():
            session.delete(row)
        return []
    data = collection.schema_instance.dump(entry)
    etag, roles = representation_etag(data), role_slugs(collection, data)
    links = {name: data.get(name) or [] for name, _ in REVERSE.get(collection.name, ())}
    sources = data.get("sources") or []
    changed = []
    details = {"entry_title": entry_title(data), "roles": roles, "links": links}
    for position, part in enumerate(split(collection, data, names)):
        row = existing.pop(part.anchor, None) or Passage(
            collection=collection.name, slug=entry.slug, anchor=part.anchor
        )
        values = {
            "field": part.field,
            "position": position,
            "title": part.title,
            "text": part.text,
            "search_text": part.search_text,
            "roles": f" {' '.join(roles)} ",
            "version": entry.version,
            "etag": etag,
            "sources": sources_for(part, sources),
            "details": details,
        }
        text_changed = (
            row.id is None or row.title != part.title or row.search_text != part.search_text
        )
        for name, value in values.items():
            if getattr(row, name, None) != value:
                setattr(row, name, value)
        if text_changed or row.embedding_digest is None:
            row.embedding, row.embedding_digest = None, None
            changed.append(row)
        session.add(row)
    for row in existing.values():
        session.delete(row)
    return changed


def sync(session: Session, keys: Iterable[Key], everything: bool = False, embed=None) -> int:
    """Rewrite the passages of these entries (of every entry); returns how many were written."""
    session.flush()
    session.expire_all()  # representations read now, reverse lists included
    keys = set(keys)
    if everything:
        stored = _stored(session, None)
        keys |= set(stored)
        for collection in COLLECTIONS:
            keys.update(
                (collection.name, s) for s in session.scalars(select(collection.model.slug))
            )
    else:
        stored = _stored(session, keys)
    entries = _entries(session, keys)
    extra = _touched(session, keys, stored, entries)
    if extra:
        stored.update(_stored(session, extra))
        entries.update(_entries(session, extra))
        keys |= extra
    names = _names(session)
    changed: list[Passage] = []
    for key in sorted(keys):
        changed += _write(session, key, entries.get(key), stored.get(key, {}), names)
    session.flush()
    if embed is not None and changed:
        embed(session, changed)
    return len(changed)


def embed_passages(session: Session, rows: list[Passage]) -> None:
    """Store each passage's vector (SEMANTIC_SEARCH on), 256 texts per model call."""
    from .encoder import ENCODER, digest, to_bytes

    for start in range(0, len(rows), 256):
        chunk = rows[start : start + 256]
        texts = [embedded_text(row) for row in chunk]
        for row, text, vector in zip(chunk, texts, ENCODER.embed(texts), strict=True):
            row.embedding, row.embedding_digest = to_bytes(vector), digest(text)
    session.flush()


def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(EVERYTHING, None)


def install(app: Flask) -> None:
    """Writer sessions rewrite the passages of what they indexed, just before committing."""
    embed = embed_passages if app.config.get("SEMANTIC_SEARCH") else None

    def before_commit(session: Session) -> None:
        keys, everything = session.info.pop(PENDING, None), session.info.pop(EVERYTHING, False)
        if keys or everything:
            sync(session, keys or (), everything, embed)

    writer = app.extensions["database"]["writer"]
    event.listen(writer, "before_commit", before_commit)
    event.listen(writer, "after_rollback", _forget)


def clear(session: Session) -> None:
    session.execute(delete(Passage))
