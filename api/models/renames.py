"""Renamed slugs: the slug an entry had, and the one it has now.

Slugs are public URLs. When one has to change (the migration that renames it records it
here), the old URL and its sub-URLs keep answering, with a redirect to the new ones.
"""

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import SLUG_LENGTH, Base


class SlugRename(Base):
    __tablename__ = "slug_renames"
    __table_args__ = (UniqueConstraint("collection", "old_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    collection: Mapped[str] = mapped_column(String(40))
    old_slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
    new_slug: Mapped[str] = mapped_column(String(SLUG_LENGTH))
