"""A day in the life of a role: timed activities."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry, link_table
from .sources import sources_of

# What a timed activity involves: the tools used, the responsibility exercised, the metric.
schedule_entry_tools = link_table(
    "schedule_entry_tools", entry_id="schedule_entries.id", tool_id="tools.id"
)
schedule_entry_responsibilities = link_table(
    "schedule_entry_responsibilities",
    entry_id="schedule_entries.id",
    responsibility_id="responsibilities.id",
)
schedule_entry_metrics = link_table(
    "schedule_entry_metrics", entry_id="schedule_entries.id", metric_id="metrics.id"
)


class Schedule(Entry, Base):
    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    summary: Mapped[str] = mapped_column(Text)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))

    role = relationship("Role")
    entries = relationship(
        "ScheduleEntry", order_by="ScheduleEntry.position", cascade="all, delete-orphan"
    )
    sources = sources_of("Schedule", "schedules")


class ScheduleEntry(Base):
    """One timed activity of a schedule; it exists only inside its schedule."""

    __tablename__ = "schedule_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    time: Mapped[str] = mapped_column(String(5))
    activity: Mapped[str] = mapped_column(Text)

    tools = relationship("Tool", secondary=schedule_entry_tools, order_by="Tool.slug")
    responsibilities = relationship(
        "Responsibility",
        secondary=schedule_entry_responsibilities,
        order_by="Responsibility.slug",
    )
    metrics = relationship("Metric", secondary=schedule_entry_metrics, order_by="Metric.slug")
