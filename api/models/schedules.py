"""A day in the life of a role: timed activities."""

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import NAME_LENGTH, Base, Entry
from .sources import sources_of


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
