"""passages: every entry split into citable passages, with each database's full-text index

Revision ID: 0012
Revises: 0011

Derived data (api/services/passages.py): `flask reindex` fills the table for a database that
has content. The full-text index follows 0003: an external-content FTS5 table fed by triggers
on SQLite (porter stemming; rewritten only when the indexed text changes), a weighted,
generated tsvector kept in the row (as 0005 does) with a GIN index on PostgreSQL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = "title, search_text"
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE search_fts_passages USING fts5({COLUMNS}, content='passages', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN "
    f"INSERT INTO search_fts_passages(rowid, {COLUMNS}) "
    "VALUES (new.id, new.title, new.search_text); END",
    "CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN "
    f"INSERT INTO search_fts_passages(search_fts_passages, rowid, {COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.search_text); END",
    "CREATE TRIGGER passages_au AFTER UPDATE OF title, search_text ON passages BEGIN "
    f"INSERT INTO search_fts_passages(search_fts_passages, rowid, {COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.search_text); "
    f"INSERT INTO search_fts_passages(rowid, {COLUMNS}) "
    "VALUES (new.id, new.title, new.search_text); END",
]
POSTGRESQL_FTS = [
    "ALTER TABLE passages ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', search_text), 'B')) STORED",
    "ALTER TABLE passages ALTER COLUMN tsv SET STORAGE MAIN",
    "CREATE INDEX search_fts_passages_tsv ON passages USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("anchor", sa.String(length=80), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(length=80), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passages")),
        sa.UniqueConstraint("collection", "slug", "anchor", name=op.f("uq_passages_collection")),
    )
    op.create_index("ix_passages_entry", "passages", ["collection", "slug"])
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts_passages")
    op.drop_index("ix_passages_entry", table_name="passages")
    op.drop_table("passages")
