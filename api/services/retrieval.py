"""Ranking passages for a question: words and, with SEMANTIC_SEARCH on, meaning.

    retrieve(session, query, k=5, collections=None, role=None, analysis=None)
        -> list[ScoredPassage]

The `k` best passages (api/services/passages.py), best first; empty when nothing matches.
`collections` keeps only those collections (names: "faqs", "roles"...), `role` only passages
of entries that name that role. Each ScoredPassage has:

- `passage`: the Passage record (id "roles/devops-engineer#pain_points", url, title, text,
  collection, slug, field, version, etag, sources, metadata);
- `score`: the fused score, 0 to 1, higher is better (comparable within one question);
- the raw features a calibrator needs: `cosine` (question to passage; None with semantic
  search off), `words` (the database's full-text score, BM25 on SQLite, ts_rank on
  PostgreSQL, 0 when no word matches), `word_score` (`words` over the best `words` of the
  question, 0 to 1), `coverage` (share of the question's content words found in the passage,
  on their first five letters), `word_rank` and `meaning_rank` (1-based rank in each list,
  None when absent), `rank` (1-based, in the fused order);
- `margin`: this score minus the next one's (the runner-up is the next item).

How. Words: the question is analysed as /v1/search does (stop words, glossary, typos:
api/services/search.py); the passages' own full-text index (FTS5 or tsvector) gives the best
WORDS of them. Meaning: the question's vector against every passage vector, one matrix
product over vectors held in memory per content generation (api/generation.py). Candidates
from both lists are scored: see fuse(). Words-only installs never import numpy.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..models import Passage as PassageRow
from .search import WORD, Analysis, analyze, load_glossary

WORDS = 60  # best passages by words
NEIGHBOURS = 60  # nearest passages by meaning
STEM = 5
# fused score weights (tuned on the tune half of bench/eval/questions.jsonl)
W_COSINE, W_WORDS, W_COVERAGE = 0.6, 0.25, 0.15
W_WORDS_ONLY, W_COVERAGE_ONLY = 0.6, 0.4


@dataclass(frozen=True)
class Passage:
    """One stored passage, as a retriever shows it."""

    row: int
    collection: str
    slug: str
    anchor: str
    field: str
    title: str
    text: str
    search_text: str
    roles: str
    version: int
    etag: str
    sources: list[dict[str, Any]]
    details: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.collection}/{self.slug}#{self.anchor}"

    @property
    def url(self) -> str:
        return f"/v1/{self.collection}/{self.slug}#{self.anchor}"


@dataclass(frozen=True)
class ScoredPassage:
    passage: Passage
    score: float
    cosine: float | None
    words: float
    word_score: float
    coverage: float
    word_rank: int | None
    meaning_rank: int | None
    rank: int
    margin: float


class Index:
    """Every passage of one content generation, with its vector when there is one."""

    def __init__(self, generation: Any, passages: list[Passage], vectors: list[bytes | None]):
        self.generation = generation
        self.passages = passages
        self.by_row = {p.row: i for i, p in enumerate(passages)}
        self._stems: dict[int, frozenset[str]] = {}
        self.matrix = None
        self.has_vector = None
        if any(v is not None for v in vectors):
            import numpy as np

            width = next(len(v) for v in vectors if v is not None) // 4
            self.matrix = np.zeros((len(vectors), width), dtype=np.float32)
            self.has_vector = np.zeros(len(vectors), dtype=bool)
            for i, vector in enumerate(vectors):
                if vector is not None:
                    self.matrix[i] = np.frombuffer(vector, dtype="<f4")
                    self.has_vector[i] = True

    def stems(self, i: int) -> frozenset[str]:
        found = self._stems.get(i)
        if found is None:
            p = self.passages[i]
            found = frozenset(w[:STEM] for w in WORD.findall(f"{p.title} {p.search_text}".lower()))
            self._stems[i] = found
        return found


def load_index(session: Session, generation: Any) -> Index:
    rows = session.execute(select(PassageRow).order_by(PassageRow.id)).scalars().all()
    passages = [
        Passage(
            r.id,
            r.collection,
            r.slug,
            r.anchor,
            r.field,
            r.title,
            r.text,
            r.search_text,
            r.roles,
            r.version,
            r.etag,
            r.sources,
            r.details,
        )
        for r in rows
    ]
    return Index(generation, passages, [r.embedding for r in rows])


_INDEXES: dict[Any, Index] = {}
_LOCK = threading.Lock()


def _generation(session: Session) -> Any:
    if has_app_context() and (tracker := current_app.extensions.get("generation")):
        value = tracker.current()
        if value is not None:
            return value
    return None


def index(session: Session) -> Index:
    """This database's passages as of the content's generation, read again when it changes."""
    key = session.get_bind().url.render_as_string(hide_password=False)
    current = _generation(session)
    found = _INDEXES.get(key)
    if current is None or found is None or found.generation != current:
        with _LOCK:
            found = _INDEXES.get(key)
            if current is None or found is None or found.generation != current:
                found = load_index(session, current)
                if current is not None:
                    _INDEXES[key] = found
    return found


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


def word_matches(session, terms, collections, role, limit) -> list[tuple[int, float]]:
    """(passage id, score) of the best passages by words, best first."""
    if not terms:
        return []
    where, params = _filters(collections, role)
    if session.bind.dialect.name == "sqlite":
        rank = "bm25(search_fts_passages, 2.0, 1.0)"
        join = " JOIN passages p ON p.id = search_fts_passages.rowid" if where else ""
        sql = (
            f"SELECT search_fts_passages.rowid, -{rank} FROM search_fts_passages{join} "
            f"WHERE search_fts_passages MATCH :match{where} ORDER BY {rank} LIMIT :limit"
        )
        params["match"] = " OR ".join(f'"{t}"' for t in terms)
    else:
        sql = (
            "WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('english', :match) AS query) "
            "SELECT p.id, ts_rank(p.tsv, q.query, 1) AS score FROM passages p, q "
            f"WHERE p.tsv @@ q.query{where} ORDER BY score DESC, p.id LIMIT :limit"
        )
        params["match"] = " or ".join(f'"{t}"' if " " in t else t for t in terms)
    return [(int(i), float(s)) for i, s in session.execute(text(sql), {**params, "limit": limit})]


def _coverage(words: Sequence[str], stems: frozenset[str], glossary) -> float:
    if not words:
        return 0.0

    def covered(word: str) -> bool:
        options = [word, *glossary.get(word, ())]
        return any(all(w[:STEM] in stems for w in WORD.findall(o)) for o in options)

    return sum(map(covered, words)) / len(words)


def question_vector(query: str, analysis: Analysis):
    from .semantic import ENCODER, question_text

    return ENCODER.embed_question(question_text(query, analysis))


def retrieve(
    session: Session,
    query: str,
    k: int = 5,
    collections: Sequence[str] | None = None,
    role: str | None = None,
    analysis: Analysis | None = None,
    semantic: bool | None = None,
) -> list["ScoredPassage"]:
    """The k best passages for the question, best first (module docstring)."""
    glossary = load_glossary(f"{current_app.config['SEED_DIR']}/glossary.json")
    analysis = analysis or analyze(session, query, glossary)
    if semantic is None:
        semantic = bool(current_app.config.get("SEMANTIC_SEARCH"))
    found = index(session)
    hits = word_matches(session, analysis.terms, collections, role, WORDS)
    word_rank = {found.by_row[i]: (n, s) for n, (i, s) in enumerate(hits, 1) if i in found.by_row}
    cosines, meaning_rank = None, {}
    if semantic and found.matrix is not None and WORD.search(query.lower()):
        cosines, meaning_rank = _nearest(found, question_vector(query, analysis), collections, role)
    best_words = max((s for _, s in hits), default=0.0) or 1.0
    scored = []
    for i in set(word_rank) | set(meaning_rank):
        rank, words = word_rank.get(i, (None, 0.0))
        cover = _coverage(analysis.words, found.stems(i), glossary)
        cosine = float(cosines[i]) if cosines is not None and found.has_vector[i] else None
        scored.append((i, words, words / best_words, cover, cosine, rank, meaning_rank.get(i)))
    return fuse(found, scored, k)


def _nearest(found: Index, vector, collections, role):
    import numpy as np

    similarity = found.matrix @ vector
    allowed = found.has_vector.copy()
    if collections or role:
        allowed &= np.array(
            [
                (not collections or p.collection in collections)
                and (not role or f" {role} " in p.roles)
                for p in found.passages
            ]
        )
    rows = np.flatnonzero(allowed)
    if len(rows) > NEIGHBOURS:
        rows = rows[np.argpartition(-similarity[rows], NEIGHBOURS)[:NEIGHBOURS]]
    rows = rows[np.argsort(-similarity[rows], kind="stable")]
    return similarity, {int(r): n for n, r in enumerate(rows, 1)}


def fuse(found: Index, scored, k: int) -> list[ScoredPassage]:
    """score = W_COSINE * cosine + W_WORDS * word_score + W_COVERAGE * coverage with
    meaning, W_WORDS_ONLY * word_score + W_COVERAGE_ONLY * coverage without."""
    results = []
    for i, words, word_score, cover, cosine, word_rank, meaning_rank in scored:
        if cosine is not None:
            score = W_COSINE * cosine + W_WORDS * word_score + W_COVERAGE * cover
        else:
            score = W_WORDS_ONLY * word_score + W_COVERAGE_ONLY * cover
        results.append((score, i, words, word_score, cover, cosine, word_rank, meaning_rank))
    results.sort(key=lambda r: (-r[0], r[6] or 10**9, found.passages[r[1]].row))
    top = results[:k]
    out = []
    for n, (score, i, words, word_score, cover, cosine, word_rank, meaning_rank) in enumerate(top):
        following = results[n + 1][0] if n + 1 < len(results) else 0.0
        out.append(
            ScoredPassage(
                found.passages[i],
                round(score, 6),
                cosine,
                words,
                word_score,
                cover,
                word_rank,
                meaning_rank,
                n + 1,
                round(score - following, 6),
            )
        )
    return out
