"""Ranking passages for a question: by words, and by meaning when SEMANTIC_SEARCH is on.

    retrieve(session, query, k=5, collections=None, role=None, analysis=None, semantic=None)
        -> list[ScoredPassage]

The `k` best passages (api/services/passages.py), best first; empty when nothing matches.
`collections` keeps only those collections (names: "faqs", "roles"...), `role` only passages
of entries that name that role. `analysis`: the question as analyze() (api/services/search.py)
made it, when the caller has it already. `semantic`: None follows SEMANTIC_SEARCH. Each
ScoredPassage has:

- `passage`: the Passage record (api/services/passage_index.py): `id`
  ("roles/devops-engineer#pain_points"), `url` ("/v1/roles/devops-engineer#pain_points"),
  title, text, collection, slug, anchor, field, version, etag, sources, details (roles...);
- `score`: the fused score (score() below), higher is better, comparable within a question;
- the raw features a calibrator needs: `cosine` (question to passage) and `entry_cosine`
  (question to the passage's whole entry), both None with semantic search off; `words` (the
  database's full-text score of the passage: BM25 on SQLite, ts_rank on PostgreSQL; 0 when no
  word matches), `word_score` (`words` over the question's best `words`, 0 to 1), `coverage`
  (share of the question's content words found in the passage, on their first five
  letters), `title_coverage` (the same share in its entry's title), `aspect` (for a
  matrix cell of a role the question names, the share of its aspect's words the question
  has: role_aspects.py), `word_rank` and
  `meaning_rank` (1-based rank in each list, None when outside the first WORDS or
  NEIGHBOURS), `rank` (1-based, fused);
- `margin`: this score minus the next one's; the runner-up is the next item of the list.

How. Words: the question is analysed as /v1/search does (stop words, filler, glossary,
typos), and the passages' own full-text index (migration 0012) gives the best WORDS of them;
a long question's commonest words are left out of that query on a large corpus (POSTINGS,
counted with the in-memory index), so that the database does not score nearly every passage:
the queries are api/services/word_matches.py. Meaning: the question's vector (its last
QUESTION_WORDS words, embedded once, cached) against every passage vector, one matrix product
over vectors held in memory per content generation; the NEIGHBOURS nearest join the
candidates, and a second, small query gives the word scores of those the first did not
return. The model reads the question on its own thread while the first query runs (the two
overlap: each releases the GIL while it waits or multiplies). Every candidate gets every
feature (an FAQ's also its closest phrasing's cosine, api/services/phrasings.py), then
score() ranks them. Weights
were tuned on the `tune` half of bench/eval/questions.jsonl only (bench/passages_quality.py).
Words-only installs never import numpy.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy.orm import Session

from . import role_aspects
from .analysis import WORD, Analysis, analyze, app_glossary
from .passage_index import STEM, Index, Passage, index
from .phrasings import phrasing_vectors
from .word_matches import searched_terms, word_matches, word_scores

WORDS = 60  # best passages by words
NEIGHBOURS = 60  # nearest passages by meaning
# The model's time grows with the question's length: a rambling question is read from its
# last words, where chat users put what they ask (on the tune half, as often right as whole).
# 24 rather than 32 (48 before that): seeded p95 by meaning 2 to 3 ms lower on both databases,
# as often first and right at least as often on the tune halves (docs/search-and-answers.md).
QUESTION_WORDS = 24
# fused score weights (tuned on the tune half of bench/eval/questions.jsonl)
W_COSINE, W_ENTRY, W_WORDS, W_COVERAGE, W_TITLE = 0.36, 0.36, 0.12, 0.08, 0.08
W_WORDS_ONLY, W_COVERAGE_ONLY, W_TITLE_ONLY = 0.4, 0.2, 0.4
# Tags group entries and resources describe sources: they rarely answer a question themselves.
PRIOR = {"tags": 0.5, "resources": 0.5}
# A cell of a role the question names, about the aspect it names (api/services/role_aspects.py)
W_ASPECT = 0.3
# An FAQ's cosine is raised this share of the way to its closest phrasing's (its question or an
# example question, each embedded alone: api/services/phrasings.py), when that one is closer.
# Decided on the five sets' tune halves (docs/search-and-answers.md): first passage right by
# meaning 479 -> 485 of 542; 0.75 and 1 put more first but answered more wrong set by set.
W_PHRASING = 0.5


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
    entry_cosine: float | None = None
    title_coverage: float = 0.0
    aspect: float = 0.0
    phrasing: float | None = None  # an FAQ's: the cosine of its closest phrasing (meaning)


def stem_options(words: Sequence[str], glossary) -> list[tuple[frozenset[str], list]]:
    """Each content word as the ways it can be found (itself or a glossary expansion): the
    one-word ways as a set of stems, the longer ones as tuples of stems."""
    options = []
    for word in words:
        ways = [tuple(w[:STEM] for w in WORD.findall(o)) for o in (word, *glossary.get(word, ()))]
        single = frozenset(way[0] for way in ways if len(way) == 1)
        options.append((single, [way for way in ways if len(way) > 1]))
    return options


class Coverage:
    """The share of the question's content words a passage has (any of their ways)."""

    def __init__(self, options: list[tuple[frozenset[str], list]]):
        self.count = len(options)
        self.by_stem: dict[str, set[int]] = {}
        for n, (single, _) in enumerate(options):
            for stem in single:
                self.by_stem.setdefault(stem, set()).add(n)
        self.wanted = frozenset(self.by_stem)
        self.longer = [(n, longer) for n, (_, longer) in enumerate(options) if longer]

    def __call__(self, stems: frozenset[str]) -> float:
        if not self.count:
            return 0.0
        found: set[int] = set()
        for stem in stems & self.wanted:
            found |= self.by_stem[stem]
        for n, longer in self.longer:
            if n not in found and any(stems.issuperset(way) for way in longer):
                found.add(n)
        return len(found) / self.count


