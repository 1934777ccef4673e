"""Apply validated data to a model, resolving slug references to the entries they name."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..registry import BY_MODEL


class UnknownReferences(Exception):
    """Slugs that name no entry, keyed by field path (e.g. "stages.2.tools")."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def _resolve(session: Session, target: type, slugs: list[str], path: str, errors: dict) -> list:
    found = {e.slug: e for e in session.scalars(select(target).where(target.slug.in_(slugs)))}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        label = BY_MODEL[target].label
        errors[path] = [f"Unknown {label} slug: {slug}." for slug in missing]
    return [found[slug] for slug in slugs if slug in found]


def _assign(
    session: Session, model: type, obj: Any | None, data: dict[str, Any], prefix: str, errors: dict
) -> None:
    """Walk `data` against `model`, resolving every slug; set attributes when `obj` is given."""
    relationships = model.__mapper__.relationships
    for key, value in data.items():
        path = f"{prefix}{key}"
        relation = relationships.get(key)
        if relation is None:
            resolved = value
        elif not hasattr(target := relation.mapper.class_, "slug"):
            # Owned child rows (stages, schedule entries): rebuilt in the given order.
            resolved = []
            for position, child_data in enumerate(value):
                child = target(position=position) if obj is not None else None
                _assign(session, target, child, child_data, f"{path}.{position}.", errors)
                resolved.append(child)
        elif relation.uselist:
            resolved = _resolve(session, target, value, path, errors)
        else:
            found = _resolve(session, target, [value], path, errors) if value else []
            resolved = found[0] if found else None
        if obj is not None:
            setattr(obj, key, resolved)


def assign(session: Session, obj: Any, data: dict[str, Any]) -> None:
    """Set columns and relationships of `obj` from schema-loaded `data`.

    Raises UnknownReferences naming every field whose slugs match no entry.
    """
    errors: dict[str, list[str]] = {}
    with session.no_autoflush:
        _assign(session, type(obj), obj, data, "", errors)
    if errors:
        raise UnknownReferences(errors)


def check_references(session: Session, model: type, data: dict[str, Any]) -> None:
    """Raise UnknownReferences if `data` names entries that do not exist; change nothing."""
    errors: dict[str, list[str]] = {}
    _assign(session, model, None, data, "", errors)
    if errors:
        raise UnknownReferences(errors)


def canonical(model: type, data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every list of references sorted, for comparing contents.

    Lists of references are sets: two writes that name the same entries in another order
    hold the same content. Owned child rows (stages) keep their order.
    """
    relationships = model.__mapper__.relationships
    result = {}
    for key, value in data.items():
        relation = relationships.get(key)
        if relation is None or value is None:
            result[key] = value
        elif not hasattr(target := relation.mapper.class_, "slug"):
            result[key] = [canonical(target, child) for child in value]
        elif relation.uselist:
            result[key] = sorted(value)
        else:
            result[key] = value
    return result


def reread_references(session: Session, obj: Any) -> None:
    """Forget `obj`'s lists of references (its owned children's too) once flushed.

    They are read again on next use, in the order the database gives them: the order GET
    shows (each relationship's order_by), not the order a client sent.
    """
    relationships = type(obj).__mapper__.relationships
    references = [r.key for r in relationships if r.uselist and hasattr(r.mapper.class_, "slug")]
    for relation in relationships:
        if relation.uselist and not hasattr(relation.mapper.class_, "slug"):
            for child in getattr(obj, relation.key):
                reread_references(session, child)
    if references:
        session.expire(obj, references)


@dataclass(frozen=True)
class Reference:
    """One slug in `data` naming another entry."""

    path: str  # the field, as in UnknownReferences ("stages.2.tools")
    target: type  # the model of the entry it names
    slug: str


def references(model: type, data: dict[str, Any], prefix: str = "") -> Iterator[Reference]:
    """Every reference in schema-loaded `data`, owned child rows included."""
    relationships = model.__mapper__.relationships
    for key, value in data.items():
        relation = relationships.get(key)
        if relation is None or not value:
            continue
        path, target = f"{prefix}{key}", relation.mapper.class_
        if not hasattr(target, "slug"):
            for position, child in enumerate(value):
                yield from references(target, child, f"{path}.{position}.")
        else:
            for slug in value if relation.uselist else [value]:
                yield Reference(path, target, slug)


def without_references(
    model: type, data: dict[str, Any], gone: set[tuple[type, str]]
) -> dict[str, Any] | None:
    """`data` without the references in `gone` (pairs of a target model and a slug).

    A single reference becomes null where it may be; None when one that must name an entry
    (its column is NOT NULL) is gone, since the data cannot be written without it.
    """
    relationships = model.__mapper__.relationships
    result = {}
    for key, value in data.items():
        relation = relationships.get(key)
        if relation is None or not value:
            result[key] = value
        elif not hasattr(target := relation.mapper.class_, "slug"):
            children = [without_references(target, child, gone) for child in value]
            if any(child is None for child in children):
                return None
            result[key] = children
        elif relation.uselist:
            result[key] = [slug for slug in value if (target, slug) not in gone]
        elif (target, value) not in gone:
            result[key] = value
        elif all(column.nullable for column in relation.local_columns):
            result[key] = None
        else:
            return None
    return result
