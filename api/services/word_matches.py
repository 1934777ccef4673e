"""Passages by words: the full-text query retrieval (api/services/retrieval.py) makes.

    word_matches(session, terms, collections, role, limit, also, weights) -> (best, scores)
    searched_terms(index, terms) -> the terms worth searching, and each one's weight

One query gives the `limit` best passages by words and the word scores of the passages found
by meaning (`also`): BM25 over the passages' FTS5 table on SQLite (title weighted 2 to 1); on
PostgreSQL (tsvector, GIN index, migration 0012), each term's ts_rank weighted by its inverse
document frequency, as BM25 weighs it: ts_rank alone has none, so a word every passage has
counted as much as the one word that names the subject.
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


def word_matches(
    session, terms, collections, role, limit, also: Sequence[int] = (), weights=None
) -> tuple[list[tuple[int, float]], dict[int, float]]:
    """(passage id, score) of the `limit` best passages by words, best first, and the scores
    of the passages `also` lists that match a word (one full-text query for both); `weights`:
    those searched_terms() gives, read on PostgreSQL only (each term counts alike without)."""
    if not terms:
        return [], {}
    where, params = _filters(collections, role)
    sqlite = session.bind.dialect.name == "sqlite"
    # `also` is a parameter, not written into the SQL: one text for every question (on
    # PostgreSQL, for every number of terms), which PostgreSQL (psycopg) prepares after a few
    # uses and SQLite keeps in its statement cache; ids written out made every question's SQL
    # new, planned afresh.
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
        queries = ""
    else:
        listed = "id = ANY(CAST(:also AS integer[]))"
        params["also"] = [int(i) for i in also]
        # The query materialised apart: the planner, not knowing how many passages match,
        # reads them from the GIN index rather than testing every row.
        quoted = [f'"{t}"' if " " in t else t for t in terms]
        weights = weights or [1.0] * len(terms)
        score = " + ".join(f":w{n} * ts_rank(p.tsv, q.t{n}, 1)" for n in range(len(terms)))
        matched = (
            f"SELECT p.id AS id, {score} AS score FROM passages p, q WHERE p.tsv @@ q.query{where}"
        )
        params["match"] = " or ".join(quoted)
        params |= {f"t{n}": t for n, t in enumerate(quoted)}
        params |= {f"w{n}": float(w) for n, w in enumerate(weights)}
        each = (f"websearch_to_tsquery('english', :t{n}) AS t{n}" for n in range(len(terms)))
        queries = ", ".join(["websearch_to_tsquery('english', :match) AS query", *each])
        queries = f"q AS MATERIALIZED (SELECT {queries}), "
    sql = (
        f"WITH {queries}m AS MATERIALIZED ({matched}) "
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
