"""Full-text search over every entry: one service, a backend per database.

A question is reduced to its content words (stop words and chat filler dropped: words.py),
each word also stands for its glossary expansions (k8s: kubernetes) and, when the index has no
such word and it is not a real English word, for the closest indexed word (kubernets:
kubernetes). The words are OR-ed, so a question need not share every word with its answer;
the database ranks: BM25 on SQLite FTS5 (porter stemming), ts_rank on PostgreSQL (English
stemming), titles weighted above bodies on both.
"""

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from marshmallow import fields as ma_fields
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from schemas.constants import TITLE_FIELDS
from schemas.fields import Slug, SlugList

from ..models import SearchDocument, SearchTerm
from ..registry import BY_NAME, COLLECTIONS, Collection
from . import passage_store
from .words import FILLER, MAX_WORDS, STOP_WORDS, english

WORD = re.compile(r"[a-z0-9]+")
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


# querying


@dataclass(frozen=True)
class Analysis:
    words: tuple[str, ...]  # the content words, corrected
    terms: tuple[str, ...]  # words and expansions (phrases allowed), to OR together
    corrections: dict[str, str] = field(default_factory=dict)
    # content words of three letters or more that the content never uses, the glossary does
    # not expand and no correction replaced: what the knowledge base knows nothing about
    unknown: tuple[str, ...] = ()


def _characters(word: str) -> int:
    """The set of the word's characters, as a bit mask."""
    mask = 0
    for character in word:
        mask |= 1 << ord(character)
    return mask


WORDS_STARTING_WITH = text("SELECT term FROM search_terms WHERE substr(term, 1, 1) = :first")


class Vocabulary:
    """The index's words as of one generation, for typo correction without a query per word.

    A correction starts with the word's first character and is at most two characters longer
    or shorter, so words are read per first character, when a word first needs them, and kept
    by length, each with its characters' mask.
    """

    def __init__(self, generation: tuple[int, int]) -> None:
        self.generation = generation
        self._by_start: dict[str, dict[int, list[tuple[str, int]]]] = {}

    def _starting_with(self, session: Session, first: str) -> dict[int, list[tuple[str, int]]]:
        found = self._by_start.get(first)
        if found is None:
            found = {}
            for term in session.scalars(WORDS_STARTING_WITH, {"first": first}):
                if term.startswith(first):
                    found.setdefault(len(term), []).append((term, _characters(term)))
            self._by_start[first] = found
        return found

    def closest(self, session: Session, word: str) -> str | None:
        """The indexed word most like `word`: difflib ratio at least 0.8, same first character,
        length within 2, ties to the greatest word (difflib.get_close_matches, as before).

        A ratio of 0.8 needs 2 * matches >= 0.8 * (both lengths). A character one word has and
        the other lacks can never match, so the masks rule out most words before difflib
        compares the rest; the answer is the one difflib gives on all of them.
        """
        if len(word) < 4:
            return None
        by_length, mask, candidates = self._starting_with(session, word[0]), _characters(word), []
        for length in range(len(word) - 2, len(word) + 3):
            needed = 2 * (len(word) + length)  # 5 * matches must reach it
            for term, term_mask in by_length.get(length, ()):
                if (
                    5 * (length - (term_mask & ~mask).bit_count()) >= needed
                    and 5 * (len(word) - (mask & ~term_mask).bit_count()) >= needed
                ):
                    candidates.append(term)
        best = difflib.get_close_matches(word, candidates, n=1, cutoff=0.8)
        return best[0] if best else None


# One vocabulary per database (keyed by its connection pool), replaced when the generation
# changes: the newest revision and the newest search document. Words are added by writes
# (which make revisions) and by reindexing (which makes new documents), never removed.
_VOCABULARIES: "WeakKeyDictionary[Any, Vocabulary]" = WeakKeyDictionary()

