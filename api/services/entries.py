"""Reading entries: filtered, sorted, paginated lists and single entries by slug."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, orm, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.strategy_options import _AbstractLoad

from schemas.fields import is_slug

from ..models import SlugRename
from ..registry import Collection


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    total: int
    page: int
    page_size: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.page_size))


@functools.cache
def eager_loads(model: type, expand: frozenset[str] = frozenset()) -> tuple[_AbstractLoad, ...]:
    """The loader options that read everything a representation of `model` shows.

    One SELECT per list of related rows, whatever the number of entries: related entries
    (shown as slugs), the rows an entry owns (stages, schedule entries, sources) with their
    own relationships, and, for each relation in `expand`, the embedded entries'
    relationships too, since they are shown in full. Chosen once per model and expand.
    """
    return tuple(_loads(model, expand, None))


def _loads(model: type, expand: frozenset[str], parent: _AbstractLoad | None):
    for relation in model.__mapper__.relationships:
        attribute = getattr(model, relation.key)
        # A single related row (a source's resource, a workflow's owner) joins in; lists
        # of them are read by one SELECT ... WHERE parent_id IN (...) each.
        how = "selectinload" if relation.uselist else "joinedload"
        load = getattr(parent, how)(attribute) if parent else getattr(orm, how)(attribute)
        child = relation.mapper.class_
        if relation.key in expand or not hasattr(child, "slug"):
            yield from _loads(child, frozenset(), load)
        yield load


def order_by(collection: Collection, keys: Sequence[str]) -> list:
    """Translate `sort` keys ("name", "-updated_at") into ORDER BY clauses, id last."""
    clauses = []
    for key in keys:
        column = getattr(collection.model, key.lstrip("-"))
        clauses.append(column.desc() if key.startswith("-") else column.asc())
    clauses.append(collection.model.id.asc())
    return clauses


def list_entries(session: Session, collection: Collection, args: dict[str, Any]) -> Page:
    """One page of a collection, filtered by the collection's filters present in `args`."""
    model = collection.model
    conditions = [build(args[name]) for name, build in collection.filters.items() if name in args]
    total = session.scalar(select(func.count()).select_from(model).where(*conditions))
    query = (
        select(model)
        .where(*conditions)
        .order_by(*order_by(collection, args.get("sort") or collection.default_sort))
        .limit(args["page_size"])
        .offset((args["page"] - 1) * args["page_size"])
        .options(*eager_loads(model, frozenset(args.get("expand") or ())))
    )
    items = session.scalars(query).all() if total else []
    return Page(items, total or 0, args["page"], args["page_size"])


def get_entry(
    session: Session, collection: Collection, slug: str, expand: Sequence[str] = ()
) -> Any | None:
    """The entry with this slug, or None. Malformed slugs cannot exist and are not queried.

    `expand` names the relations whose entries the representation embeds in full.
    """
    if not is_slug(slug):
        return None
    options = eager_loads(collection.model, frozenset(expand))
    query = select(collection.model).where(collection.model.slug == slug).options(*options)
    return session.scalars(query).one_or_none()


def count_entries(session: Session, models: Sequence[type]) -> dict[type, int]:
    """How many entries each model's table holds."""
    return {model: session.scalar(select(func.count()).select_from(model)) for model in models}


MAX_RENAMES = 10  # a chain of renames longer than this is a loop


def renamed_to(session: Session, collection: Collection, slug: str) -> str | None:
    """The slug an entry once called `slug` has now (after every later rename), or None."""
    current, seen = None, {slug}
    while is_slug(slug) and len(seen) <= MAX_RENAMES:
        query = select(SlugRename.new_slug).where(
            SlugRename.collection == collection.name, SlugRename.old_slug == slug
        )
        slug = session.scalar(query)
        if slug is None or slug in seen:
            break
        current = slug
        seen.add(slug)
    return current
