"""intake: incidents carry a merge key (category group and 0.005° cell), indexed

Revision ID: intake_0002
Revises: intake_0001
Create Date: 2026-11-29 07:05:00
"""

import math
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "intake_0002"
down_revision: str | Sequence[str] | None = "intake_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CELL_DEG = 0.005  # as yingji.intake.merge.CELL_DEG when this revision was written


def _key(group: str, lon: float, lat: float) -> str:
    return f"{group}:{math.floor(lon / _CELL_DEG)}:{math.floor(lat / _CELL_DEG)}"


def upgrade() -> None:
    with op.batch_alter_table("intake_incident") as batch:
        batch.add_column(sa.Column("merge_key", sa.String(length=40), nullable=True))
    op.create_index("ix_intake_incident_merge_key", "intake_incident", ["merge_key"])
    incident = sa.table(
        "intake_incident",
        sa.column("id", sa.Integer),
        sa.column("category_group", sa.String),
        sa.column("lon", sa.Float),
        sa.column("lat", sa.Float),
        sa.column("merge_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(incident.c.id, incident.c.category_group, incident.c.lon, incident.c.lat).where(
            incident.c.category_group.is_not(None),
            incident.c.lon.is_not(None),
            incident.c.lat.is_not(None),
        )
    ).all()
    if rows:
        conn.execute(
            incident.update()
            .where(incident.c.id == sa.bindparam("b_id"))
            .values(merge_key=sa.bindparam("b_key")),
            [{"b_id": r.id, "b_key": _key(r.category_group, r.lon, r.lat)} for r in rows],
        )


def downgrade() -> None:
    op.drop_index("ix_intake_incident_merge_key", table_name="intake_incident")
    with op.batch_alter_table("intake_incident") as batch:
        batch.drop_column("merge_key")
