"""The search index: one document per entry, kept in sync in the writing transaction.

The full-text machinery is the database's own, created by migration 0003: on SQLite an FTS5
table (porter stemming) fed by triggers on search_documents; on PostgreSQL a generated,
weighted tsvector column with a GIN index. Neither is mapped here.
"""

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
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
