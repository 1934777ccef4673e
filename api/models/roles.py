"""Roles: the people who build and run software, with the comparison-matrix attributes."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry, link_table
from .sources import sources_of

role_responsibilities = link_table(
    "role_responsibilities", role_id="roles.id", responsibility_id="responsibilities.id"
)
role_tools = link_table("role_tools", role_id="roles.id", tool_id="tools.id")
role_metrics = link_table("role_metrics", role_id="roles.id", metric_id="metrics.id")
sub_discipline_roles = link_table(
    "sub_discipline_roles", sub_discipline_id="sub_disciplines.id", role_id="roles.id"
)


class Role(Entry, Base):
    __tablename__ = "roles"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    short_name: Mapped[str | None] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)
    focus: Mapped[str | None] = mapped_column(Text)
    # The comparison matrix: one column per attribute the articles compare.
    output: Mapped[str | None] = mapped_column(Text)
    philosophy: Mapped[str | None] = mapped_column(Text)
    pain_points: Mapped[str | None] = mapped_column(Text)
    key_metric: Mapped[str | None] = mapped_column(Text)
    core_tooling: Mapped[str | None] = mapped_column(Text)
    daily_activity: Mapped[str | None] = mapped_column(Text)
    scale_focus: Mapped[str | None] = mapped_column(Text)
    automation: Mapped[str | None] = mapped_column(Text)

    responsibilities = relationship(
        "Responsibility",
        secondary=role_responsibilities,
        back_populates="roles",
        order_by="Responsibility.slug",
    )
    tools = relationship("Tool", secondary=role_tools, back_populates="roles", order_by="Tool.slug")
    metrics = relationship(
        "Metric", secondary=role_metrics, back_populates="roles", order_by="Metric.slug"
    )
    sub_disciplines = relationship(
        "SubDiscipline",
        secondary=sub_discipline_roles,
        back_populates="roles",
        order_by="SubDiscipline.slug",
    )
    faqs = relationship("Faq", secondary="faq_roles", back_populates="roles", order_by="Faq.slug")
    sources = sources_of("Role", "roles")
