"""Passages in memory: every passage of one content generation, with its vector.

Retrieval (api/services/retrieval.py) reads passages from here rather than from the database:
the records it shows, the vectors it multiplies, and each entry's meaning (the normalised sum
of its passages' vectors). One Index per database, read again when the content's generation
(api/generation.py) changes: a write, or a reindex that made new search documents. Then only
the passages whose ETag or vector changed are read again (`reload`: one query of ids, ETags
and digests, then those rows), the rest kept with their stems and vectors; all are read when
more than a quarter changed. Words-only installs (no vectors stored) never import numpy.
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

    @property
    def entry(self) -> tuple[str, str]:
        """The entry the passage is part of: (collection, slug)."""
        return self.collection, self.slug


class Index:
    """Every passage of one content generation, with its vector when there is one.

    Built from `previous` (the index of an earlier generation), the passages it still holds
    unchanged (the same Passage objects) keep what was worked out for them there: only the
    passages a write changed are read and analysed again (`reload`).
    """

    def __init__(
        self,
        generation: Any,
        passages: list[Passage],
        vectors: list[bytes | None],
        digests: list[str | None],
        previous: "Index | None" = None,
    ):
        self.generation = generation
        self.passages = passages
        self.digests = digests  # each stored vector's digest: with the ETag, what changes
        self.by_row = {p.row: i for i, p in enumerate(passages)}
        kept = _kept(passages, previous)  # {i: its position in previous}, same object
        # Each passage's stems and its entry title's, and in how many passages each stem is
        # found (retrieval leaves words most passages have out of the full-text query).
        self._stems: list[frozenset[str]] = []
        self._title_stems: list[frozenset[str]] = []
        titles: dict[str, frozenset[str]] = {}
        change: Counter[str] = Counter()  # each stem's count, less previous's
        for i, p in enumerate(passages):
            if i in kept:
                self._stems.append(previous._stems[kept[i]])
                self._title_stems.append(previous._title_stems[kept[i]])
                continue
            stems = frozenset(w[:STEM] for w in WORD.findall(f"{p.title} {p.search_text}".lower()))
            change.update(stems)
            self._stems.append(stems)
            title = _entry_title(p)
            found = titles.get(title)
            if found is None:
                found = titles[title] = frozenset(w[:STEM] for w in WORD.findall(title.lower()))
            self._title_stems.append(found)
        if previous is not None:
            for j in set(range(len(previous.passages))) - set(kept.values()):
                change.subtract(previous._stems[j])
        self.frequency: dict[str, int] = dict(previous.frequency) if previous else {}
        # A word shorter than a stem also stands for its longer forms ("node", "nodes"): the
        # passages of every stem it begins (an upper bound when a passage has two of them).
        self._shorter: dict[str, int] = dict(previous._shorter) if previous else {}
        for stem, count in change.items():
            _add(self.frequency, stem, count)
            for end in range(1, min(len(stem), STEM)):
                _add(self._shorter, stem[:end], count)
        self._allowed: dict[tuple, Any] = {}
        self.matrix = None
        self.has_vector = None
        present = [i for i, vector in enumerate(vectors) if vector is not None and i not in kept]
        earlier = previous is not None and previous.matrix is not None and bool(kept)
        if (present or earlier) and importlib.util.find_spec("numpy"):
            # Without numpy (a words-only install serving a database another install
            # embedded), the vectors are left unread and ranking is by words.
            import numpy as np

            width = len(vectors[present[0]]) // 4 if present else previous.matrix.shape[1]
            self.matrix = np.zeros((len(passages), width), dtype=np.float32)
            self.has_vector = np.zeros(len(passages), dtype=bool)
            if earlier:
                here = np.fromiter(kept, dtype=np.int64, count=len(kept))
                there = np.fromiter(kept.values(), dtype=np.int64, count=len(kept))
                self.matrix[here] = previous.matrix[there]
                self.has_vector[here] = previous.has_vector[there]
            if present:
                joined = b"".join(vectors[i] for i in present)
                self.matrix[present] = np.frombuffer(joined, dtype="<f4").reshape(-1, width)
                self.has_vector[present] = True
            # Each entry's meaning: the normalised sum of its passages' vectors.
            keys = [p.entry for p in passages]
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


def _kept(passages: list[Passage], previous: Index | None) -> dict[int, int]:
    if previous is None:
        return {}
    found = {}
    for i, p in enumerate(passages):
        j = previous.by_row.get(p.row)
        if j is not None and previous.passages[j] is p:
            found[i] = j
    return found


def _add(counts: dict[str, int], key: str, count: int) -> None:
    total = counts.get(key, 0) + count
    if total:
        counts[key] = total
    else:
        counts.pop(key, None)


def _read(session: Session, where=None) -> list:
    """Passages as plain rows (JSON left as text until a passage is shown), by id."""
    table = PassageRow.__table__
    columns = [table.c[name] for name in COLUMNS]
    json_text = [cast(table.c.sources, Text), cast(table.c.metadata, Text)]
    query = select(*columns, *json_text, table.c.embedding, table.c.embedding_digest)
    if where is not None:
        query = query.where(where)
    return session.execute(query.order_by(table.c.id)).all()


def load_index(session: Session, generation: Any) -> Index:
    """Every passage."""
    rows = _read(session)
    return Index(
        generation, [Passage(*row[:-2]) for row in rows], [row[-2] for row in rows],
        [row[-1] for row in rows],
    )  # fmt: skip


def reload(session: Session, previous: Index, generation: Any) -> Index | None:
    """`previous` with only the passages written since read again: those whose ETag or
    vector's digest changed (a write rewrites the passages of every entry whose representation
    it changed, not only the entry written), the new ones, less the deleted. None when more
    than a quarter changed: reading all is then as quick."""
    table = PassageRow.__table__
    stored = session.execute(select(table.c.id, table.c.etag, table.c.embedding_digest)).all()
    known = {p.row: (p.etag, previous.digests[i]) for i, p in enumerate(previous.passages)}
    changed = [row for row, etag, digest in stored if known.get(row) != (etag, digest)]
    if len(changed) > len(stored) // 4:
        return None
    fresh, reread = {}, set(changed)  # a row reread but not found was deleted meanwhile
    for start in range(0, len(changed), 500):
        for row in _read(session, table.c.id.in_(changed[start : start + 500])):
            fresh[row[0]] = row
    passages, vectors, digests = [], [], []
    for row, _, digest in sorted(stored):
        if row in fresh:
            passages.append(Passage(*fresh[row][:-2]))
            vectors.append(fresh[row][-2])
            digests.append(fresh[row][-1])
        elif row not in reread:
            passages.append(previous.passages[previous.by_row[row]])
            vectors.append(None)  # kept from previous
            digests.append(digest)
    return Index(generation, passages, vectors, digests, previous)


COLUMNS = (
    "id", "collection", "slug", "anchor", "field", "title", "text", "search_text", "roles",
    "version", "etag",
)  # fmt: skip


_INDEXES: dict[Any, Index] = {}
_LOCK = threading.Lock()
# Called with each index kept for a content generation, before any request uses it:
# api/services/phrasings.py (warm) embeds the FAQs' phrasings there.
ON_BUILT: list = []


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
                if found is not None and current is not None:  # only what changed since
                    found = reload(session, found, current)
                found = found or load_index(session, current)
                if generation.seen_by(session, current):
                    for hook in ON_BUILT:
                        hook(found)
                    _INDEXES[key] = found
    return found
