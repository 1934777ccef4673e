"""Markdown views of JSON answers, for people reading in a terminal and for chatbots.

Each renderer takes the JSON body the view answered (so the Markdown says exactly what the
JSON says), the request's path and X-Total-Count (lists have one). A view names its renderer
with `@representations(markdown=...)` (api/formats.py). Entries render generically from
their fields, in schema order.
"""

from typing import Any

from schemas.constants import TITLE_FIELDS

from .urls import entry_url

# Fields that identify or link rather than inform; the footer cites slug, url and version.
# Sources get their own section, at the end.
SKIPPED = {"slug", "version", "created_at", "updated_at", "links", "embedded", "sources"}
LONG_TEXT = 100
# Lists of strings shown one per line under a heading of their own (an FAQ's examples).
LIST_SECTIONS = {"examples": "Also asked as"}


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _title(entry: dict[str, Any]) -> str:
    return next((entry[f] for f in TITLE_FIELDS if entry.get(f)), entry.get("slug", ""))


def _inline(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_inline(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_inline(v)}" for k, v in value.items() if v)
    return " ".join(str(value).split())


def _section(field: str, value: Any) -> list[str] | None:
    """A long text or a list of records as its own section; None for a one-line field."""
    if field in LIST_SECTIONS and isinstance(value, list) and value:
        return [f"## {LIST_SECTIONS[field]}", "", *(f"- {_inline(v)}" for v in value), ""]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return [f"## {_label(field)}", "", *(f"1. {_inline(v)}" for v in value), ""]
    if isinstance(value, str) and (len(value) > LONG_TEXT or "\n" in value):
        return [f"## {_label(field)}", "", value.strip(), ""]
    return None


def entry(body: dict[str, Any], url: str, _total: str | None) -> str:
    """One entry: its title, its short fields as a list, its long ones as sections, its source."""
    title = _title(body)
    title_fields = {f for f in TITLE_FIELDS if body.get(f) == title}
    short, sections = [], []
    for field, value in body.items():
        if field in SKIPPED or field in title_fields or value in (None, [], ""):
            continue
        section = _section(field, value)
        if section is None:
            short.append(f"- **{_label(field)}:** {_inline(value)}")
        else:
            sections += section
    version = f", version {body['version']}" if "version" in body else ""
    lines = [f"# {title}", "", *short, *([""] if short else []), *sections]
    lines += _sources(body.get("sources"))
    return "\n".join([*lines, f"Source: <{url}>{version}"]) + "\n"


def _cited(source: dict[str, Any]) -> str:
    """A resource named by its title (or slug) and linked, with the section when given."""
    name = source.get("title") or source["resource"]
    where = f", {source['section']}" if source.get("section") else ""
    return f"[*{name}*]({entry_url('resources', source['resource'])}){where}"


def _sources(sources: list[dict[str, Any]] | None) -> list[str]:
    """Where the entry's facts come from, and for which fields (none named: all of them)."""
    if not sources:
        return []
    lines = ["## Sources", ""]
    for source in sources:
        covers = ", ".join(source.get("fields") or []) or "the whole entry"
        note = f" {_inline(source['note'])}" if source.get("note") else ""
        lines.append(f"- {_cited(source)} ({covers}).{note}")
    return [*lines, ""]


def entry_list(items: list[dict[str, Any]], path: str, total: str | None) -> str:
    """A list page: one line per entry, linking to it, with its summary when it has one."""
    count = f" ({len(items)} of {total})" if total else ""
    lines = [f"# {path}{count}", ""]
    for item in items:
        link = item.get("links", {}).get("self") or f"{path}/{item.get('slug', '')}"
        text = item.get("summary") or item.get("answer") or ""
        lines.append(f"- [{_title(item)}]({link})" + (f": {_inline(text)}" if text else ""))
    return "\n".join(lines) + "\n"


STATUS_LINES = {
    "ambiguous": "Several entries answer this; did you mean one of these?",
    "no_match": "Not covered yet: nothing here answers this.",
    "out_of_domain": "Outside what this knowledge base covers.",
}


def answer(body: dict[str, Any], _url: str, _total: str | None) -> str:
    """The chatbot answer: its status, the passage to quote and its citation, or options."""
    status = body.get("status") or ("answered" if body.get("answered") else "no_match")
    sure = body["confidence"]
    lines = [f"# {body['query']}", "", f"Status: **{status}** (confidence {sure:.2f})"]
    found, passage = body.get("answer"), body.get("passage")
    if body.get("answered") and found:
        lines += ["", f"**{found['question']}**", "", found["answer"], ""]
        lines.append(f"Source: <{found['url']}>, version {found['version']}, ETag {found['etag']}")
        if passage:
            lines.append(f"Passage: <{passage['url']}>")
            for source in passage.get("sources") or []:
                lines.append(f"- {_inline(source.get('title') or source.get('url') or '')}")
    else:
        lines += ["", f"No confident answer. {STATUS_LINES.get(status, '')}".strip()]
    for option in body.get("options") or []:
        lines.append(f"- [{option['title']}]({option['url']}): {_inline(option['text'])}")
    others = body.get("alternatives") or body.get("suggestions") or []
    if others and status != "out_of_domain":
        lines += ["", "## See also", ""]
        lines += [f"- [{o['title']}]({o['url']})" for o in others]
    return "\n".join(lines) + "\n"


def search(body: dict[str, Any], _url: str, _total: str | None) -> str:
    lines = [f"# Search: {body['query']}", "", f"{body['total']} matches.", ""]
    for hit in body["hits"]:
        snippet = hit["snippet"].replace("<mark>", "**").replace("</mark>", "**")
        lines.append(f"- [{hit['title']}]({hit['url']}) ({hit['type']}): {_inline(snippet)}")
    return "\n".join(lines) + "\n"


def comparison(body: dict[str, Any], _url: str, _total: str | None) -> str:
    """The matrix as a Markdown table, then what the roles share and keep to themselves."""
    roles = body["roles"]
    names = [r["short_name"] or r["name"] for r in roles]
    lines = [f"# {' vs '.join(names)}", "", f"| Aspect | {' | '.join(names)} |"]
    lines.append("|---" * (len(roles) + 1) + "|")
    notes: dict[tuple, int] = {}  # each distinct source, numbered in order of first use
    for row in body["matrix"]:
        cells = []
        for role in roles:
            value = _inline(row["values"][role["slug"]] or "").replace("|", "\\|")
            cited = row.get("sources", {}).get(role["slug"], [])
            marks = [notes.setdefault(_key(c), len(notes) + 1) for c in cited]
            cells.append(value + "".join(f" [{n}]" for n in marks))
        lines.append(f"| {row['label']} | {' | '.join(cells)} |")
    if notes:
        lines += ["", *(f"[{n}]: {_cited(dict(key))}" for key, n in notes.items())]
    for relation in ("responsibilities", "tools", "metrics"):
        overlap = body[relation]
        lines += ["", f"## {_label(relation)}", ""]
        lines.append(f"- **Shared:** {_names(overlap['shared'])}")
        for role, name in zip(roles, names, strict=True):
            lines.append(f"- **Only {name}:** {_names(overlap['only'][role['slug']])}")
    lines += ["", "Sources: " + ", ".join(f"<{r['url']}>" for r in roles)]
    return "\n".join(lines) + "\n"


def _key(source: dict[str, Any]) -> tuple:
    return tuple((k, source.get(k)) for k in ("resource", "title", "section"))


def _names(entries: list[dict[str, Any]]) -> str:
    return ", ".join(e["name"] for e in entries) or "none"


def root(body: dict[str, Any], _url: str, _total: str | None) -> str:
    lines = [f"# {body['name']}", "", body["description"], "", "## Collections", ""]
    lines += [f"- [{c['title']}]({c['url']}): {c['description']}" for c in body["collections"]]
    return "\n".join(lines) + "\n"
