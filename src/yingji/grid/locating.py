"""Locating positions in the district's grid: the process's grid index (rebuilt when the
grid changes), ``GET /api/v1/grid/locate``'s answer, and the plain facts intake stores.

Other domains reach these through :mod:`yingji.grid.service`: :func:`locate` (the API's
model) or :func:`find` with :func:`located_facts` (the same facts as JSON without building
the pydantic models: a twentieth of intake's time per report went into them, py-spy).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.config import Settings, get_settings
from yingji.core.cache import CACHE, database_key
from yingji.core.db import Database
from yingji.core.errors import invalid
from yingji.geo.transform import Crs, to_wgs84
from yingji.grid.locate import (
    AreaShape,
    GridIndex,
    LineShape,
    Located,
    PointSite,
    Responsible,
    SubdistrictShape,
)
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.revision import current_revision
from yingji.grid.schemas import (
    Coordinates,
    LocatedArea,
    LocatedLine,
    LocatedPoint,
    LocatedSubdistrict,
    LocateInput,
    LocateResult,
    ResponsibleRead,
)
from yingji.org import service as org_service
from yingji.org.schemas import SubdistrictRead

REVISION_CHECK_INTERVAL_S = 1.0
MAX_LOCATE_DISTANCE_M = 5000.0


def _responsible(row: Any) -> Responsible:
    return Responsible(row.responsible_name, row.responsible_phone, row.responsible_title)


def build_index(db: Session) -> GridIndex:
    """A fresh :class:`GridIndex` of the sub-districts proper and every grid item."""
    subdistricts = [
        SubdistrictShape(code, name, geometry)
        for code, name, geometry in org_service.subdistrict_geometries(db)
    ]
    areas = [
        AreaShape(a.code, a.name, a.subdistrict_code, a.geometry, _responsible(a))
        for a in db.execute(
            select(
                GridArea.code,
                GridArea.name,
                GridArea.subdistrict_code,
                GridArea.geometry,
                GridArea.responsible_name,
                GridArea.responsible_phone,
                GridArea.responsible_title,
            )
        )
    ]
    lines = [
        LineShape(ln.code, ln.name, ln.subdistrict_code, ln.geometry, _responsible(ln))
        for ln in db.execute(
            select(
                GridLine.code,
                GridLine.name,
                GridLine.subdistrict_code,
                GridLine.geometry,
                GridLine.responsible_name,
                GridLine.responsible_phone,
                GridLine.responsible_title,
            )
        )
    ]
    points = [
        PointSite(
            p.code, p.name, p.kind, p.subdistrict_code, p.lon, p.lat, p.address, _responsible(p)
        )
        for p in db.execute(
            select(
                GridPoint.code,
                GridPoint.name,
                GridPoint.kind,
                GridPoint.subdistrict_code,
                GridPoint.lon,
                GridPoint.lat,
                GridPoint.address,
                GridPoint.responsible_name,
                GridPoint.responsible_phone,
                GridPoint.responsible_title,
            )
        )
    ]
    return GridIndex.build(subdistricts, areas, lines, points)


_SLOT = "grid.locate_index"


def locate_index(db: Session | Database) -> tuple[GridIndex, dict[str, SubdistrictRead]]:
    """The process's index of this database's grid, rebuilt when the grid revision changes
    (kept in the process's one cache, :mod:`yingji.core.cache`).

    The revision is read at most once per ``REVISION_CHECK_INTERVAL_S``, so a change made by
    another process shows within about a second without a query on every call. Given the
    ``Database`` rather than a session, a session is opened only for that check: the intake
    path locates every report and needs none otherwise.
    """
    key = database_key(db)
    cached = CACHE.peek(key, _SLOT)
    if cached is not None and time.monotonic() - cached.checked_at_s < REVISION_CHECK_INTERVAL_S:
        return cached.value
    if isinstance(db, Database):
        with db.session() as session:
            return _refresh(session, key)
    return _refresh(db, key)


def _refresh(db: Session, key: str) -> tuple[GridIndex, dict[str, SubdistrictRead]]:
    """Confirm the index is still the grid's (one revision read), or rebuild it."""
    return CACHE.get(db, _SLOT, lambda: _build(db), version=current_revision(db), key=key)


def _build(db: Session) -> tuple[GridIndex, dict[str, SubdistrictRead]]:
    return build_index(db), {s.code: s for s in org_service.list_subdistricts(db)}


def _parse_crs(crs: Crs | str) -> Crs:
    """The coordinate system named, forgiving case and hyphens ("GCJ-02", "BD09LL": Crs)."""
    try:
        return Crs(crs)
    except ValueError:
        raise invalid(
            "crs",
            f"不支持的坐标系“{crs}”，应为 wgs84（GPS）、gcj02（高德、腾讯）或 bd09（百度）",
            f"Unknown coordinate system '{crs}': use wgs84 (GPS), gcj02 (AMap, Tencent) "
            "or bd09 (Baidu)",
            code="invalid_crs",
        ) from None


def _in_range(lon: float, lat: float) -> bool:
    return -180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0


@dataclass(frozen=True)
class Position:
    """A position found in the grid: what the index found and the coordinates asked."""

    found: Located
    subdistricts: dict[str, SubdistrictRead]
    lon: float
    lat: float
    crs: Crs
    wgs_lon: float
    wgs_lat: float
    max_distance_m: float


def find(
    db: Session | Database,
    *,
    lon: float,
    lat: float,
    crs: Crs | str = Crs.wgs84,
    max_distance_m: float | None = None,
    settings: Settings | None = None,
) -> Position:
    """Find a position given in WGS-84, GCJ-02 or BD-09 in the district's grid.

    Raises a 422 ``ApiError``: ``invalid_crs``, ``out_of_range``, ``swapped_coordinates``
    (longitude and latitude given the wrong way round: swapped, they land in the district)
    or ``outside_district``.
    """
    system = _parse_crs(crs)
    for field, value in (("lon", lon), ("lat", lat)):
        if not math.isfinite(value):
            raise invalid(field, "坐标须为有限数字", "Coordinates must be finite numbers")
    if max_distance_m is None:
        max_distance_m = (settings or get_settings()).locate_max_distance_m
    if not (0.0 < max_distance_m <= MAX_LOCATE_DISTANCE_M):
        raise invalid(
            "max_distance_m",
            f"搜索距离须大于 0 且不超过 {MAX_LOCATE_DISTANCE_M:g} 米",
            f"max_distance_m must be above 0 and at most {MAX_LOCATE_DISTANCE_M:g}",
            code="out_of_range",
        )
    index, subdistricts = locate_index(db)
    found: Located | None = None
    wgs_lon, wgs_lat = lon, lat
    if _in_range(lon, lat):
        wgs_lon, wgs_lat = to_wgs84(lon, lat, system)
        found = index.locate(wgs_lon, wgs_lat, max_distance_m)
    if found is None:
        _refuse(index, lon, lat, system)
    return Position(found, subdistricts, lon, lat, system, wgs_lon, wgs_lat, max_distance_m)


def locate(
    db: Session,
    *,
    lon: float,
    lat: float,
    crs: Crs | str = Crs.wgs84,
    max_distance_m: float | None = None,
    settings: Settings | None = None,
) -> LocateResult:
    """Locate a position in the grid: :func:`find`'s answer as the API's model."""
    pos = find(db, lon=lon, lat=lat, crs=crs, max_distance_m=max_distance_m, settings=settings)
    return _result(pos)


def _refuse(index: GridIndex, lon: float, lat: float, system: Crs) -> NoReturn:
    """Explain why a position could not be located: swapped, out of range, or outside."""
    if _in_range(lat, lon) and index.locate(*to_wgs84(lat, lon, system), 0.0) is not None:
        raise invalid(
            "lon",
            f"经纬度可能填反了：经度 {lon:g}、纬度 {lat:g} 互换后（经度 {lat:g}、纬度 {lon:g}）"
            "位于本区内，请检查顺序",
            f"Longitude and latitude look swapped: lon {lon:g}, lat {lat:g} swapped "
            f"(lon {lat:g}, lat {lon:g}) lies in the district; check their order",
            "swapped_coordinates",
        )
    if not -180.0 <= lon <= 180.0:
        raise invalid(
            "lon", "经度须在 -180 到 180 之间", "lon must be between -180 and 180", "out_of_range"
        )
    if not -90.0 <= lat <= 90.0:
        raise invalid(
            "lat", "纬度须在 -90 到 90 之间", "lat must be between -90 and 90", "out_of_range"
        )
    raise invalid(
        "lon",
        f"该位置（经度 {lon:g}、纬度 {lat:g}，{system.value}）不在本区范围内",
        f"The position (lon {lon:g}, lat {lat:g}, {system.value}) is outside the district",
        "outside_district",
    )


def _person(r: Responsible) -> ResponsibleRead:
    return ResponsibleRead.model_construct(name=r.name, phone=r.phone, title=r.title)


def _result(pos: Position) -> LocateResult:
    # Built from the index's own validated records: ``model_construct`` skips validating
    # them again.
    found = pos.found
    sub = pos.subdistricts.get(found.subdistrict.code)
    area, line, point = found.area, found.line, found.point
    return LocateResult.model_construct(
        input=LocateInput.model_construct(lon=pos.lon, lat=pos.lat, crs=pos.crs),
        wgs84=Coordinates.model_construct(lon=round(pos.wgs_lon, 7), lat=round(pos.wgs_lat, 7)),
        max_distance_m=pos.max_distance_m,
        subdistrict=LocatedSubdistrict.model_construct(
            code=found.subdistrict.code, name=found.subdistrict.name
        ),
        local_force=sub.local_force if sub else None,
        area=LocatedArea.model_construct(
            code=area.code, name=area.name, responsible=_person(area.responsible)
        )
        if area
        else None,
        line=LocatedLine.model_construct(
            code=line.line.code,
            name=line.line.name,
            distance_m=round(line.distance_m, 2),
            responsible=_person(line.line.responsible),
        )
        if line
        else None,
        point=LocatedPoint.model_construct(
            code=point.point.code,
            name=point.point.name,
            kind=point.point.kind,
            address=point.point.address,
            lon=point.point.lon,
            lat=point.point.lat,
            distance_m=round(point.distance_m, 2),
            responsible=_person(point.point.responsible),
        )
        if point
        else None,
    )


def _person_facts(r: Responsible) -> dict[str, str]:
    return {"name": r.name, "phone": r.phone, "title": r.title}


def located_facts(pos: Position) -> dict[str, Any]:
    """What :func:`locate` answers, as JSON, less ``input`` and ``max_distance_m``: the
    location facts an incident keeps, built from plain values (the pydantic models and their
    dump cost a twentieth of intake's time per report). Tests hold it equal to the model's
    dump."""
    found = pos.found
    sub = pos.subdistricts.get(found.subdistrict.code)
    area, line, point = found.area, found.line, found.point
    force = sub.local_force if sub else None
    return {
        "wgs84": {"lon": round(pos.wgs_lon, 7), "lat": round(pos.wgs_lat, 7)},
        "subdistrict": {"code": found.subdistrict.code, "name": found.subdistrict.name},
        "local_force": force.model_dump(mode="json") if force else None,
        "area": {
            "code": area.code,
            "name": area.name,
            "responsible": _person_facts(area.responsible),
        }
        if area
        else None,
        "line": {
            "code": line.line.code,
            "name": line.line.name,
            "distance_m": round(line.distance_m, 2),
            "responsible": _person_facts(line.line.responsible),
        }
        if line
        else None,
        "point": {
            "code": point.point.code,
            "name": point.point.name,
            "kind": point.point.kind,
            "address": point.point.address,
            "lon": point.point.lon,
            "lat": point.point.lat,
            "distance_m": round(point.distance_m, 2),
            "responsible": _person_facts(point.point.responsible),
        }
        if point
        else None,
    }
