"""slug renames: five FAQ slugs that did not match their questions, with redirects

Revision ID: 0010
Revises: 0009

Slugs are public URLs, so a renamed slug keeps answering: `slug_renames` maps the old slug to
the new one and the API redirects (301 for reads, 308 for writes). A database seeded before
has its entries renamed here, with their search documents and revisions (the snapshots too,
so that restoring an old version does not bring the old slug back); a database where the new
slug is already taken is left as it is.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

RENAMES = [
    ("faqs", "what-is-an-error-budget", "what-are-error-budgets-and-slos"),
    ("faqs", "what-does-automation-mean-in-calms", "when-should-a-task-be-automated"),
    (
        "faqs",
        "how-should-startups-handle-dev-and-devops",
        "why-should-startups-balance-dev-and-devops-early",
    ),
    ("faqs", "what-was-the-meta-facebook-case", "how-did-devops-help-facebook"),
    (
        "faqs",
        "how-do-developers-keep-applications-secure",
        "what-security-work-falls-to-developers",
    ),
]

documents = sa.table(
    "search_documents", sa.column("collection", sa.String), sa.column("slug", sa.String)
)
revisions = sa.table(
    "revisions",
    sa.column("id", sa.Integer),
    sa.column("collection", sa.String),
    sa.column("slug", sa.String),
    sa.column("snapshot", sa.JSON),
)


def _rename(collection: str, old: str, new: str) -> None:
    bind = op.get_bind()
    entries = sa.table(collection.replace("-", "_"), sa.column("slug", sa.String))
    taken = bind.execute(sa.select(entries.c.slug).where(entries.c.slug == new)).first()
    history = (revisions.c.collection == collection) & (revisions.c.slug == new)
    if taken or bind.execute(sa.select(revisions.c.id).where(history)).first():
        return
    bind.execute(sa.update(entries).where(entries.c.slug == old).values(slug=new))
    bind.execute(
        sa.update(documents)
        .where((documents.c.collection == collection) & (documents.c.slug == old))
        .values(slug=new)
    )
    old_history = (revisions.c.collection == collection) & (revisions.c.slug == old)
    for row_id, snapshot in bind.execute(
        sa.select(revisions.c.id, revisions.c.snapshot).where(old_history)
    ).all():
        snapshot = {**snapshot, "slug": new} if snapshot.get("slug") == old else snapshot
        bind.execute(
            sa.update(revisions).where(revisions.c.id == row_id).values(slug=new, snapshot=snapshot)
        )


def upgrade() -> None:
    renames = op.create_table(
        "slug_renames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("old_slug", sa.String(length=80), nullable=False),
        sa.Column("new_slug", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slug_renames")),
        sa.UniqueConstraint("collection", "old_slug", name=op.f("uq_slug_renames_collection")),
    )
    op.bulk_insert(
        renames,
        [{"collection": c, "old_slug": old, "new_slug": new} for c, old, new in RENAMES],
    )
    for collection, old, new in RENAMES:
        _rename(collection, old, new)


def downgrade() -> None:
    for collection, old, new in RENAMES:
        _rename(collection, new, old)
    op.drop_table("slug_renames")