KNOWN_WORDS = text(
    "SELECT term, NULL, NULL FROM search_terms WHERE term IN :words UNION ALL "
    "SELECT NULL, (SELECT max(id) FROM revisions), (SELECT max(id) FROM search_documents)"
).bindparams(bindparam("words", expanding=True))


def _known_words(session: Session, words: Sequence[str]) -> tuple[set[str], tuple[int, int]]:
    """Which of `words` the index has, and its generation: one round trip."""
    known, generation = set(), (0, 0)
    for term, revision, document in session.execute(KNOWN_WORDS, {"words": list(words)}):
        if term is None:
            generation = (revision or 0, document or 0)
        else:
            known.add(term)
    return known, generation


def vocabulary(session: Session, generation: tuple[int, int]) -> Vocabulary:
    """This database's vocabulary as of `generation` (a new, empty one when it has changed)."""
    pool = session.get_bind().pool
    current = _VOCABULARIES.get(pool)
    if current is None or current.generation != generation:
        current = _VOCABULARIES[pool] = Vocabulary(generation)
    return current


def content_words(query: str) -> list[str]:
    """The question's content words, once each, in order: no stop word, no chat filler, at
    most MAX_WORDS of them (the work is capped, not the question)."""
    words = WORD.findall(query.lower())
    content = dict.fromkeys(w for w in words if w not in STOP_WORDS and w not in FILLER)
    return list(content)[:MAX_WORDS]


def analyze(session: Session, query: str, glossary: dict[str, tuple[str, ...]]) -> Analysis:
    """Content words, corrected when unknown, each with its glossary expansions.

    A word is corrected only when the index lacks it, the glossary does not expand it, it has
    four letters or more and it is not a real English word (api/services/words.py): "reset"
    and "manager" stay what they are, "kubernets" becomes "kubernetes".
    """
    content = content_words(query)
    known, generation = _known_words(session, content) if content else (set(), (0, 0))
    unknown = {
        w
        for w in content
        if w not in known and w not in glossary and len(w) >= 4 and not english(w)
    }
    indexed = vocabulary(session, generation) if unknown else None
    final, terms, corrections = [], [], {}
    for word in content:
        terms.append(word)
        if word in unknown and (fixed := indexed.closest(session, word)):
            corrections[word] = fixed
            terms.append(fixed)
        final.append(corrections.get(word, word))
        terms += glossary.get(word, ())
    strange = tuple(
        w
        for w in content
        if w not in known and w not in glossary and w not in corrections and len(w) >= 3
    )
    return Analysis(tuple(final), tuple(dict.fromkeys(terms)), corrections, strange)


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


def _filters(
    collections: Sequence[str] | None, role: str | None, table: str
) -> tuple[str, str, dict]:
    """SQL conditions for the `type` and `role` filters ("" when not asked for), and parameters."""
    in_types, has_role, params = "", "", {}
    if collections:
        names = ", ".join(f":c{i}" for i in range(len(collections)))
        in_types = f"{table}.collection IN ({names})"
        params.update({f"c{i}": name for i, name in enumerate(collections)})
    if role:
        has_role = f"{table}.roles LIKE :role"
        params["role"] = f"% {role} %"
    return in_types, has_role, params


def _sqlite_match(terms: Sequence[str]) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


# The index's covering index (id, collection, roles): what filters and facets need, without
# reading documents. SQLite would otherwise look each match up in the table, bodies and all.
SQLITE_FACETS_INDEX = "search_documents d INDEXED BY ix_search_documents_facets"
SQLITE_RANK = "bm25(search_fts, 4.0, 1.0)"


