"""answer_feedback: votes on answers, one per (answer, client)

Revision ID: 0014
Revises: 0013

Model in api/models/analytics.py (AnswerFeedback). Not content: votes have a generation of
their own (api/feedback_generation.py) and never change the content's.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_key", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("question", sa.String(length=2000), nullable=False),
        sa.Column("passage_id", sa.String(length=200), nullable=True),
        sa.Column("collection", sa.String(length=40), nullable=True),
        sa.Column("slug", sa.String(length=80), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint("answer_key", "client", name=op.f("uq_answer_feedback_answer_key")),
    )
    op.create_index("ix_answer_feedback_entry", "answer_feedback", ["collection", "slug"])
    op.create_index("ix_answer_feedback_passage_id", "answer_feedback", ["passage_id"])
    op.create_index("ix_answer_feedback_created_at", "answer_feedback", ["created_at"])
    op.create_index("ix_answer_feedback_updated_at", "answer_feedback", ["updated_at"])


def downgrade() -> None:
    op.drop_table("answer_feedback")
