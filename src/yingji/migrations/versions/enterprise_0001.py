"""enterprise: enterprises, licences, units

Revision ID: enterprise_0001
Revises: 0001_foundation
Create Date: 2026-12-03 07:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "enterprise_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("enterprise",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ent_enterprise",
        sa.Column("code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("industry_code", sa.String(length=5), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=False),
        sa.Column("grid_point_code", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("legal_rep_name", sa.String(length=64), nullable=False),
        sa.Column("legal_rep_phone", sa.String(length=32), nullable=False),
        sa.Column("principal_name", sa.String(length=64), nullable=False),
        sa.Column("principal_phone", sa.String(length=32), nullable=False),
        sa.Column("safety_manager_name", sa.String(length=64), nullable=False),
        sa.Column("safety_manager_phone", sa.String(length=32), nullable=False),
        sa.Column(
            "contacts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("standardisation_grade", sa.String(length=8), nullable=False),
        sa.Column("standardisation_expiry", sa.Date(), nullable=True),
        sa.Column("has_major_hazard", sa.Boolean(), nullable=False),
        sa.Column("risk_colour", sa.String(length=8), nullable=True),
        sa.Column("risk_colour_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_point_code"],
            ["grid_point.code"],
            name=op.f("fk_ent_enterprise_grid_point_code_grid_point"),
        ),
        sa.ForeignKeyConstraint(
            ["subdistrict_code"],
            ["org_subdistrict.code"],
            name=op.f("fk_ent_enterprise_subdistrict_code_org_subdistrict"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_ent_enterprise")),
        sa.UniqueConstraint("name", name=op.f("uq_ent_enterprise_name")),
    )
    with op.batch_alter_table("ent_enterprise", schema=None) as batch_op:
        batch_op.create_index("ix_ent_enterprise_industry", ["industry_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_ent_enterprise_kind"), ["kind"], unique=False)
        batch_op.create_index(
            "ix_ent_enterprise_sub_colour", ["subdistrict_code", "risk_colour"], unique=False
        )

    op.create_table(
        "ent_licence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=128), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_code"],
            ["ent_enterprise.code"],
            name=op.f("fk_ent_licence_enterprise_code_ent_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ent_licence")),
        sa.UniqueConstraint(
            "enterprise_code", "kind", "number", name=op.f("uq_ent_licence_enterprise_code")
        ),
    )
    with op.batch_alter_table("ent_licence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ent_licence_enterprise_code"), ["enterprise_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ent_licence_expires_on"), ["expires_on"], unique=False)

    op.create_table(
        "ent_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_code", sa.String(length=18), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_code"],
            ["ent_enterprise.code"],
            name=op.f("fk_ent_unit_enterprise_code_ent_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ent_unit")),
        sa.UniqueConstraint("enterprise_code", "code", name=op.f("uq_ent_unit_enterprise_code")),
    )
    with op.batch_alter_table("ent_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ent_unit_enterprise_code"), ["enterprise_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ent_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ent_unit_enterprise_code"))

    op.drop_table("ent_unit")
    with op.batch_alter_table("ent_licence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ent_licence_expires_on"))
        batch_op.drop_index(batch_op.f("ix_ent_licence_enterprise_code"))

    op.drop_table("ent_licence")
    with op.batch_alter_table("ent_enterprise", schema=None) as batch_op:
        batch_op.drop_index("ix_ent_enterprise_sub_colour")
        batch_op.drop_index(batch_op.f("ix_ent_enterprise_kind"))
        batch_op.drop_index("ix_ent_enterprise_industry")

    op.drop_table("ent_enterprise")
