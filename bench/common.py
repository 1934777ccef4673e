"""What the search benches share: an empty database to load, and percentiles."""

import tempfile

from sqlalchemy import text

from api.extensions import make_engine


def empty_database(kind: str, name: str, postgresql: str) -> str:
    """The URL of an empty database: a new SQLite file, or the schema `name` made anew in
    the PostgreSQL database `postgresql`."""
    if kind == "sqlite":
        return f"sqlite:///{tempfile.mkdtemp()}/{name}.db"
    engine = make_engine(postgresql)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {name}"))
    engine.dispose()
    return f"{postgresql}?options=-csearch_path%3D{name}"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * share) - 1)]
