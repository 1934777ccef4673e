"""Full-text search over every entry: one service, a backend per database.

A question is reduced to its content words (stop words dropped), each word also stands for
its glossary expansions (k8s: kubernetes) and, when the index has no such word, for the
closest indexed word (kubernets: kubernetes). The words are OR-ed, so a question need not
share every word with its answer; the database ranks: BM25 on SQLite FTS5 (porter stemming),
ts_rank on PostgreSQL (English stemming), titles weighted above bodies on both.
"""

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from marshmallow import fields as ma_fields
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from schemas.fields import Slug, SlugList

from ..models import SearchDocument, SearchTerm
from ..registry import BY_NAME, COLLECTIONS, Collection

WORD = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "even",
        "ever",
        "for",
        "from",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "really",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
    ]
)
TITLE_FIELDS = ("name", "title", "question")
ROLE_FIELDS = ("roles", "role", "owner", "actor")
MARK, END_MARK = "<mark>", "</mark>"


@cache
def load_glossary(path: str) -> dict[str, tuple[str, ...]]:
    """Abbreviations and synonyms: {"k8s": ("kubernetes",), ...}."""
    file = Path(path)
    if not file.exists():
        return {}
    return {k.lower(): tuple(v) for k, v in json.loads(file.read_text()).items()}


# indexing


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
    body = "\n".join(_texts(collection.schema_instance, data, {"slug", title_name}))
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


def unindex_entry(session: Session, collection: Collection, slug: str) -> None:
    session.execute(
        delete(SearchDocument).where(
            SearchDocument.collection == collection.name, SearchDocument.slug == slug
        )
    )


def reindex(session: Session) -> int:
    """Rebuild every search document from the entries; returns how many were indexed."""
    session.execute(delete(SearchDocument))
    count = 0
    for collection in COLLECTIONS:
        for entry in session.scalars(select(collection.model)):
            index_entry(session, collection, entry)
            count += 1
    return count


# querying


@dataclass(frozen=True)
class Analysis:
    words: tuple[str, ...]  # the content words, corrected
    terms: tuple[str, ...]  # words and expansions (phrases allowed), to OR together
    corrections: dict[str, str] = field(default_factory=dict)


def _closest(session: Session, word: str) -> str | None:
    if len(word) < 4:
        return None
    candidates = session.scalars(
        select(SearchTerm.term).where(
            SearchTerm.term.like(f"{word[0]}%"),
            func.length(SearchTerm.term).between(len(word) - 2, len(word) + 2),
        )
    ).all()
    best = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)
    return best[0] if best else None


def analyze(session: Session, query: str, glossary: dict[str, tuple[str, ...]]) -> Analysis:
    """Content words, corrected when unknown, each with its glossary expansions."""
    words = WORD.findall(query.lower())
    content = [w for w in words if w not in STOP_WORDS]
    known = set(session.scalars(select(SearchTerm.term).where(SearchTerm.term.in_(content))))
    final, terms, corrections = [], [], {}
    for word in dict.fromkeys(content):
        terms.append(word)
        if word not in known and word not in glossary and (fixed := _closest(session, word)):
            corrections[word] = fixed
            terms.append(fixed)
        final.append(corrections.get(word, word))
        terms += glossary.get(word, ())
    return Analysis(tuple(final), tuple(dict.fromkeys(terms)), corrections)


@dataclass(frozen=True)
class Hit:
    collection: str
    slug: str
    title: str
    snippet: str
    score: float


@dataclass(frozen=True)
class Results:
    total: int
    facets: dict[str, int]
    hits: Sequence[Hit]


def _filters(collections: Sequence[str] | None, role: str | None, table: str) -> tuple[str, dict]:
    sql, params = "", {}
    if collections:
        names = ", ".join(f":c{i}" for i in range(len(collections)))
        sql += f" AND {table}.collection IN ({names})"
        params.update({f"c{i}": name for i, name in enumerate(collections)})
    if role:
        sql += f" AND {table}.roles LIKE :role"
        params["role"] = f"% {role} %"
    return sql, params


def _sqlite_match(terms: Sequence[str]) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


