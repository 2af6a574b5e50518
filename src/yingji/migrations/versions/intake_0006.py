"""intake: one scene, one incident — merge keys without the category, secondary categories,
evidence of place, the deciding words, and the admin's merge policy

Since issue 13 reports of different categories may be one scene, so the merge key is the
merge cell alone (``{i}:{j}`` of 0.005° cells, was ``{group}:{i}:{j}``): existing incidents'
keys are recomputed from their positions. Incidents gain their secondary categories, the
evidence of place of their founding report, and the words that decided their category; the
admin's merge policy gets its table (one row; the shipped file is in force until then).

Revision ID: intake_0006
Revises: intake_0005
Create Date: 2026-12-02 14:30:00
"""

import math
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yingji.core.db

revision: str = "intake_0006"
down_revision: str | Sequence[str] | None = "intake_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CELL_DEG = 0.005  # as yingji.intake.merge.CELL_DEG when this revision was written


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "category_matched",
            yingji.core.db.JSONType,
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
        sa.Column(
            "secondary_codes",
            yingji.core.db.JSONType,
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("grid_point_code", sa.String(length=32), nullable=True),
        sa.Column("line_code", sa.String(length=32), nullable=True),
        sa.Column("line_offset_m", sa.Float(), nullable=True),
        sa.Column("place_key", sa.String(length=64), nullable=True),
    ]


def _rekey(conn: sa.Connection, key: object) -> None:
    incident = sa.table(
        "intake_incident",
        sa.column("id", sa.Integer),
        sa.column("category_group", sa.String),
        sa.column("lon", sa.Float),
        sa.column("lat", sa.Float),
        sa.column("merge_key", sa.String),
    )
    rows = conn.execute(
        sa.select(incident.c.id, incident.c.category_group, incident.c.lon, incident.c.lat).where(
            incident.c.category_group.is_not(None),
            incident.c.lon.is_not(None),
            incident.c.lat.is_not(None),
        )
    ).all()
    values = [{"b_id": r.id, "b_key": key(r)} for r in rows]  # type: ignore[operator]
    if values:
        conn.execute(
            incident.update()
            .where(incident.c.id == sa.bindparam("b_id"))
            .values(merge_key=sa.bindparam("b_key")),
            values,
        )


def _cell(lon: float, lat: float) -> str:
    return f"{math.floor(lon / _CELL_DEG)}:{math.floor(lat / _CELL_DEG)}"


def upgrade() -> None:
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        for column in _columns():
            batch.add_column(column)
    op.create_table(
        "intake_merge_policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document", yingji.core.db.JSONType, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
    )
    _rekey(op.get_bind(), lambda r: _cell(r.lon, r.lat))


def downgrade() -> None:
    _rekey(op.get_bind(), lambda r: f"{r.category_group}:{_cell(r.lon, r.lat)}")
    op.drop_table("intake_merge_policy")
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
