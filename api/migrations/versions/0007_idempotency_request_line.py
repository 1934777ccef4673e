"""idempotent requests: the method and path each key was first used for

Revision ID: 0007
Revises: 0006

An Idempotency-Key reused on another route was replayed there (POST /v1/tags, then POST
/v1/metrics with the same key and body answered the tag's 201). Each stored request now
keeps its request line, and a reuse elsewhere is refused. Rows stored before are the answers
to creates (201 with a Location /v1/<collection>/<slug>), so their request line was
POST /v1/<collection>.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

requests = sa.table(
    "idempotent_requests",
    sa.column("id", sa.Integer()),
    sa.column("headers", sa.JSON()),
    sa.column("method", sa.String()),
    sa.column("path", sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table("idempotent_requests") as batch:
        batch.add_column(sa.Column("method", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("path", sa.String(length=255), nullable=True))
    bind = op.get_bind()
    for row in bind.execute(sa.select(requests.c.id, requests.c.headers)).all():
        location = (row.headers or {}).get("Location", "")
        bind.execute(
            requests.update()
            .where(requests.c.id == row.id)
            .values(method="POST", path=location.rpartition("/")[0][:255])
        )
    with op.batch_alter_table("idempotent_requests") as batch:
        batch.alter_column("method", existing_type=sa.String(length=10), nullable=False)
        batch.alter_column("path", existing_type=sa.String(length=255), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotent_requests") as batch:
        batch.drop_column("path")
        batch.drop_column("method")
