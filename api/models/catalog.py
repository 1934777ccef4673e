"""Responsibilities, tools, metrics and sub-disciplines: what each role does and uses."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry
from .roles import role_metrics, role_responsibilities, role_tools, sub_discipline_roles
from .sources import sources_of


class Responsibility(Entry, Base):
    __tablename__ = "responsibilities"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)

    roles = relationship(
        "Role",
        secondary=role_responsibilities,
        back_populates="responsibilities",
        order_by="Role.slug",
    )
    sources = sources_of("Responsibility", "responsibilities")


class Tool(Entry, Base):
    __tablename__ = "tools"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    category: Mapped[str] = mapped_column(String(40), index=True)
    summary: Mapped[str] = mapped_column(Text)

    roles = relationship("Role", secondary=role_tools, back_populates="tools", order_by="Role.slug")
    sources = sources_of("Tool", "tools")


class Metric(Entry, Base):
    __tablename__ = "metrics"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    abbreviation: Mapped[str | None] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)

    roles = relationship(
        "Role", secondary=role_metrics, back_populates="metrics", order_by="Role.slug"
    )
    sources = sources_of("Metric", "metrics")


class SubDiscipline(Entry, Base):
    __tablename__ = "sub_disciplines"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    short_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)
    focus: Mapped[str] = mapped_column(Text)
    question: Mapped[str | None] = mapped_column(Text)

    roles = relationship(
        "Role",
        secondary=sub_discipline_roles,
        back_populates="sub_disciplines",
        order_by="Role.slug",
    )
    sources = sources_of("SubDiscipline", "sub-disciplines")