def question_vector(query: str, analysis: Analysis):
    """The question's vector: the model reads its last QUESTION_WORDS words."""
    return question_vector_soon(query, analysis).result()


def question_vector_soon(query: str, analysis: Analysis):
    """question_vector() as a Future, computed on the model thread (api/services/encoder.py)."""
    from .encoder import ENCODER, question_text

    return ENCODER.question_soon(" ".join(question_text(query, analysis).split()[-QUESTION_WORDS:]))


@dataclass
class Candidate:
    """A passage found by words or by meaning, with the features it is scored on."""

    i: int  # position in the index
    words: float = 0.0
    word_score: float = 0.0
    coverage: float = 0.0
    cosine: float | None = None
    entry_cosine: float | None = None  # with the passage's whole entry
    title_coverage: float = 0.0  # share of the question's words in the entry's title
    word_rank: int | None = None
    meaning_rank: int | None = None
    aspect: float = 0.0  # a cell of a role the question names: share of its aspect named
    phrasing: float | None = None  # an FAQ's: the cosine of its closest phrasing (meaning)


def candidates(
    session: Session,
    query: str,
    analysis: Analysis,
    collections: Sequence[str] | None,
    role: str | None,
    semantic: bool,
) -> tuple[Index, list[Candidate]]:
    """The best passages by words and the nearest by meaning, each with every feature."""
    glossary = app_glossary()
    found = index(session)
    terms, weights = searched_terms(found, analysis.terms)
    by_row: dict[int, Candidate] = {}
    near: list[int] = []
    vector = None
    if semantic and found.matrix is not None and WORD.search(query.lower()):
        vector = question_vector_soon(query, analysis)  # the model reads it meanwhile
    hits = word_matches(session, terms, collections, role, WORDS, weights)  # the best by words
    scores: dict[int, float] = {}
    if vector is not None:
        vector = vector.result()
        similarity, near = _nearest(found, vector, collections, role)
        entry_similarity = found.entries @ vector
        # The word scores of the nearest by meaning that are not among the best by words.
        listed = {row for row, _ in hits}
        rows = [found.passages[i].row for i in near if found.passages[i].row not in listed]
        scores = word_scores(session, terms, rows, weights)
    best = max((s for _, s in hits), default=0.0) or 1.0
    for rank, (row, words) in enumerate(hits, 1):
        if row in found.by_row:
            i = found.by_row[row]
            by_row[i] = Candidate(i, words, words / best, word_rank=rank)
    for rank, i in enumerate(near, 1):
        candidate = by_row.setdefault(i, Candidate(i))
        candidate.meaning_rank = rank
        if candidate.word_rank is None and (words := scores.get(found.passages[i].row)):
            candidate.words, candidate.word_score = words, words / best
    for i, share in role_aspects.cells(found, analysis, glossary):
        p = found.passages[i]
        if (not collections or p.collection in collections) and (
            not role or f" {role} " in p.roles
        ):
            by_row.setdefault(i, Candidate(i)).aspect = share
    if near:
        for i, candidate in by_row.items():
            if found.has_vector[i]:
                candidate.cosine = float(similarity[i])
                candidate.entry_cosine = float(entry_similarity[found.entry_of[i]])
        _closest_phrasings(found, vector, by_row)
    coverage = Coverage(stem_options(analysis.words, glossary))
    for i, candidate in by_row.items():
        candidate.coverage = coverage(found.stems(i))
        candidate.title_coverage = coverage(found.title_stems(i))
    return found, list(by_row.values())


