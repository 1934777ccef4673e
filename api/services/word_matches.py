"""Passages by words: the full-text queries retrieval (api/services/retrieval.py) makes.

    word_matches(session, terms, collections, role, limit, weights) -> [(id, score)...]
    word_scores(session, terms, rows, weights) -> {id: score}
    searched_terms(index, terms) -> the terms worth searching, and each one's weight

`word_matches` gives the `limit` best passages by words, `word_scores` the word scores of
listed passages (those found by meaning that the first did not return; a passage no word
matches is left out): BM25 over the passages' FTS5 table on SQLite (title weighted 2 to 1);
on PostgreSQL (tsvector, GIN index, migration 0012), each term's ts_rank weighted by its
inverse document frequency, as BM25 weighs it: ts_rank alone has none, so a word every
passage has counted as much as the one word that names the subject. A passage's score is the
same in both queries: BM25's statistics are the whole table's, ts_rank reads the one row.
"""

import json
import math
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


def _matched(session, terms, weights, params: dict, where: str = "", join: bool = False) -> str:
    """The query scoring the passages a term matches (and `where`), as `id, score`; `params`
    gets its parameters; `join`: `where` reads the passages table (`p`) on SQLite too."""
    if session.bind.dialect.name == "sqlite":
        params["match"] = " OR ".join(f'"{t}"' for t in terms)
        table = "search_fts_passages"
        joined = f" JOIN passages p ON p.id = {table}.rowid" if join else ""
        return (
            f"SELECT {table}.rowid AS id, -bm25({table}, 2.0, 1.0) AS score "
            f"FROM {table}{joined} WHERE {table} MATCH :match{where}"
        )
    quoted = [f'"{t}"' if " " in t else t for t in terms]
    weights = weights or [1.0] * len(terms)
    score = " + ".join(f":w{n} * ts_rank(p.tsv, q.t{n}, 1)" for n in range(len(terms)))
    params["match"] = " or ".join(quoted)
    params |= {f"t{n}": t for n, t in enumerate(quoted)}
    params |= {f"w{n}": float(w) for n, w in enumerate(weights)}
    each = (f"websearch_to_tsquery('english', :t{n}) AS t{n}" for n in range(len(terms)))
    queries = ", ".join(["websearch_to_tsquery('english', :match) AS query", *each])
    # The tsqueries materialised apart: the planner, not knowing how many passages match,
    # reads them from the GIN index rather than testing every row.
    return (
        f"WITH q AS MATERIALIZED (SELECT {queries}) "
        f"SELECT p.id AS id, {score} AS score FROM passages p, q WHERE p.tsv @@ q.query{where}"
    )


def word_matches(session, terms, collections, role, limit, weights=None) -> list[tuple[int, float]]:
    """(passage id, score) of the `limit` best passages by words, best first; `weights`:
    those searched_terms() gives, read on PostgreSQL only (each term counts alike without)."""
    if not terms:
        return []
    where, params = _filters(collections, role)
    matched = _matched(session, terms, weights, params, where, join=bool(where))
    sql = f"{matched} ORDER BY score DESC, id LIMIT :limit"
    return [(int(i), float(s)) for i, s in session.execute(text(sql), {**params, "limit": limit})]


def word_scores(session, terms, rows: Sequence[int], weights=None) -> dict[int, float]:
    """The word score of each passage `rows` lists that a term matches."""
    if not terms or not rows:
        return {}
    # The ids are a parameter, not written into the SQL: one text for every question (on
    # PostgreSQL, for every number of terms), which PostgreSQL (psycopg) prepares after a few
    # uses and SQLite keeps in its statement cache; ids written out made every question's SQL
    # new, planned afresh.
    if session.bind.dialect.name == "sqlite":
        # `+`: the ids filter the matches, not given to FTS5 as a constraint: it would run the
        # whole full-text query again for each id (7 ms for 60 ids, against 0.3).
        params = {"rows": json.dumps([int(i) for i in rows])}
        where = " AND +search_fts_passages.rowid IN (SELECT value FROM json_each(:rows))"
    else:
        params = {"rows": [int(i) for i in rows]}
        where = " AND p.id = ANY(CAST(:rows AS integer[]))"
    matched = _matched(session, terms, weights, params, where)
    return {int(i): float(s) for i, s in session.execute(text(matched), params)}


def _frequency(found: Index, term: str) -> int:
    """How many passages have the term (a phrase: its rarest word)."""
    stems = [w[:STEM] for w in WORD.findall(term.lower())]
    return min((found.passages_with(s) for s in stems), default=0)


def searched_terms(found: Index, terms: Sequence[str]) -> tuple[list[str], list[float]]:
    """The question's terms worth searching, in order, and each one's inverse document
    frequency, BM25's: ln(1 + (N - n + 0.5) / (n + 0.5)).

    The commonest are left out while the kept ones are in more than POSTINGS passages together
    (a term's passages: those with its stem; a phrase's: its rarest word's).
    """
    counts = [_frequency(found, t) for t in terms]
    kept, total = set(), 0
    for count, n in sorted(zip(counts, range(len(terms)), strict=True)):
        if kept and total + count > POSTINGS:
            break
        kept.add(n)
        total += count
    everything = len(found.passages)
    chosen = [n for n in range(len(terms)) if n in kept]
    weights = [math.log(1 + (everything - counts[n] + 0.5) / (counts[n] + 0.5)) for n in chosen]
    return [terms[n] for n in chosen], weights
