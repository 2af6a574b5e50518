"""Lists and map features of grid items (the points' layer, its version)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.revision import current_revision

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
        stmt = stmt.where(model.area_code == area_code)  # type: ignore[union-attr]  # lines and points have area_code (areas are excluded above)
    if q:
        stmt = stmt.where(model.name.contains(q))
    return stmt


POINT_FEATURE_COLUMNS = (
    GridPoint.code,
    GridPoint.name,
    GridPoint.kind,
    GridPoint.subdistrict_code,
    GridPoint.area_code,
    GridPoint.responsible_name,
    GridPoint.responsible_phone,
    GridPoint.lon,
    GridPoint.lat,
)


def point_features(db: Session, *, subdistrict_code: str | None = None) -> dict[str, Any]:
    """Every point as a compact GeoJSON FeatureCollection: the few properties a map needs to
    draw and summarise a point (4,758 of them in the demo district), coordinates to 1e-6°
    (about 0.1 m)."""
    stmt = select(*POINT_FEATURE_COLUMNS).order_by(GridPoint.code)
    if subdistrict_code is not None:
        stmt = stmt.where(GridPoint.subdistrict_code == subdistrict_code)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
            "properties": {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "subdistrict_code": r.subdistrict_code,
                "area_code": r.area_code,
                "responsible_name": r.responsible_name,
                "responsible_phone": r.responsible_phone,
            },
        }
        for r in db.execute(stmt)
    ]
    return {"type": "FeatureCollection", "features": features}


def points_version(db: Session, *, subdistrict_code: str | None = None) -> str:
    """A token that changes whenever the points of a territory may have: the grid revision,
    their count and their latest change (a replaced database changes it too)."""
    stmt = select(func.count(), func.max(GridPoint.updated_at))
    if subdistrict_code is not None:
        stmt = stmt.where(GridPoint.subdistrict_code == subdistrict_code)
    count, latest = db.execute(stmt).one()
    stamp = latest.timestamp() if latest is not None else 0
    return f"{current_revision(db)}-{count}-{stamp:.0f}"


def point_geometry(point: GridPoint) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [point.lon, point.lat]}
