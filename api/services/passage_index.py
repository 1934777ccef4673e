"""Passages in memory: every passage of one content generation, with its vector.

Retrieval (api/services/retrieval.py) reads passages from here rather than from the database:
the records it shows, the vectors it multiplies, and each entry's meaning (the normalised sum
of its passages' vectors). One Index per database, read again when the content's generation
(api/generation.py) changes: a write, or a reindex that made new search documents. Words-only
installs (no vectors stored) never import numpy.
"""

import threading
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Passage as PassageRow
from .search import WORD

STEM = 5  # words are compared on their first five letters ("deploying" meets "deployment")


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


class Index:
    """Every passage of one content generation, with its vector when there is one."""

    def __init__(self, generation: Any, passages: list[Passage], vectors: list[bytes | None]):
        self.generation = generation
        self.passages = passages
        self.by_row = {p.row: i for i, p in enumerate(passages)}
        self._stems: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
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
            # Each entry's meaning: the normalised sum of its passages' vectors.
            keys = [(p.collection, p.slug) for p in passages]
            entries = {key: n for n, key in enumerate(dict.fromkeys(keys))}
            self.entry_of = np.array([entries[key] for key in keys], dtype=np.int64)
            sums = np.zeros((len(entries), width), dtype=np.float32)
            np.add.at(sums, self.entry_of, self.matrix)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self.entries = sums / np.where(norms > 0, norms, 1)

    def stems(self, i: int) -> tuple[frozenset[str], frozenset[str]]:
        """The stems of the passage's words, and of its entry's title's words."""
        found = self._stems.get(i)
        if found is None:
            p = self.passages[i]
            words = WORD.findall(f"{p.title} {p.search_text}".lower())
            title = WORD.findall(str(p.details.get("entry_title", "")).lower())
            found = self._stems[i] = (
                frozenset(w[:STEM] for w in words),
                frozenset(w[:STEM] for w in title),
            )
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