def _sqlite_search(session, terms, collections, role, limit, offset) -> Results:
    # Facets: the matches' rowids from the full-text index, their types from the covering
    # index. Page: bm25 for every match (FTS5, in C) into SQLite's top-N sorter, which makes
    # snippets only for the rows that enter the running top `offset + limit`. Filters are read
    # from the covering index too, and only when asked for. (bm25 in ORDER BY, rather than
    # `rank MATCH` and ORDER BY rank, saves FTS5 a sort of every match: about a third less.)
    match = _sqlite_match(terms)
    in_types, has_role, params = _filters(collections, role, "d")
    facets = session.execute(
        text(
            f"SELECT d.collection, count(*) FROM {SQLITE_FACETS_INDEX} WHERE d.id IN "
            "(SELECT rowid FROM search_fts WHERE search_fts MATCH :match)"
            f"{f' AND {has_role}' if has_role else ''} GROUP BY d.collection"
        ),
        {**params, "match": match},
    ).all()
    filters = [c for c in (in_types, has_role) if c]
    join = f" JOIN {SQLITE_FACETS_INDEX} ON d.id = search_fts.rowid" if filters else ""
    rows = session.execute(
        text(
            "SELECT search_fts.collection, search_fts.slug, search_fts.title, "
            f"snippet(search_fts, 1, '{MARK}', '{END_MARK}', '…', 16), -{SQLITE_RANK} "
            f"FROM search_fts{join} WHERE search_fts MATCH :match"
            f"{''.join(f' AND {c}' for c in filters)} "
            f"ORDER BY {SQLITE_RANK}, search_fts.rowid LIMIT :limit OFFSET :offset"
        ),
        {**params, "match": match, "limit": limit, "offset": offset},
    ).all()
    return _results(facets, rows, collections)


def _postgresql_query(terms: Sequence[str]) -> str:
    return " or ".join(f'"{term}"' if " " in term else term for term in terms)


POSTGRESQL_RANK = "ts_rank(d.tsv, q.query, 0)"
HEADLINE = f"StartSel={MARK}, StopSel={END_MARK}, MaxWords=30, MinWords=12, MaxFragments=1"


def _postgresql_search(session, terms, collections, role, limit, offset) -> Results:
    # One statement, one pass over the matches: each is found through the GIN index, read
    # once, counted for the facets and, when of a requested type, ranked; then the page's
    # documents get their headlines. The query is a MATERIALIZED CTE so that the planner
    # cannot see it: for an OR of common words it would estimate a large share of matches
    # and read every document instead (a tsvector check on each: 4 to 8 times the work at
    # 10,000 to 100,000 documents).
    in_types, has_role, params = _filters(collections, role, "d")
    params |= {"query": _postgresql_query(terms), "limit": limit, "offset": offset}
    score = f"CASE WHEN {in_types} THEN {POSTGRESQL_RANK} END" if in_types else POSTGRESQL_RANK
    rows = session.execute(
        text(
            "WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', :query) AS query), "
            f"matches AS MATERIALIZED (SELECT d.id, d.collection, {score} AS score "
            "FROM search_documents d, q WHERE d.tsv @@ q.query"
            f"{f' AND {has_role}' if has_role else ''}), "
            "page AS (SELECT id, score FROM matches WHERE score IS NOT NULL "
            "ORDER BY score DESC, id LIMIT :limit OFFSET :offset) "
            "SELECT collection, count(*) AS matches, NULL AS slug, NULL AS title, "
            "NULL AS headline, NULL::real AS score, NULL::integer AS id "
            "FROM matches GROUP BY collection "
            "UNION ALL SELECT d.collection, NULL, d.slug, d.title, "
            f"ts_headline('english', d.body, q.query, '{HEADLINE}'), p.score, p.id "
            "FROM page p JOIN search_documents d ON d.id = p.id CROSS JOIN q"
        ),
        params,
    ).all()
    facets = [(r.collection, r.matches) for r in rows if r.matches is not None]
    page = sorted((r for r in rows if r.matches is None), key=lambda r: (-r.score, r.id))
    hits = [(r.collection, r.slug, r.title, r.headline, r.score) for r in page]
    return _results(facets, hits, collections)


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
