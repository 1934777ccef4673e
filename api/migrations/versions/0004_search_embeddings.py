"""search embeddings: one vector per search document, for optional semantic re-ranking

Revision ID: 0004
Revises: 0003

Plain bytes on both databases (no pgvector): vectors are compared in the application.
The table stays empty unless SEMANTIC_SEARCH is on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_embeddings",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["search_documents.id"],
            name=op.f("fk_search_embeddings_document_id_search_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_search_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("search_embeddings")
