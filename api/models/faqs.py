"""FAQ entries and the tags that group them."""

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry, link_table
from .sources import sources_of

faq_roles = link_table("faq_roles", faq_id="faqs.id", role_id="roles.id")
faq_tags = link_table("faq_tags", faq_id="faqs.id", tag_id="tags.id")


class Tag(Entry, Base):
    __tablename__ = "tags"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)

    faqs = relationship("Faq", secondary=faq_tags, back_populates="tags", order_by="Faq.slug")
    sources = sources_of("Tag", "tags")


class Faq(Entry, Base):
    __tablename__ = "faqs"

    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    # Other ways people ask the question, in their words: a JSON array of strings.
    examples: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")

    roles = relationship("Role", secondary=faq_roles, back_populates="faqs", order_by="Role.slug")
    tags = relationship("Tag", secondary=faq_tags, back_populates="faqs", order_by="Tag.slug")
    sources = sources_of("Faq", "faqs")
