"""intake: incidents carry when the overdue check must next look at them, indexed

The overdue check loaded every open production-safety incident twice a minute to compare
its deadlines with the clock; it now reads only those past ``deadline_due_at``: the earliest
statutory report not yet made, for open incidents not yet flagged overdue.

Revision ID: intake_0005
Revises: intake_0004
Create Date: 2026-11-29 15:20:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import yingji.core.db

revision: str = "intake_0005"
down_revision: str | Sequence[str] | None = "intake_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _due(stored: list[dict[str, str]], done: list[str]) -> datetime | None:
    # as yingji.intake.deadlines.pending_due_at when this revision was written
    dues = [datetime.fromisoformat(d["due_at"]) for d in stored if d["step"] not in done]
    return min(dues) if dues else None


def upgrade() -> None:
    column = sa.Column("deadline_due_at", yingji.core.db.UTCDateTime(timezone=True))  # type: ignore[var-annotated]  # a migration's column; its type is the table's business
    with op.batch_alter_table("intake_incident") as batch:
        batch.add_column(column)
    op.create_index("ix_intake_incident_deadline_due_at", "intake_incident", ["deadline_due_at"])
    incident = sa.table(
        "intake_incident",
        sa.column("id", sa.Integer),
        sa.column("production_safety", sa.Boolean),
        sa.column("overdue", sa.Boolean),
        sa.column("status", sa.String),
        sa.column("deadlines", yingji.core.db.JSONType),
        sa.column("deadlines_done", yingji.core.db.JSONType),
        sa.column("deadline_due_at", yingji.core.db.UTCDateTime(timezone=True)),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(incident.c.id, incident.c.deadlines, incident.c.deadlines_done).where(
            incident.c.production_safety.is_(True),
            incident.c.overdue.is_(False),
            incident.c.status.not_in(["closed", "false_alarm"]),
        )
    ).all()
    values = [
        {"b_id": r.id, "b_due": due}
        for r in rows
        if (due := _due(r.deadlines or [], r.deadlines_done or [])) is not None
    ]
    if values:
        conn.execute(
            incident.update()
            .where(incident.c.id == sa.bindparam("b_id"))
            .values(deadline_due_at=sa.bindparam("b_due")),
            values,
        )


def downgrade() -> None:
    op.drop_index("ix_intake_incident_deadline_due_at", table_name="intake_incident")
    # a plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): recreating the table, batch mode's
    # way, would break the foreign keys other tables hold to it
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        batch.drop_column("deadline_due_at")
