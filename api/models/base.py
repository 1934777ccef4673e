"""Declarative base and the columns every published entry carries."""

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from schemas.constants import NAME_MAX_LENGTH, SLUG_MAX_LENGTH

# Column sizes are the lengths the schemas accept.
SLUG_LENGTH = SLUG_MAX_LENGTH
NAME_LENGTH = NAME_MAX_LENGTH

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def _created_at(context) -> datetime:
    """A new row's updated_at equals its created_at exactly."""
    return context.get_current_parameters()["created_at"]


class UTCDateTime(TypeDecorator):
    """A timestamp that always comes back timezone-aware in UTC.

    SQLite stores datetimes without an offset; without this the same row would serialize
    differently on SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Entry:
    """Columns shared by every addressable resource: a slug, a version, timestamps.

    `version` is SQLAlchemy's version counter: every UPDATE and DELETE of an entry carries
    `WHERE version = <the version read>`, so a concurrent change makes it fail (StaleDataError)
    instead of being overwritten. The services set the next version themselves.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_created_at)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


def link_table(name: str, **columns: str) -> Table:
    """Build a many-to-many table: `link_table("role_tools", role_id="roles.id", ...)`."""
    return Table(
        name,
        Base.metadata,
        *(
            Column(column, ForeignKey(target, ondelete="CASCADE"), primary_key=True)
            for column, target in columns.items()
        ),
    )
