"""Grid endpoints: lists of areas, lines and points, scoped to the caller's territory."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji.auth.permissions import GRID_READ
from yingji.auth.principal import Principal
from yingji.core.deps import get_db
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.grid import service
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.schemas import AreaRead, LineRead, LocateResult, PointRead

router = APIRouter(prefix="/api/v1/grid", tags=["grid 网格"])


def _territory(principal: Principal, subdistrict: str | None) -> str | None:
    """The sub-district filter to apply: the caller's own, or the one asked for if allowed."""
    if subdistrict is not None:
        principal.require_subdistrict(subdistrict)
        return subdistrict
    return principal.territory()


@router.get("/areas", response_model=Page[AreaRead])
def list_areas(
    subdistrict: str | None = Query(None, max_length=32, description="街道代码"),
    q: str | None = Query(None, max_length=64, description="名称包含"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Page[AreaRead]:
    """面: grid areas with their polygons and responsible persons."""
    stmt = service.list_stmt(GridArea, subdistrict_code=_territory(principal, subdistrict), q=q)
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[AreaRead.model_validate(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/lines", response_model=Page[LineRead])
def list_lines(
    subdistrict: str | None = Query(None, max_length=32),
    area: str | None = Query(None, max_length=32),
    q: str | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Page[LineRead]:
    """线: streets with their linestrings and responsible persons."""
    stmt = service.list_stmt(
        GridLine, subdistrict_code=_territory(principal, subdistrict), area_code=area, q=q
    )
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[LineRead.model_validate(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.get("/points", response_model=Page[PointRead])
def list_points(
    subdistrict: str | None = Query(None, max_length=32),
    area: str | None = Query(None, max_length=32),
    kind: str | None = Query(None, max_length=32),
    q: str | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Page[PointRead]:
    """点: shops, buildings, schools... with their position and responsible persons."""
    stmt = service.list_stmt(
        GridPoint, subdistrict_code=_territory(principal, subdistrict), area_code=area, q=q
    )
    if kind:
        stmt = stmt.where(GridPoint.kind == kind)
    rows, total = paginate(db, stmt, params)
    items: list[Any] = [
        PointRead.model_validate({**_columns(r), "geometry": service.point_geometry(r)})
        for r in rows
    ]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.get(
    "/points.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def points_geojson(
    request: Request,
    subdistrict: str | None = Query(None, max_length=32),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Response:
    """点 for maps: all points of the caller's territory in one compact GeoJSON, with code,
    name, kind, sub-district, area and responsible person. Revalidated by ETag (the grid
    revision and latest change): a reloaded dashboard downloads them only after a change."""
    territory = _territory(principal, subdistrict)
    version = service.points_version(db, subdistrict_code=territory)
    etag = f'W/"points-{version}-{territory or "all"}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body = json.dumps(
        service.point_features(db, subdistrict_code=territory),
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/locate", response_model=LocateResult)
def locate(
    request: Request,
    lon: float = Query(..., description="经度 / longitude"),
    lat: float = Query(..., description="纬度 / latitude"),
    crs: str = Query(
        "wgs84", max_length=16, description="坐标系 wgs84 (GPS) | gcj02 (高德、腾讯) | bd09 (百度)"
    ),
    max_distance_m: float | None = Query(
        None,
        gt=0,
        le=service.MAX_LOCATE_DISTANCE_M,
        description="最近线、点的搜索距离（米），默认取配置 / search radius for line and point",
    ),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> LocateResult:
    """网格定位: the sub-district, its local force, the grid area, and the nearest line and
    point (with their responsible persons) of a position in WGS-84, GCJ-02 or BD-09."""
    result = service.locate(
        db,
        lon=lon,
        lat=lat,
        crs=crs,
        max_distance_m=max_distance_m,
        settings=request.app.state.settings,
    )
    principal.require_subdistrict(result.subdistrict.code)
    return result


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}
