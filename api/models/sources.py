"""Provenance: the sources each entry cites, with the section and the fields each one backs.

One table holds every collection's sources: `collection` says whose they are (single-table
inheritance, one subclass per collection) and `entry_id` which entry. There is no foreign key
on `entry_id` (it points into eleven tables); the rows are owned by their entry, written and
deleted with it through the relationship, as stages are with their workflow.
"""

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base


class Source(Base):
    """One source of an entry: a resource, the section of it, and the fields it backs."""

    __tablename__ = "entry_sources"
    __table_args__ = (Index("ix_entry_sources_entry", "collection", "entry_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(40))
    entry_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    # A cited resource cannot be deleted (the API answers 409 first; this is the backstop).
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="RESTRICT"), index=True
    )
    section: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    # Field names (or "field:slug" for one link of a relation); empty: the whole entry.
    field_names: Mapped[list[str]] = mapped_column("fields", JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)

    resource = relationship("Resource")

    __mapper_args__ = {"polymorphic_on": "collection"}


def sources_of(owner: str, collection: str):
    """The `sources` relationship of an entry model (its class name and collection name)."""
    holder = type(
        f"{owner}Source",
        (Source,),
        {"__mapper_args__": {"polymorphic_identity": collection}},
    )
    return relationship(
        holder,
        primaryjoin=f"{owner}.id == foreign({holder.__name__}.entry_id)",
        order_by=holder.position,
        cascade="all, delete-orphan",
    )
