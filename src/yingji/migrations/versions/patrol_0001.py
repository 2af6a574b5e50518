"""patrol: the people on the grid and the stewards of points

Revision ID: patrol_0001
Revises: 0001_foundation
Create Date: 2026-12-03 08:55:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.db

revision: str = "patrol_0001"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = ("patrol",)
depends_on: str | Sequence[str] | None = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "patrol_member",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("area_codes", _json(), nullable=False),
        sa.Column("line_codes", _json(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_member")),
        sa.UniqueConstraint("code", name="uq_patrol_member_code"),
    )
    with op.batch_alter_table("patrol_member", schema=None) as batch_op:
        batch_op.create_index("ix_patrol_member_subdistrict", ["subdistrict_code"], unique=False)
    op.create_table(
        "patrol_point_steward",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("point_code", sa.String(length=32), nullable=False),
        sa.Column("subdistrict_code", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_point_steward")),
        sa.UniqueConstraint("point_code", "name", "role", name="uq_patrol_point_steward"),
    )
    with op.batch_alter_table("patrol_point_steward", schema=None) as batch_op:
        batch_op.create_index("ix_patrol_point_steward_point", ["point_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patrol_point_steward", schema=None) as batch_op:
        batch_op.drop_index("ix_patrol_point_steward_point")
    op.drop_table("patrol_point_steward")
    with op.batch_alter_table("patrol_member", schema=None) as batch_op:
        batch_op.drop_index("ix_patrol_member_subdistrict")
    op.drop_table("patrol_member")
