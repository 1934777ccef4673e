"""Full-text search over every entry: one service, a backend per database.

The question's terms (services/analysis.py) are OR-ed, so a question need not share every
word with its answer; the database ranks: BM25 on SQLite FTS5 (porter stemming), ts_rank on
PostgreSQL (English stemming), titles weighted above bodies on both. The documents are written
by services/indexing.py.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..models import SearchDocument, SearchTerm
from ..registry import BY_NAME
from .analysis import WORD, Analysis

MARK, END_MARK = "<mark>", "</mark>"


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
