"""search: keep each document's tsvector in its row (PostgreSQL)

Revision ID: 0005
Revises: 0004

Ranking reads the tsvector of every match. Stored as it was (EXTENDED), a document's tsvector
and body together pass PostgreSQL's 2 kB limit, and the tsvector (the larger) was compressed or
moved out of the row: every match then cost a TOAST fetch and a decompression, more than the
ranking itself. MAIN keeps it in the row: the body (read for the page's headlines only) is
compressed or moved out first, the tsvector is compressed only if the row is still too long,
and moved out only if it cannot fit in a page. Existing rows are rewritten so that they take
the new layout. Nothing to do on SQLite.
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE MAIN")
    # An update writes new row versions, laid out with the new storage (tsv is recomputed).
    op.execute("UPDATE search_documents SET title = title")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE search_documents ALTER COLUMN tsv SET STORAGE EXTENDED")
