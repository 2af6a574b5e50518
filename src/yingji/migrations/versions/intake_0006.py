"""intake: a duty officer's corrections — merged incidents kept with the incident they joined,
the level an officer set, routing that was withdrawn, and the corrections themselves

Revision ID: intake_0006
Revises: intake_0005
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yingji.core.db

revision: str = "intake_0006"
down_revision: str | Sequence[str] | None = "intake_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        batch.add_column(sa.Column("merged_into_id", BigId, nullable=True))
        batch.add_column(sa.Column("level_floor", sa.String(4), nullable=True))
    op.create_index("ix_intake_incident_merged_into_id", "intake_incident", ["merged_into_id"])
    with op.batch_alter_table("intake_routing", recreate="never") as batch:
        batch.add_column(
            sa.Column("withdrawn_at", yingji.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "intake_correction",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("actor_type", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_name", sa.String(128), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("incident_id", BigId, nullable=False),
        sa.Column("incident_ids", yingji.core.db.JSONType, nullable=False),
        sa.Column("report_ids", yingji.core.db.JSONType, nullable=False),
        sa.Column("data", yingji.core.db.JSONType, nullable=False),
    )
    op.create_index("ix_intake_correction_at", "intake_correction", ["at"])
    op.create_index("ix_intake_correction_incident_id", "intake_correction", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_intake_correction_incident_id", table_name="intake_correction")
    op.drop_index("ix_intake_correction_at", table_name="intake_correction")
    op.drop_table("intake_correction")
    with op.batch_alter_table("intake_routing", recreate="never") as batch:
        batch.drop_column("withdrawn_at")
    op.drop_index("ix_intake_incident_merged_into_id", table_name="intake_incident")
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        batch.drop_column("level_floor")
        batch.drop_column("merged_into_id")
