"""Search documents' vectors in the database: written with the documents, read one by one.

Every search document a writer session adds or changes (seed, reindex, create, update,
restore) is embedded just before that transaction commits, in batches: title and body as one
unit-length float32 vector (api/services/encoder.py), stored in search_embeddings with the
model's name and a digest of the text, so that unchanged text is not embedded again. A vector
goes with its document (ON DELETE CASCADE). With SEMANTIC_SEARCH off nothing is computed and
the table stays empty; after turning it on for a database that has content, run
`flask reindex` once.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from ..models.search import SearchDocument, SearchEmbedding
from .encoder import ENCODER, MODEL, Encoder, digest, document_text, from_bytes, to_bytes

PENDING = "semantic_pending"  # Session.info key: ids of documents written in this transaction


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


def embed_on_commit(writer: sessionmaker) -> None:
    """Writer sessions embed the documents they wrote, just before committing."""
    event.listen(writer, "after_flush", _note_written_documents)
    event.listen(writer, "before_commit", _embed_written_documents)
    event.listen(writer, "after_rollback", _forget_written_documents)


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
