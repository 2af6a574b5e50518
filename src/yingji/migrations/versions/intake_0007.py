"""intake: one scene, one incident — merge keys without the category, secondary categories,
evidence of place, the deciding words, and the admin's merge policy

Since issue 13 reports of different categories may be one scene. The merge key keeps its
form (the lead category's group and 0.005° cell: a report looks up each group it may share a
scene with), so existing incidents' keys stay valid and need no backfill. Incidents gain their secondary categories, the
evidence of place of their founding report, and the words that decided their category; the
admin's merge policy gets its table (one row; the shipped file is in force until then).

Revision ID: intake_0007
Revises: intake_0006
Create Date: 2026-12-02 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yingji.core.db

revision: str = "intake_0007"
down_revision: str | Sequence[str] | None = "intake_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column]:
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


_INDEXES = [
    ("ix_intake_incident_place_key", "place_key"),
    ("ix_intake_incident_grid_point", "grid_point_code"),
    ("ix_intake_incident_line", "line_code"),
]


def upgrade() -> None:
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        for column in _columns():
            batch.add_column(column)
    for name, indexed in _INDEXES:
        op.create_index(name, "intake_incident", [indexed])
    op.create_table(
        "intake_merge_policy",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document", yingji.core.db.JSONType, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", yingji.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
    )


def downgrade() -> None:
    for name, _ in _INDEXES:
        op.drop_index(name, table_name="intake_incident")
    op.drop_table("intake_merge_policy")
    with op.batch_alter_table("intake_incident", recreate="never") as batch:
        for column in reversed(_columns()):
            batch.drop_column(column.name)
