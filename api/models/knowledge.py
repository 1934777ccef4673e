"""Practices (the CALMS pillars), topics (history, case studies, guidance) and resources."""

from datetime import date

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import NAME_LENGTH, Base, Entry
from .sources import sources_of


class Practice(Entry, Base):
    __tablename__ = "practices"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    framework: Mapped[str] = mapped_column(String(40), index=True)
    position: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    sources = sources_of("Practice", "practices")


class Topic(Entry, Base):
    __tablename__ = "topics"

    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
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
