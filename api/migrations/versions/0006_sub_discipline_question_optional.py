"""sub-disciplines: `question` may be null

Revision ID: 0006
Revises: 0005

The question field holds a sub-discipline's question in the sources' own words ("How do we
deploy?"). The articles give none for Platform Engineering, so it must be able to say so
rather than hold one the editors wrote.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sub_disciplines") as batch:
        batch.alter_column("question", existing_type=sa.Text(), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE sub_disciplines SET question = '' WHERE question IS NULL")
    with op.batch_alter_table("sub_disciplines") as batch:
        batch.alter_column("question", existing_type=sa.Text(), nullable=False)
