"""Search documents' vectors in memory: every stored vector of one content generation, with
what a hit found by meaning shows, and the nearest to a question.

Each app keeps one `Vectors` (`StoredVectors`), read again when the content's generation
(api/generation.py: a write, a reindex, vectors stored) changes.
"""

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import generation
from ..generation import Generation
from ..models.search import SearchDocument, SearchEmbedding
from .encoder import MODEL, from_bytes
from .search import Hit

try:  # the extra; this module imports without it, and semantic.install() says what is missing
    import numpy as np
except ImportError:  # pragma: no cover - depends on the install
    np = None

NEIGHBOURS = 50  # entries nearest in meaning, fused with the word hits
OPENING_WORDS = 30  # snippet of an entry found by meaning only


@dataclass(frozen=True)
class Vectors:
    """Every stored vector of one generation of the content, with what a hit shows."""

    generation: Generation | None
    ids: list[int]
    collections: list[str]
    slugs: list[str]
    titles: list[str]
    roles: list[str]
    openings: list[str]
    matrix: "np.ndarray"  # (n, dimensions), unit-length rows
    position: dict[tuple[str, str], int]

    def nearest(self, vector: "np.ndarray", role: str | None) -> list[tuple[int, float]]:
        """(row, cosine) of the NEIGHBOURS rows nearest to `vector`, nearest first."""
        if not self.ids:
            return []
        similarity = self.matrix @ vector
        if role:
            rows = np.flatnonzero([f" {role} " in r for r in self.roles])
        else:
            rows = np.arange(len(self.ids))
        if len(rows) > NEIGHBOURS:  # the nearest, unordered, in linear time
            rows = rows[np.argpartition(-similarity[rows], NEIGHBOURS)[:NEIGHBOURS]]
        rows = rows[np.argsort(-similarity[rows], kind="stable")]
        return [(int(row), float(similarity[row])) for row in rows]

    def similarity(self, vector: "np.ndarray", collection: str, slug: str) -> float | None:
        row = self.position.get((collection, slug))
        return None if row is None else float(self.matrix[row] @ vector)

    def hit(self, row: int) -> Hit:
        return Hit(self.collections[row], self.slugs[row], self.titles[row], self.openings[row], 0)


def _opening(body: str) -> str:
    words = body.split()
    return " ".join(words[:OPENING_WORDS]) + ("…" if len(words) > OPENING_WORDS else "")


def load_vectors(session: Session, current: Generation | None) -> Vectors:
    rows = session.execute(
        select(
            SearchDocument.id,
            SearchDocument.collection,
            SearchDocument.slug,
            SearchDocument.title,
            SearchDocument.body,
            SearchDocument.roles,
            SearchEmbedding.vector,
        )
        .join(SearchEmbedding, SearchEmbedding.document_id == SearchDocument.id)
        .where(SearchEmbedding.model == MODEL)
        .order_by(SearchDocument.id)
    ).all()
    matrix = (
        np.vstack([from_bytes(row.vector) for row in rows])
        if rows
        else np.zeros((0, 0), dtype=np.float32)
    )
    return Vectors(
        generation=current,
        ids=[row.id for row in rows],
        collections=[row.collection for row in rows],
        slugs=[row.slug for row in rows],
        titles=[row.title for row in rows],
        roles=[row.roles for row in rows],
        openings=[_opening(row.body) for row in rows],
        matrix=matrix,
        position={(row.collection, row.slug): i for i, row in enumerate(rows)},
    )


class StoredVectors:
    """One app's vectors in memory, kept while the content's generation stays the same."""

    def __init__(self) -> None:
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    def get(self, session: Session) -> Vectors:
        """The stored vectors, read again only when the generation has changed (every time
        while it cannot be read)."""
        current = generation.of(session)
        vectors = self._vectors
        if vectors is None or current is None or vectors.generation != current:
            with self._lock:
                vectors = self._vectors
                if vectors is None or current is None or vectors.generation != current:
                    vectors = load_vectors(session, current)
                    if generation.seen_by(session, current):
                        self._vectors = vectors
        return vectors
