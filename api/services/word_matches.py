"""Passages by words: the full-text query retrieval (api/services/retrieval.py) makes.

    word_matches(session, terms, collections, role, limit, also) -> (best, scores)
    searched_terms(index, terms) -> the terms worth searching

One query gives the `limit` best passages by words and the word scores of the passages found
by meaning (`also`): BM25 over the passages' FTS5 table on SQLite (title weighted 2 to 1),
ts_rank over their tsvector (GIN index) on PostgreSQL (migration 0012).
"""

import json
from collections.abc import Sequence

from sqlalchemy import text

from .analysis import WORD
from .passage_index import STEM, Index

# The full-text query reads each of its words' passages and scores every passage that has
# one: its words are kept rarest first while the passages they are in add up to at most
# POSTINGS (a word no passage has costs nothing; the rarest is always kept). The common words
# left out weigh least in BM25 and still count in `coverage`. The seeded content (~300
# passages) never reaches it: its longest tune-half questions add up to ~800.
POSTINGS = 1500


def _filters(collections, role) -> tuple[str, dict]:
    conditions, params = [], {}
    if collections:
        names = ", ".join(f":c{i}" for i in range(len(collections)))
        conditions.append(f"p.collection IN ({names})")
        params.update({f"c{i}": n for i, n in enumerate(collections)})
    if role:
        conditions.append("p.roles LIKE :role")
        params["role"] = f"% {role} %"
    return "".join(f" AND {c}" for c in conditions), params


def word_matches(
    session, terms, collections, role, limit, also: Sequence[int] = ()
) -> tuple[list[tuple[int, float]], dict[int, float]]:
    """(passage id, score) of the `limit` best passages by words, best first, and the scores
    of the passages `also` lists that match a word (one full-text query for both)."""
    if not terms:
        return [], {}
    where, params = _filters(collections, role)
    sqlite = session.bind.dialect.name == "sqlite"
    # `also` is a parameter, not written into the SQL: one text for every question, which
    # PostgreSQL (psycopg) prepares after a few uses and SQLite keeps in its statement cache;
    # ids written out made every question's SQL new, planned afresh.
    if sqlite:
        listed = "id IN (SELECT value FROM json_each(:also))"
        params["also"] = json.dumps([int(i) for i in also])
        join = " JOIN passages p ON p.id = search_fts_passages.rowid" if where else ""
        matched = (
            "SELECT search_fts_passages.rowid AS id, "
            f"-bm25(search_fts_passages, 2.0, 1.0) AS score FROM search_fts_passages{join} "
            f"WHERE search_fts_passages MATCH :match{where}"
        )
        params["match"] = " OR ".join(f'"{t}"' for t in terms)
    else:
        listed = "id = ANY(CAST(:also AS integer[]))"
        params["also"] = [int(i) for i in also]
        # The query materialised apart: the planner, not knowing how many passages match,
        # reads them from the GIN index rather than testing every row.
        matched = (
            "SELECT p.id AS id, ts_rank(p.tsv, q.query, 1) AS score FROM passages p, q "
            f"WHERE p.tsv @@ q.query{where}"
        )
        params["match"] = " or ".join(f'"{t}"' if " " in t else t for t in terms)
    sql = (
        "WITH "
        + (
            ""
            if sqlite
            else "q AS MATERIALIZED (SELECT websearch_to_tsquery('english', :match) AS query), "
        )
        + f"m AS MATERIALIZED ({matched}) "
        "SELECT * FROM (SELECT id, score, 1 AS top FROM m ORDER BY score DESC, id LIMIT :limit) t "
        f"UNION ALL SELECT id, score, 0 FROM m WHERE {listed}"
    )
    best, scores = [], {}
    for i, s, top in session.execute(text(sql), {**params, "limit": limit}):
        if top:
            best.append((int(i), float(s)))
        else:
            scores[int(i)] = float(s)
    best.sort(key=lambda pair: (-pair[1], pair[0]))
    return best, scores


def searched_terms(found: Index, terms: Sequence[str]) -> list[str]:
    """The question's terms, the commonest left out while they are in more than POSTINGS
    passages together (a term's passages: those with its stem; a phrase's: its rarest word's)."""

    def frequency(term: str) -> int:
        stems = [w[:STEM] for w in WORD.findall(term.lower())]
        return min((found.passages_with(s) for s in stems), default=0)

    counted = sorted((frequency(t), n) for n, t in enumerate(terms))
    kept, total = set(), 0
    for count, n in counted:
        if kept and total + count > POSTINGS:
            break
        kept.add(n)
        total += count
    return [t for n, t in enumerate(terms) if n in kept]
