"""scheduling: the durable timers leave command for the shared scheduler (cmd_timer → sched_timer)

The rows are kept as they are: unfired deadlines and escalations stay due, claims stay
claimed. Only the names change (table, index, primary key, and on PostgreSQL the id
sequence).

Revision ID: scheduling_0001
Revises: 0001_foundation
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "scheduling_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("scheduling",)
depends_on: str | Sequence[str] | None = "command_0001"


def _rename(old: str, new: str) -> None:
    op.drop_index(f"ix_{old}_due", table_name=old)
    op.rename_table(old, new)
    op.create_index(f"ix_{new}_due", new, ["fired_at", "due_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")
        op.execute(f"ALTER SEQUENCE IF EXISTS {old}_id_seq RENAME TO {new}_id_seq")


def upgrade() -> None:
    _rename("cmd_timer", "sched_timer")


def downgrade() -> None:
    _rename("sched_timer", "cmd_timer")
