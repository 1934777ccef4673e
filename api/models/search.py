"""The search index: one document per entry, kept in sync in the writing transaction.

The full-text machinery is the database's own, created by migration 0003: on SQLite an FTS5
table (porter stemming) fed by triggers on search_documents; on PostgreSQL a generated,
weighted tsvector column with a GIN index. Neither is mapped here.

With SEMANTIC_SEARCH on, each document also has an embedding (api/services/semantic.py).
"""

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import NAME_LENGTH, SLUG_LENGTH, Base


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("collection", "slug"),
        # Covers facet counts: per-type totals read no document bodies.
        Index("ix_search_documents_facets", "id", "collection", "roles"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH * 50))
    body: Mapped[str] = mapped_column(Text)
    # Space-padded role slugs (" developer devops-engineer "), for the `role` filter.
    roles: Mapped[str] = mapped_column(Text)


class SearchTerm(Base):
    """Every word of the index, for typo correction and prefix suggestions."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(String(60), primary_key=True)


class SearchEmbedding(Base):
    """A search document's meaning, for semantic re-ranking (SEMANTIC_SEARCH; empty when off).

    Written in the same transaction as its document, and deleted with it. `digest` (SHA-256 of
    the text embedded) and `model` say whether the vector is still the right one.
    """

    __tablename__ = "search_embeddings"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("search_documents.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64))
    # Unit-length float32 values, little-endian: 384 of them (1,536 bytes) for all-MiniLM-L6-v2.
    vector: Mapped[bytes] = mapped_column(LargeBinary)
