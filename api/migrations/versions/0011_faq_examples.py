"""faq examples: other ways people ask each question

Revision ID: 0011
Revises: 0010

A JSON array of strings on each FAQ entry (empty for the entries that exist: `seed --force`
or the API gives them theirs).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("faqs") as batch:
        batch.add_column(sa.Column("examples", sa.JSON(), server_default="[]", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("faqs") as batch:
        batch.drop_column("examples")
