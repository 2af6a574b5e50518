"""intake: drop the (category group, occurred at) index no query uses

Candidates for merging have been read by ``merge_key`` since intake_0002; the old index only
cost an update for every incident written.

Revision ID: intake_0003
Revises: intake_0002
Create Date: 2026-11-29 12:34:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "intake_0003"
down_revision: str | Sequence[str] | None = "intake_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_intake_incident_merge", table_name="intake_incident")


def downgrade() -> None:
    op.create_index(
        "ix_intake_incident_merge", "intake_incident", ["category_group", "occurred_at"]
    )
