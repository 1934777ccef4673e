"""Practices (the CALMS pillars), topics (history, case studies, guidance) and resources."""

from datetime import date

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry, link_table
from .sources import sources_of

practice_metrics = link_table(
    "practice_metrics", practice_id="practices.id", metric_id="metrics.id"
)
topic_roles = link_table("topic_roles", topic_id="topics.id", role_id="roles.id")
topic_tags = link_table("topic_tags", topic_id="topics.id", tag_id="tags.id")


class Practice(Entry, Base):
    __tablename__ = "practices"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    framework: Mapped[str] = mapped_column(String(40), index=True)
    position: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)

    # The metrics a pillar names (Measurement: deployment frequency, error rates, ...).
    metrics = relationship("Metric", secondary=practice_metrics, order_by="Metric.slug")
    sources = sources_of("Practice", "practices")


class Topic(Entry, Base):
    __tablename__ = "topics"

    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)

    roles = relationship("Role", secondary=topic_roles, order_by="Role.slug")
    tags = relationship("Tag", secondary=topic_tags, order_by="Tag.slug")
    sources = sources_of("Topic", "topics")


class Resource(Entry, Base):
    __tablename__ = "resources"

    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(500))
    author: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    publisher: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    published_on: Mapped[date | None] = mapped_column(Date)