def _closest_phrasings(found: Index, vector, by_row: dict[int, Candidate]) -> None:
    """Each FAQ candidate's cosine with its closest phrasing (api/services/phrasings.py)."""
    faqs = {
        found.passages[i].row: c
        for i, c in by_row.items()
        if found.passages[i].collection == "faqs"
    }
    for row, matrix in phrasing_vectors(found, list(faqs)).items():
        faqs[row].phrasing = float((matrix @ vector).max())


def retrieve(
    session: Session,
    query: str,
    k: int = 5,
    collections: Sequence[str] | None = None,
    role: str | None = None,
    analysis: Analysis | None = None,
    semantic: bool | None = None,
) -> list[ScoredPassage]:
    """The k best passages for the question, best first (module docstring)."""
    if analysis is None:
        glossary = app_glossary()
        analysis = analyze(session, query, glossary)
    if semantic is None:
        semantic = bool(current_app.config.get("SEMANTIC_SEARCH"))
    found, scored = candidates(session, query, analysis, collections, role, semantic)
    return rank(found, scored, k)


def _nearest(found: Index, vector, collections, role):
    """The question's cosine with every passage, and the NEIGHBOURS nearest, nearest first."""
    import numpy as np

    similarity = found.matrix @ vector
    allowed = found.has_vector
    if collections or role:
        allowed = allowed & found.allowed(collections, role)
    rows = np.flatnonzero(allowed)
    if len(rows) > NEIGHBOURS:
        rows = rows[np.argpartition(-similarity[rows], NEIGHBOURS)[:NEIGHBOURS]]
    rows = rows[np.argsort(-similarity[rows], kind="stable")]
    return similarity, [int(r) for r in rows]


def score(candidate: Candidate, passage: Passage) -> float:
    """With meaning: W_COSINE * cosine + W_ENTRY * entry_cosine + W_WORDS * word_score +
    W_COVERAGE * coverage + W_TITLE * title_coverage, an FAQ's cosine raised W_PHRASING of the
    way to its closest phrasing's; words only: W_WORDS_ONLY * word_score + W_COVERAGE_ONLY *
    coverage + W_TITLE_ONLY * title_coverage; either plus W_ASPECT * aspect; times the PRIOR
    of the passage's collection."""
    c = candidate
    if c.cosine is not None:
        cosine = c.cosine
        if c.phrasing is not None and c.phrasing > cosine:
            cosine += W_PHRASING * (c.phrasing - cosine)
        value = W_COSINE * cosine + W_ENTRY * (c.entry_cosine or 0.0)
        value += W_WORDS * c.word_score + W_COVERAGE * c.coverage + W_TITLE * c.title_coverage
        value += W_ASPECT * c.aspect
    else:
        value = W_WORDS_ONLY * c.word_score + W_COVERAGE_ONLY * c.coverage
        value += W_TITLE_ONLY * c.title_coverage + W_ASPECT * c.aspect
    return value * PRIOR.get(passage.collection, 1.0)


def rank(found: Index, scored: list[Candidate], k: int) -> list[ScoredPassage]:
    """The k best candidates by score(), ties to the better word rank, then the older row."""
    ordered = sorted(
        ((score(c, found.passages[c.i]), c) for c in scored),
        key=lambda pair: (-pair[0], pair[1].word_rank or 10**9, found.passages[pair[1].i].row),
    )
    results = []
    for n, (value, c) in enumerate(ordered[:k]):
        following = ordered[n + 1][0] if n + 1 < len(ordered) else 0.0
        margin = round(value - following, 6)
        passage = found.passages[c.i]
        results.append(
            ScoredPassage(
                passage, round(value, 6), c.cosine, c.words, c.word_score, c.coverage,
                c.word_rank, c.meaning_rank, n + 1, margin, c.entry_cosine, c.title_coverage,
                c.aspect, c.phrasing,
            )
        )  # fmt: skip
    return results
