"""How a list's query arguments filter entries: each argument becomes a WHERE condition.

A collection's list arguments (schemas/, `list_args(...)`) name its filters; the condition
for each is derived here from the model, so the two cannot disagree:

- `source=<resource>`: entries that cite the resource in their `sources`;
- an argument named like a column (`kind`, `category`, `framework`): that column equals it;
- an argument named like an entry type (`role`, `tool`, `sub_discipline`): the entries
  linked to that entry, by its slug, through the model's one relationship to that type.

Anything else (a role that owns *or* performs a workflow) is declared with the collection.
"""

import re
from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute

Filter = Callable[[str], ColumnElement[bool]]


def equals(column: InstrumentedAttribute) -> Filter:
    """Filter on a column's exact value."""
    return lambda value: column == value


def linked_to(relation: InstrumentedAttribute) -> Filter:
    """Filter on a relationship to another entry, by that entry's slug."""
    target = relation.property.mapper.class_
    if relation.property.uselist:
        return lambda slug: relation.any(target.slug == slug)
    return lambda slug: relation.has(target.slug == slug)


def cites(model: type) -> Filter:
    """Filter on the resources an entry cites in its `sources`, by resource slug."""
    source = model.sources.property.mapper.class_
    return lambda slug: model.sources.any(linked_to(source.resource)(slug))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def derive(model: type, name: str) -> Filter:
    """The filter a list argument called `name` stands for, or ValueError if none does."""
    if name == "source":
        return cites(model)
    if name in model.__table__.columns:
        return equals(getattr(model, name))
    relations = [
        getattr(model, r.key)
        for r in model.__mapper__.relationships
        if _snake(r.mapper.class_.__name__) == name
    ]
    if len(relations) != 1:
        raise ValueError(
            f"{model.__name__}: the list argument {name!r} is neither a column nor the one "
            "relationship to an entry type; declare its filter with the collection."
        )
    return linked_to(relations[0])


def filters_for(model: type, names: Iterable[str], custom: dict[str, Filter]) -> dict[str, Filter]:
    """Every filter of a list, in the order of its arguments: declared ones, else derived."""
    return {name: custom[name] if name in custom else derive(model, name) for name in names}
