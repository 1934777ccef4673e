"""Passages in memory: every passage of one content generation, with its vector.

Retrieval (api/services/retrieval.py) reads passages from here rather than from the database:
the records it shows, the vectors it multiplies, and each entry's meaning (the normalised sum
of its passages' vectors). One Index per database, read again when the content's generation
(api/generation.py) changes: a write, or a reindex that made new search documents. Words-only
installs (no vectors stored) never import numpy.
"""

import importlib.util
import json
import threading
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from .. import generation
from ..models import Passage as PassageRow
from ..urls import entry_url
from .analysis import WORD

STEM = 5  # words are compared on their first five letters ("deploying" meets "deployment")


@dataclass(eq=False)
class Passage:
    """One stored passage, as a retriever shows it (its JSON parsed when first read)."""

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
    sources_json: Any
    details_json: Any

    @cached_property
    def sources(self) -> list[dict[str, Any]]:
        raw = self.sources_json
        return json.loads(raw) if isinstance(raw, str) else raw

    @cached_property
    def details(self) -> dict[str, Any]:
        raw = self.details_json
        return json.loads(raw) if isinstance(raw, str) else raw

    @property
    def id(self) -> str:
        return f"{self.collection}/{self.slug}#{self.anchor}"

    @property
    def url(self) -> str:
        return entry_url(self.collection, self.slug, self.anchor)


class Index:
    """Every passage of one content generation, with its vector when there is one."""

    def __init__(self, generation: Any, passages: list[Passage], vectors: list[bytes | None]):
        self.generation = generation
        self.passages = passages
        self.by_row = {p.row: i for i, p in enumerate(passages)}
        # Each passage's stems and its entry title's, and in how many passages each stem is
        # found (retrieval leaves words most passages have out of the full-text query).
        self._stems: list[frozenset[str]] = []
        self._title_stems: list[frozenset[str]] = []
        titles: dict[str, frozenset[str]] = {}
        frequency: Counter[str] = Counter()
        for p in passages:
            stems = frozenset(w[:STEM] for w in WORD.findall(f"{p.title} {p.search_text}".lower()))
            frequency.update(stems)
            self._stems.append(stems)
            title = _entry_title(p)
            found = titles.get(title)
            if found is None:
                found = titles[title] = frozenset(w[:STEM] for w in WORD.findall(title.lower()))
            self._title_stems.append(found)
        self.frequency: dict[str, int] = dict(frequency)
        # A word shorter than a stem also stands for its longer forms ("node", "nodes"): the
        # passages of every stem it begins (an upper bound when a passage has two of them).
        self._shorter: dict[str, int] = {}
        for stem, count in frequency.items():
            for end in range(1, min(len(stem), STEM)):
                self._shorter[stem[:end]] = self._shorter.get(stem[:end], 0) + count
        self._allowed: dict[tuple, Any] = {}
        self.matrix = None
        self.has_vector = None
        if any(v is not None for v in vectors) and importlib.util.find_spec("numpy"):
            # Without numpy (a words-only install serving a database another install
            # embedded), the vectors are left unread and ranking is by words.
            import numpy as np

            present = [i for i, vector in enumerate(vectors) if vector is not None]
            width = len(vectors[present[0]]) // 4
            self.matrix = np.zeros((len(vectors), width), dtype=np.float32)
            self.has_vector = np.zeros(len(vectors), dtype=bool)
            joined = b"".join(vectors[i] for i in present)
            self.matrix[present] = np.frombuffer(joined, dtype="<f4").reshape(-1, width)
            self.has_vector[present] = True
            # Each entry's meaning: the normalised sum of its passages' vectors.
            keys = [(p.collection, p.slug) for p in passages]
            entries = {key: n for n, key in enumerate(dict.fromkeys(keys))}
            self.entry_of = np.array([entries[key] for key in keys], dtype=np.int64)
            order = np.argsort(self.entry_of, kind="stable")
            starts = np.flatnonzero(np.r_[True, np.diff(self.entry_of[order]) != 0])
            sums = np.add.reduceat(self.matrix[order], starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self.entries = sums / np.where(norms > 0, norms, 1)

    def stems(self, i: int) -> frozenset[str]:
        """The stems (first five letters) of the passage's words, title and searched text."""
        return self._stems[i]

    def title_stems(self, i: int) -> frozenset[str]:
        """The stems of the words of the passage's entry's title."""
        return self._title_stems[i]

    def allowed(self, collections, role):
        """A boolean array: the passages in those collections (all when None) whose entries
        name the role (any when None), kept for the next question that asks the same."""
        import numpy as np

        key = (tuple(sorted(collections or ())), role)
        found = self._allowed.get(key)
        if found is None:
            found = np.array(
                [
                    (not collections or p.collection in collections)
                    and (not role or f" {role} " in p.roles)
                    for p in self.passages
                ]
            )
            if len(self._allowed) < 256:
                self._allowed[key] = found
        return found

    def passages_with(self, stem: str) -> int:
        """How many passages have a word of this stem (or, shorter than a stem, a word that
        begins with it)."""
        found = self.frequency.get(stem, 0)
        return found + self._shorter.get(stem, 0) if len(stem) < STEM else found


def _entry_title(p: Passage) -> str:
    """The passage's entry's title, read from its details without parsing all of them."""
    raw = p.details_json
    if isinstance(raw, str):
        if '"entry_title"' not in raw:
            return ""
        return str(json.loads(raw).get("entry_title", ""))
    return str((raw or {}).get("entry_title", ""))


def load_index(session: Session, generation: Any) -> Index:
    """Every passage, read as plain rows (JSON left as text until a passage is shown)."""
    table = PassageRow.__table__
    columns = [table.c[name] for name in COLUMNS]
    json_text = [cast(table.c.sources, Text), cast(table.c.metadata, Text), table.c.embedding]
    rows = session.execute(select(*columns, *json_text).order_by(table.c.id)).all()
    return Index(generation, [Passage(*row[:-1]) for row in rows], [row[-1] for row in rows])


COLUMNS = (
    "id", "collection", "slug", "anchor", "field", "title", "text", "search_text", "roles",
    "version", "etag",
)  # fmt: skip


_INDEXES: dict[Any, Index] = {}
_LOCK = threading.Lock()


def index(session: Session) -> Index:
    """This database's passages as of the content's generation, read again when it changes
    (every time while it cannot be read)."""
    key = session.get_bind().url.render_as_string(hide_password=False)
    current = generation.of(session)
    found = _INDEXES.get(key)
    if current is None or found is None or found.generation != current:
        with _LOCK:
            found = _INDEXES.get(key)
            if current is None or found is None or found.generation != current:
                found = load_index(session, current)
                if generation.seen_by(session, current):
                    _INDEXES[key] = found
    return found