def _sqlite_search(session, terms, collections, role, limit, offset) -> Results:
    # FTS5 sorts by `rank` itself and computes snippets only for the rows of the page.
    match = _sqlite_match(terms)
    facet_where, facet_params = _filters(None, role, "d")
    facets = session.execute(
        text(
            "SELECT d.collection, count(*) FROM search_documents d WHERE d.id IN "
            f"(SELECT rowid FROM search_fts WHERE search_fts MATCH :match){facet_where} "
            "GROUP BY d.collection"
        ),
        {**facet_params, "match": match},
    ).all()
    where, params = _filters(collections, role, "search_fts")
    rows = session.execute(
        text(
            "SELECT collection, slug, title, "
            f"snippet(search_fts, 1, '{MARK}', '{END_MARK}', '…', 16), -rank FROM search_fts "
            f"WHERE search_fts MATCH :match AND rank MATCH 'bm25(4.0, 1.0)'{where} "
            "ORDER BY rank LIMIT :limit OFFSET :offset"
        ),
        {**params, "match": match, "limit": limit, "offset": offset},
    ).all()
    return _results(facets, rows, collections)


def _postgresql_query(terms: Sequence[str]) -> str:
    return " or ".join(f'"{term}"' if " " in term else term for term in terms)


POSTGRESQL_RANK = "ts_rank(d.tsv, q.query, 0)"
HEADLINE = f"StartSel={MARK}, StopSel={END_MARK}, MaxWords=30, MinWords=12, MaxFragments=1"


def _postgresql_search(session, terms, collections, role, limit, offset) -> Results:
    where, params = _filters(collections, role, "d")
    params |= {"query": _postgresql_query(terms), "limit": limit, "offset": offset}
    source = "search_documents d, (SELECT websearch_to_tsquery('english', :query) AS query) q"
    facet_where, facet_params = _filters(None, role, "d")
    facet_params["query"] = params["query"]
    facets = session.execute(
        text(
            f"SELECT d.collection, count(*) FROM {source} "
            f"WHERE d.tsv @@ q.query{facet_where} GROUP BY d.collection"
        ),
        facet_params,
    ).all()
    rows = session.execute(
        text(
            f"SELECT r.collection, r.slug, r.title, "
            f"ts_headline('english', r.body, r.query, '{HEADLINE}'), r.score FROM ("
            f"SELECT d.collection, d.slug, d.title, d.body, d.id, q.query, "
            f"{POSTGRESQL_RANK} AS score FROM {source} WHERE d.tsv @@ q.query{where} "
            "ORDER BY score DESC, d.id LIMIT :limit OFFSET :offset) r ORDER BY r.score DESC, r.id"
        ),
        params,
    ).all()
    return _results(facets, rows, collections)


def _results(facets, rows, collections) -> Results:
    counts = {BY_NAME[name].label: count for name, count in facets}
    total = sum(c for name, c in facets if not collections or name in collections)
    hits = [Hit(r[0], r[1], r[2], r[3] or "", round(float(r[4]), 6)) for r in rows]
    return Results(total, counts, hits)


def search(
    session: Session,
    analysis: Analysis,
    collections: Sequence[str] | None = None,
    role: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Ranked hits for the analysed query, with per-type counts of every match."""
    if not analysis.terms:
        return Results(0, {}, [])
    backend = _sqlite_search if session.bind.dialect.name == "sqlite" else _postgresql_search
    return backend(session, analysis.terms, collections, role, limit, offset)


def matching_documents(session: Session, analysis: Analysis, ids: Sequence[int]) -> set[int]:
    """Which of these search documents `search` counts as matches (for semantic re-ranking)."""
    if not analysis.terms or not ids:
        return set()
    listed = ", ".join(str(int(i)) for i in ids)
    if session.bind.dialect.name == "sqlite":
        sql = f"SELECT rowid FROM search_fts WHERE search_fts MATCH :query AND rowid IN ({listed})"
        query = _sqlite_match(analysis.terms)
    else:
        sql = (
            "SELECT id FROM search_documents WHERE tsv @@ websearch_to_tsquery('english', :query) "
            f"AND id IN ({listed})"
        )
        query = _postgresql_query(analysis.terms)
    return set(session.scalars(text(sql), {"query": query}))


def suggest(session: Session, prefix: str, limit: int) -> tuple[list[Hit], list[str]]:
    """Entries whose title has a word starting with `prefix`, and indexed words that do."""
    words = WORD.findall(prefix.lower())
    if not words:
        return [], []
    last = words[-1]
    title = func.lower(SearchDocument.title)
    documents = session.execute(
        select(SearchDocument.collection, SearchDocument.slug, SearchDocument.title)
        .where(title.like(f"{last}%") | title.like(f"% {last}%"))
        .order_by(func.length(SearchDocument.title), SearchDocument.id)
        .limit(limit)
    ).all()
    terms = session.scalars(
        select(SearchTerm.term)
        .where(SearchTerm.term.like(f"{last}%"))
        .order_by(func.length(SearchTerm.term), SearchTerm.term)
        .limit(limit)
    ).all()
    return [Hit(c, s, t, "", 0.0) for c, s, t in documents], list(terms)
