"""Compare roles: their matrix attributes side by side, and the overlap of what they do."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models.roles import Role
from ..urls import entry_url

# The comparison matrix, in the order the articles present it.
ASPECTS = (
    ("focus", "Focus"),
    ("output", "Output"),
    ("philosophy", "Philosophy"),
    ("pain_points", "Pain points"),
    ("key_metric", "Key metric"),
    ("core_tooling", "Core tooling"),
    ("daily_activity", "Daily activity"),
    ("scale_focus", "Scale focus"),
    ("automation", "Automation"),
)
RELATIONS = ("responsibilities", "tools", "metrics")


class UnknownRoles(LookupError):
    def __init__(self, slugs: Sequence[str]):
        super().__init__(", ".join(slugs))
        self.slugs = list(slugs)


def load_roles(session: Session, slugs: Sequence[str]) -> list[Role]:
    """The roles in the order asked; UnknownRoles names every slug that matches none."""
    sources = Role.sources.property.mapper.class_
    options = [selectinload(getattr(Role, r)) for r in RELATIONS]
    options.append(selectinload(Role.sources).selectinload(sources.resource))
    query = select(Role).where(Role.slug.in_(slugs)).options(*options)
    found = {role.slug: role for role in session.scalars(query)}
    if missing := [slug for slug in slugs if slug not in found]:
        raise UnknownRoles(missing)
    return [found[slug] for slug in slugs]


def _link(collection: str, entry: Any) -> dict[str, str]:
    return {"slug": entry.slug, "name": entry.name, "url": entry_url(collection, entry.slug)}


def overlap(roles: Sequence[Role], relation: str) -> dict[str, Any]:
    """What every role has, what only one has, and (with three or more) what some share."""
    holders: dict[str, list[str]] = {}
    entries: dict[str, Any] = {}
    for role in roles:
        for entry in getattr(role, relation):
            holders.setdefault(entry.slug, []).append(role.slug)
            entries[entry.slug] = entry
    ordered = sorted(entries)
    return {
        "shared": [_link(relation, entries[s]) for s in ordered if len(holders[s]) == len(roles)],
        "only": {
            role.slug: [_link(relation, entries[s]) for s in ordered if holders[s] == [role.slug]]
            for role in roles
        },
        "partly": [
            {**_link(relation, entries[s]), "roles": holders[s]}
            for s in ordered
            if 1 < len(holders[s]) < len(roles)
        ],
    }


def cell_sources(role: Role, aspect: str) -> list[dict[str, Any]]:
    """The sources of one role that back one aspect (those naming no field back them all)."""
    return [
        {
            "resource": source.resource.slug,
            "title": source.resource.title,
            "section": source.section,
            "url": entry_url("resources", source.resource.slug),
        }
        for source in role.sources
        if not source.field_names or aspect in source.field_names
    ]


def compare(roles: Sequence[Role]) -> dict[str, Any]:
    return {
        "roles": [
            {
                "slug": role.slug,
                "name": role.name,
                "short_name": role.short_name,
                "url": entry_url("roles", role.slug),
                "version": role.version,
            }
            for role in roles
        ],
        "matrix": [
            {
                "aspect": aspect,
                "label": label,
                "values": {r.slug: getattr(r, aspect) for r in roles},
                "sources": {r.slug: cell_sources(r, aspect) for r in roles},
            }
            for aspect, label in ASPECTS
        ],
        **{relation: overlap(roles, relation) for relation in RELATIONS},
    }
