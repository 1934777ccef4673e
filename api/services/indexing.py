"""The search index: one document per entry (title, body, roles) and the words it holds.

Every write re-indexes its entry here (services/store.py) and reindex() rebuilds everything;
the passages of an entry (services/passage_store.py) are noted for rewriting in the same
transaction. The documents are what services/search.py ranks.
"""

from typing import Any

from marshmallow import fields as ma_fields
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from schemas.constants import TITLE_FIELDS
from schemas.fields import Slug, SlugList

from ..models import SearchDocument, SearchTerm
from ..registry import COLLECTIONS, Collection
from . import passage_store
from .analysis import WORD

ROLE_FIELDS = ("roles", "role", "owner", "actor")


def _texts(schema, data: dict[str, Any], skip: set[str]) -> list[str]:
    """Every prose value an editor wrote, nested stages and schedule entries included.

    Dump-only fields (timestamps, links) are the API's own bookkeeping, not content.
    """
    found = []
    for name, schema_field in schema.fields.items():
        value = data.get(name)
        if (
            name in skip
            or value is None
            or schema_field.dump_only
            or isinstance(schema_field, Slug | SlugList)
        ):
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            found += value  # a list of prose strings (an FAQ's examples)
        elif isinstance(schema_field, ma_fields.List) and isinstance(
            schema_field.inner, ma_fields.Nested
        ):
            for item in value:
                found += _texts(schema_field.inner.schema, item, set())
    return found


def _roles(collection: Collection, data: dict[str, Any]) -> str:
    slugs = {data["slug"]} if collection.name == "roles" else set()
    for name in ROLE_FIELDS:
        value = data.get(name)
        slugs.update([value] if isinstance(value, str) else value or [])
    for stage in data.get("stages") or []:
        if stage.get("actor"):
            slugs.add(stage["actor"])
    return f" {' '.join(sorted(slugs))} "


def title_field(collection: Collection) -> str:
    return next(f for f in TITLE_FIELDS if f in collection.writable_fields)


def index_entry(session: Session, collection: Collection, entry: Any) -> None:
    """(Re)write the entry's search document and record its words."""
    data = collection.schema_instance.dump(entry)
    title_name = title_field(collection)
    # Sources say where the text comes from; their section headings are not its content.
    body = "\n".join(_texts(collection.schema_instance, data, {"slug", title_name, "sources"}))
    document = session.scalar(
        select(SearchDocument).where(
            SearchDocument.collection == collection.name, SearchDocument.slug == entry.slug
        )
    ) or SearchDocument(collection=collection.name, slug=entry.slug)
    document.title, document.body = data[title_name], body
    document.roles = _roles(collection, data)
    session.add(document)
    words = {w for w in WORD.findall(f"{document.title} {body}".lower()) if 3 <= len(w) <= 60}
    known = set(session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(words))))
    session.add_all(SearchTerm(term=word) for word in sorted(words - known))
    session.flush()
    passage_store.note(session, collection.name, entry.slug)


def unindex_entry(session: Session, collection: Collection, slug: str) -> None:
    session.execute(
        delete(SearchDocument).where(
            SearchDocument.collection == collection.name, SearchDocument.slug == slug
        )
    )
    passage_store.note(session, collection.name, slug)


def reindex(session: Session) -> int:
    """Rebuild every search document from the entries; returns how many were indexed."""
    session.execute(delete(SearchDocument))
    passage_store.note_everything(session)  # passages are rewritten before the commit
    count = 0
    for collection in COLLECTIONS:
        for entry in session.scalars(select(collection.model)):
            index_entry(session, collection, entry)
            count += 1
    return count
