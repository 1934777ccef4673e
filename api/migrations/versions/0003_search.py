"""search index: documents, terms, and each database's full-text index

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    # collection, slug and roles are read from search_documents (UNINDEXED), so that a query
    # needs no join and FTS5 can rank and cut to the page before computing snippets.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, collection UNINDEXED, "
    "slug UNINDEXED, roles UNINDEXED, content='search_documents', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, body, collection, slug, roles) "
    "VALUES (new.id, new.title, new.body, new.collection, new.slug, new.roles); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, collection, slug, roles) "
    "VALUES ('delete', old.id, old.title, old.body, old.collection, old.slug, old.roles); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body, collection, slug, roles) "
    "VALUES ('delete', old.id, old.title, old.body, old.collection, old.slug, old.roles); "
    "INSERT INTO search_fts(rowid, title, body, collection, slug, roles) "
    "VALUES (new.id, new.title, new.body, new.collection, new.slug, new.roles); END",
]
POSTGRESQL_FTS = [
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B')) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=10000), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("collection", "slug", name=op.f("uq_search_documents_collection")),
    )
    op.create_index("ix_search_documents_facets", "search_documents", ["id", "collection", "roles"])
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_terms")),
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRESQL_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_terms")
    op.drop_table("search_documents")
