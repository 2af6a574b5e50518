"""intake: merge candidates indexed by (merge key, occurred at)

The merge-key index alone led every batch to read all the incidents a cell ever had and
drop those outside the merge window afterwards: a cost growing with the district's history.
With the time in the index the window is a range in it.

Revision ID: intake_0004
Revises: intake_0003
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "intake_0004"
down_revision: str | Sequence[str] | None = "intake_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_intake_incident_merge_key_time", "intake_incident", ["merge_key", "occurred_at"]
    )
    op.drop_index("ix_intake_incident_merge_key", table_name="intake_incident")


def downgrade() -> None:
    op.create_index("ix_intake_incident_merge_key", "intake_incident", ["merge_key"])
    op.drop_index("ix_intake_incident_merge_key_time", table_name="intake_incident")
