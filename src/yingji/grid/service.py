"""Querying grid items. Other domains read the grid through these functions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.grid.models import GridArea, GridLine, GridPoint, GridRevision

GridModel = type[GridArea] | type[GridLine] | type[GridPoint]


def list_stmt(
    model: GridModel,
    *,
    subdistrict_code: str | None = None,
    area_code: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    stmt = select(model).order_by(model.code)
    if subdistrict_code is not None:
        stmt = stmt.where(model.subdistrict_code == subdistrict_code)
    if area_code is not None and model is not GridArea:
        stmt = stmt.where(model.area_code == area_code)  # type: ignore[union-attr]
    if q:
        stmt = stmt.where(model.name.contains(q))
    return stmt


def point_geometry(point: GridPoint) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [point.lon, point.lat]}


def current_revision(db: Session) -> int:
    return db.scalar(select(GridRevision.revision).where(GridRevision.id == 1)) or 0


def bump_revision(db: Session) -> None:
    """Mark the grid changed, in the caller's transaction, so locate indexes rebuild."""
    row = db.get(GridRevision, 1)
    if row is None:
        db.add(GridRevision(id=1, revision=1))
    else:
        row.revision += 1
