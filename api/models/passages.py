"""Passages: every entry split into the parts a question can be answered by (derived data).

One row per passage: an FAQ answer, one cell of a role's comparison matrix, a stage of a
workflow, a slot of a day, a paragraph of a topic... (api/services/passages.py splits). Rows
are rewritten in the transaction that writes their entry, with the entry's version, the ETag
of its representation and the sources that back the passage, so a citation needs no other read.

The full-text index is the database's own, created by migration 0012 and not mapped here: an
FTS5 table `search_fts_passages` (title, search_text) on SQLite, a weighted `tsv` column with a
GIN index on PostgreSQL. With SEMANTIC_SEARCH on, `embedding` holds the meaning of
`search_text` (unit-length float32), `embedding_digest` what it was computed from.
"""

from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import SLUG_LENGTH, Base


class Passage(Base):
    __tablename__ = "passages"
    __table_args__ = (
        UniqueConstraint("collection", "slug", "anchor"),
        Index("ix_passages_entry", "collection", "slug"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(40))
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    # The URL fragment naming the passage: a field ("pain_points"), or a field and a position
    # counted from 1 ("stages-2").
    anchor: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)  # order within the entry
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)  # what is shown
    search_text: Mapped[str] = mapped_column(Text)  # what is indexed and embedded
    roles: Mapped[str] = mapped_column(Text)  # space-padded role slugs, for the `role` filter
    version: Mapped[int] = mapped_column(Integer)
    etag: Mapped[str] = mapped_column(String(80))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    details: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    embedding_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
