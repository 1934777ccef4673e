"""Passages: every entry split into the parts that answer questions, each with its citation.

What a passage is, per collection (`anchor` is the URL fragment, `field` the entry's field):

- faqs: the question and its answer (`#answer`); its example questions are searched, not shown.
- roles: the summary (`#summary`) and each filled cell of the comparison matrix (`#focus`,
  `#pain_points`, `#key_metric`...), the cell's meaning (the schema's description) searched too.
- tools and metrics: the summary with the roles that use or own it (`#roles`).
- sub-disciplines: the summary with its roles (`#summary`), its focus and its question.
- workflows: the summary (`#summary`) and each stage (`#stages-1`, `#stages-2`..., field
  `stages`), with its actor and tools.
- schedules: the summary and each time slot (`#entries-1`..., field `entries`).
- topics: the summary and each paragraph of the body (`#body-1`..., field `body`).
- anything else (responsibilities, practices, tags, resources, a collection added later): one
  passage (`#summary`) with every text of the entry.

Each passage carries the entry's version, the ETag a GET of the entry gives (a hash of its
representation, as api/resources/writing.py computes it) and the entry's sources that back
the passage's fields (a source naming no field backs the whole entry).

Storage (api/services/passage_store.py) rewrites the passages of every entry a transaction
indexed, just before it commits.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.http import generate_etag, quote_etag

from ..encoding import encode
from ..registry import Collection

PARAGRAPH = re.compile(r"\n\s*\n")
TITLE_FIELDS = ("question", "title", "name")
ROLE_SUMMARY_FIELDS = ("name", "short_name", "summary")
ROLE_LINKS = ("roles", "role", "owner")
SLOT_LINKS = ("tools", "responsibilities", "metrics")
DAY_PARTS = (
    (5, "at night"),
    (12, "in the morning"),
    (13, "at noon, midday"),
    (17, "in the afternoon"),
    (21, "in the evening, at the end of the working day"),
    (24, "at night"),
)


@dataclass(frozen=True)
class Part:
    """A passage as split from an entry, before it is stored."""

    anchor: str
    field: str
    title: str
    text: str
    search_text: str
    covers: frozenset[str] = field(default_factory=frozenset)  # fields whose sources apply


def representation_etag(data: dict[str, Any]) -> str:
    """The quoted ETag of the entry's plain GET: SHA-1 of its body (werkzeug's), encoded
    as the GET encodes it."""
    return quote_etag(generate_etag(encode(data)))


def _label(name: str) -> str:
    return name.replace("_", " ")


def _join(*texts: Any) -> str:
    return "\n".join(str(t) for t in texts if t)


def _named(slugs: Any, names: dict[str, str]) -> list[str]:
    slugs = [slugs] if isinstance(slugs, str) else slugs or []
    return [names.get(slug, slug) for slug in slugs]


def _listing(label: str, slugs: Any, names: dict[str, str]) -> str:
    found = _named(slugs, names)
    return f"{label}: {', '.join(found)}." if found else ""


def entry_title(data: dict[str, Any]) -> str:
    return next(str(data[f]) for f in TITLE_FIELDS if data.get(f))


def _strings(collection: Collection, data: dict[str, Any], skip: set[str]) -> list[str]:
    fields = collection.schema_instance.fields
    return [
        value
        for name, value in data.items()
        if name not in skip
        and isinstance(value, str)
        and name in fields
        and not fields[name].dump_only
        and name != "slug"
    ]


def _part(anchor, title, text, search=None, covers=(), field=None) -> Part:
    field = field or anchor
    return Part(anchor, field, title, text, search or text, frozenset(covers or {field}))


def _faq(collection, data, names, title):
    examples = [e for e in data.get("examples") or [] if isinstance(e, str)]
    about = _listing("About", data.get("roles"), names)
    searched = _join(data["answer"], *examples, about)
    return [_part("answer", title, data["answer"], searched, ("question", "answer", "examples"))]


def _heading(data, title):
    short = data.get("abbreviation") or data.get("short_name")
    return f"{title} ({short})" if short else title


def _role(collection, data, names, title):
    heading = _heading(data, title)
    parts = [_part("summary", heading, data["summary"], covers=ROLE_SUMMARY_FIELDS)]
    schema_fields = collection.schema_instance.fields
    for name, value in data.items():
        if name in ROLE_SUMMARY_FIELDS or name == "slug" or not isinstance(value, str):
            continue
        if name not in schema_fields or schema_fields[name].dump_only or not value.strip():
            continue
        meaning = schema_fields[name].metadata.get("description", "")
        searched = _join(f"{_label(name)}: {meaning}", value)
        parts.append(_part(name, f"{heading}: {_label(name)}", value, searched))
    return parts


def _linked(collection, data, names, title, anchor):
    """One passage: the summary shown (every text when there is none), every text searched,
    and the roles it names."""
    text = _join(*_strings(collection, data, set(TITLE_FIELDS)))
    roles = next((data[f] for f in ROLE_LINKS if data.get(f)), None)
    listing = _listing("Roles", roles, names)
    shown = data.get("summary") or text
    shown = _join(shown, listing) if anchor == "roles" else shown
    return _part(anchor, _heading(data, title), shown, _join(text, listing), tuple(data))


def _sub_discipline(collection, data, names, title):
    heading = _heading(data, title)
    searched = _join(data["summary"], _listing("Roles", data.get("roles"), names))
    covers = ("name", "short_name", "summary", "roles")
    parts = [_part("summary", heading, data["summary"], searched, covers)]
    for name in ("focus", "question"):
        if data.get(name):
            parts.append(_part(name, f"{heading}: {name}", data[name]))
    return parts


def _children(title, children, field, heading, shown, extra):
    return [
        _part(
            f"{field}-{n}",
            f"{title}, {heading(c, n)}",
            shown(c),
            _join(shown(c), *extra(c)),
            field=field,
        )
        for n, c in enumerate(children or [], 1)
    ]


def _workflow(collection, data, names, title):
    owner = _listing("Owner", data.get("owner"), names)
    covers = ("name", "kind", "summary", "owner")
    parts = [_part("summary", title, data["summary"], _join(data["summary"], owner), covers)]
    return parts + _children(
        title,
        data.get("stages"),
        "stages",
        lambda stage, n: f"stage {n}: {stage['name']}",
        lambda stage: stage["summary"],
        lambda stage: (
            _listing("Done by", stage.get("actor"), names),
            _listing("Tools", stage.get("tools"), names),
        ),
    )


def _schedule(collection, data, names, title):
    role = _listing("Role", data.get("role"), names)
    covers = ("name", "summary", "role")
    parts = [_part("summary", title, data["summary"], _join(data["summary"], role), covers)]
    return parts + _children(
        title,
        data.get("entries"),
        "entries",
        lambda entry, n: entry["time"],
        lambda entry: entry["activity"],
        lambda entry: (
            spoken_time(entry["time"]),
            role,
            *(_listing(label.capitalize(), entry.get(label), names) for label in SLOT_LINKS),
        ),
    )


def spoken_time(time: str) -> str:
    """ "14:00" as people say it: "2pm, in the afternoon" (searched, not shown)."""
    hour, minute = (int(part) for part in time.split(":"))
    clock = (
        f"{(hour - 1) % 12 + 1}{f':{minute:02d}' if minute else ''}{'am' if hour < 12 else 'pm'}"
    )
    for until, part in DAY_PARTS:
        if hour < until:
            return f"At {clock}, {part}."
    return f"At {clock}."


def _topic(collection, data, names, title):
    parts = [_part("summary", title, data["summary"], covers=("title", "kind", "summary"))]
    paragraphs = [p.strip() for p in PARAGRAPH.split(data.get("body") or "") if p.strip()]
    for n, paragraph in enumerate(paragraphs, 1):
        heading = f"{title} ({n}/{len(paragraphs)})"
        parts.append(_part(f"body-{n}", heading, paragraph, field="body"))
    return parts


SPLITTERS = {
    "faqs": _faq,
    "roles": _role,
    "tools": lambda *args: [_linked(*args, "roles")],
    "metrics": lambda *args: [_linked(*args, "roles")],
    "sub-disciplines": _sub_discipline,
    "workflows": _workflow,
    "schedules": _schedule,
    "topics": _topic,
}


def split(collection: Collection, data: dict[str, Any], names: dict[str, str]) -> list[Part]:
    """The entry's passages, in order; `data` is its representation, `names` shows slugs."""
    splitter = SPLITTERS.get(collection.name, lambda *args: [_linked(*args, "summary")])
    return splitter(collection, data, names, entry_title(data))


def sources_for(part: Part, sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entry's sources that back the passage: those naming none of its fields back it all."""
    found = [
        s
        for s in sources
        if not s.get("fields") or any(f.split(":")[0] in part.covers for f in s["fields"])
    ]
    return found or list(sources)


def role_slugs(collection: Collection, data: dict[str, Any]) -> list[str]:
    """Every role the entry names (a role names itself), for the `role` filter."""
    found = {data["slug"]} if collection.name == "roles" else set()
    for name in ROLE_LINKS:
        value = data.get(name)
        found.update([value] if isinstance(value, str) else value or [])
    for stage in data.get("stages") or []:
        if stage.get("actor"):
            found.add(stage["actor"])
    return sorted(found)
