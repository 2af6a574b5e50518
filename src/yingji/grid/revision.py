"""The grid's revision: one counter bumped by every change, so locate indexes know to rebuild."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.grid.models import GridRevision


def current_revision(db: Session) -> int:
    return db.scalar(select(GridRevision.revision).where(GridRevision.id == 1)) or 0


def bump_revision(db: Session) -> None:
    """Mark the grid changed, in the caller's transaction, so locate indexes rebuild."""
    row = db.get(GridRevision, 1)
    if row is None:
        db.add(GridRevision(id=1, revision=1))
    else:
        row.revision += 1
