"""entry sources: what each entry's facts come from

Revision ID: 0008
Revises: 0007

Every entry (resources aside: they are the sources) cites resources: the two articles, a
recommended resource, or the editors. One row per source, in order, with the section of the
resource and the entry's fields it backs. One table for every collection: `collection` says
whose row it is, `entry_id` which entry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "entry_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=200), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_entry_sources_resource_id_resources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_sources")),
    )
    op.create_index("ix_entry_sources_entry", "entry_sources", ["collection", "entry_id"])
    op.create_index(
        op.f("ix_entry_sources_resource_id"), "entry_sources", ["resource_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_entry_sources_resource_id"), table_name="entry_sources")
    op.drop_index("ix_entry_sources_entry", table_name="entry_sources")
    op.drop_table("entry_sources")
