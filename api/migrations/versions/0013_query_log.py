"""query_log: what users asked of search, answers and passages

Revision ID: 0013
Revises: 0012

Model in api/models/analytics.py (QueryLog). Not content: no revision, no search document,
and the content's generation (api/generation.py) does not read it. Votes on answers have
their own migration, 0014.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "query_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("passage_id", sa.String(length=200), nullable=True),
        sa.Column("entry_url", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_log")),
    )
    op.create_index("ix_query_log_asked_at", "query_log", ["asked_at"])
    op.create_index("ix_query_log_status_asked_at", "query_log", ["status", "asked_at"])


def downgrade() -> None:
    op.drop_table("query_log")
