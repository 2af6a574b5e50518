"""prevention: rule tables, risk points, hazard sources, assessments, controls

Revision ID: prevention_0001
Revises: 0001_foundation
Create Date: 2026-12-03 07:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "prevention_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("prevention",)
depends_on: str | Sequence[str] | None = "enterprise_0001"


def upgrade() -> None:
    op.create_table(
        "prev_rule_table",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column(
            "body",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prev_rule_table")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_prev_rule_table_kind")),
    )
    with op.batch_alter_table("prev_rule_table", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prev_rule_table_kind"), ["kind"], unique=False)

    op.create_table(
        "prev_risk_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=256), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.Column("responsible_name", sa.String(length=64), nullable=False),
        sa.Column("responsible_phone", sa.String(length=32), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("latest_assessment_id", sa.Integer(), nullable=True),
        sa.Column("control_level", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_code"],
            ["ent_enterprise.code"],
            name=op.f("fk_prev_risk_point_enterprise_code_ent_enterprise"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["ent_unit.id"], name=op.f("fk_prev_risk_point_unit_id_ent_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prev_risk_point")),
        sa.UniqueConstraint(
            "enterprise_code", "code", name=op.f("uq_prev_risk_point_enterprise_code")
        ),
        sa.UniqueConstraint("tag", name=op.f("uq_prev_risk_point_tag")),
    )
    with op.batch_alter_table("prev_risk_point", schema=None) as batch_op:
        batch_op.create_index(
            "ix_prev_risk_point_ent_colour", ["enterprise_code", "colour"], unique=False
        )

    op.create_table(
        "prev_control_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content", sa.String(length=500), nullable=False),
        sa.Column("control_level", sa.String(length=16), nullable=False),
        sa.Column("responsible_name", sa.String(length=64), nullable=False),
        sa.Column("responsible_phone", sa.String(length=32), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_point_id"],
            ["prev_risk_point.id"],
            name=op.f("fk_prev_control_measure_risk_point_id_prev_risk_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prev_control_measure")),
    )
    with op.batch_alter_table("prev_control_measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prev_control_measure_enterprise_code"), ["enterprise_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prev_control_measure_risk_point_id"), ["risk_point_id"], unique=False
        )

    op.create_table(
        "prev_hazard_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "hazard_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("consequence", sa.String(length=500), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_point_id"],
            ["prev_risk_point.id"],
            name=op.f("fk_prev_hazard_source_risk_point_id_prev_risk_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prev_hazard_source")),
    )
    with op.batch_alter_table("prev_hazard_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prev_hazard_source_enterprise_code"), ["enterprise_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prev_hazard_source_risk_point_id"), ["risk_point_id"], unique=False
        )

    op.create_table(
        "prev_risk_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_point_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("rule_kind", sa.String(length=32), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("assessed_by", sa.String(length=64), nullable=False),
        sa.Column("assessed_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["risk_point_id"],
            ["prev_risk_point.id"],
            name=op.f("fk_prev_risk_assessment_risk_point_id_prev_risk_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prev_risk_assessment")),
    )
    with op.batch_alter_table("prev_risk_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prev_risk_assessment_risk_point_id"), ["risk_point_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prev_risk_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prev_risk_assessment_risk_point_id"))

    op.drop_table("prev_risk_assessment")
    with op.batch_alter_table("prev_hazard_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prev_hazard_source_risk_point_id"))
        batch_op.drop_index(batch_op.f("ix_prev_hazard_source_enterprise_code"))

    op.drop_table("prev_hazard_source")
    with op.batch_alter_table("prev_control_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prev_control_measure_risk_point_id"))
        batch_op.drop_index(batch_op.f("ix_prev_control_measure_enterprise_code"))

    op.drop_table("prev_control_measure")
    with op.batch_alter_table("prev_risk_point", schema=None) as batch_op:
        batch_op.drop_index("ix_prev_risk_point_ent_colour")

    op.drop_table("prev_risk_point")
    with op.batch_alter_table("prev_rule_table", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prev_rule_table_kind"))

    op.drop_table("prev_rule_table")
