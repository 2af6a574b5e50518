"""inspection: plans, tasks, records, rollups

Revision ID: inspection_0001
Revises: prevention_0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "inspection_0001"
down_revision: str | Sequence[str] | None = "prevention_0002"
branch_labels: str | Sequence[str] | None = ("inspection",)
depends_on: str | Sequence[str] | None = None

TS = yingji.core.db.UTCDateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "insp_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("control_measure_id", sa.Integer(), nullable=False),
        sa.Column("check_key", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("responsible_name", sa.String(length=64), nullable=False),
        sa.Column("rule_kind", sa.String(length=32), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("control_measure_id", "check_key"),
    )
    op.create_index("ix_insp_plan_enterprise_code", "insp_plan", ["enterprise_code"])
    op.create_index("ix_insp_plan_risk_point_id", "insp_plan", ["risk_point_id"])
    op.create_table(
        "insp_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("window_end", TS, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("plan_id", "window_start"),
    )
    op.create_index("ix_insp_task_point_start", "insp_task", ["risk_point_id", "window_start"])
    op.create_index("ix_insp_task_ent_day", "insp_task", ["enterprise_code", "day"])
    op.create_table(
        "insp_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("source_id", sa.String(length=128), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("inspector", sa.String(length=64), nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("proof", sa.String(length=8), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("media_ids", JSON, nullable=False),
        sa.Column("backfilled", sa.Boolean(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("voided_at", TS, nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_code", "source_id"),
    )
    op.create_index("ix_insp_record_point_at", "insp_record", ["risk_point_id", "checked_at"])
    op.create_index("ix_insp_record_task_id", "insp_record", ["task_id"])
    op.create_table(
        "insp_rollup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=False),
        sa.Column("industry_code", sa.String(length=5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("due", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("backfilled", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("hazards", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_code", "day"),
    )
    op.create_index("ix_insp_rollup_month", "insp_rollup", ["month"])
    op.create_table(
        "insp_generation",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tasks", sa.Integer(), nullable=False),
        sa.Column("generated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    for t in ("insp_generation", "insp_rollup", "insp_record", "insp_task", "insp_plan"):
        op.drop_table(t)
