"""content relations: practices to metrics, schedule slots to what they involve, topics

Revision ID: 0009
Revises: 0008

Links the prose implied but no relation held: the CALMS Measurement pillar names metrics; a
slot of a day in the life uses tools, exercises a responsibility, watches a metric; a topic is
about roles and carries tags, so `?role=` and `?tag=` find topics too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LINKS = {
    "practice_metrics": (("practice_id", "practices"), ("metric_id", "metrics")),
    "topic_roles": (("topic_id", "topics"), ("role_id", "roles")),
    "topic_tags": (("topic_id", "topics"), ("tag_id", "tags")),
    "schedule_entry_tools": (("entry_id", "schedule_entries"), ("tool_id", "tools")),
    "schedule_entry_responsibilities": (
        ("entry_id", "schedule_entries"),
        ("responsibility_id", "responsibilities"),
    ),
    "schedule_entry_metrics": (("entry_id", "schedule_entries"), ("metric_id", "metrics")),
}


def upgrade() -> None:
    for name, columns in LINKS.items():
        op.create_table(
            name,
            *(sa.Column(column, sa.Integer(), nullable=False) for column, _ in columns),
            *(
                sa.ForeignKeyConstraint(
                    [column],
                    [f"{target}.id"],
                    name=op.f(f"fk_{name}_{column}_{target}"),
                    ondelete="CASCADE",
                )
                for column, target in columns
            ),
            sa.PrimaryKeyConstraint(*(column for column, _ in columns), name=op.f(f"pk_{name}")),
        )


def downgrade() -> None:
    for name in reversed(LINKS):
        op.drop_table(name)
