"""The schema comes from Alembic migrations, and they agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from api.extensions import db
from api.models import Base


def database_full_text_index(obj, name, type_, reflected, compare_to) -> bool:
    """Migration 0003 adds each database's own full-text index, which no model maps."""
    internal = name is not None and (
        name.startswith("search_fts") or name in ("tsv", "ix_search_documents_tsv")
    )
    return not (reflected and compare_to is None and internal)


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        options = {"compare_type": True, "include_object": database_full_text_index}
        context = MigrationContext.configure(connection, opts=options)
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory

    from api.migrate import MIGRATIONS, alembic_config

    with app.app_context(), db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
    assert current == head
    assert MIGRATIONS.is_dir()
