"""Grid endpoints: areas, lines and points, read, written and as ledgers, scoped to the caller's
territory (a sub-district operator sees and changes only its own sub-district)."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session

from yingji.auth.permissions import GRID_READ, GRID_WRITE
from yingji.auth.principal import Principal
from yingji.core.deps import get_db
from yingji.core.downloads import GEOJSON_MEDIA_TYPE, XLSX_MEDIA_TYPE, content_disposition
from yingji.core.errors import ApiError, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, content, errors
from yingji.core.validators import Text
from yingji.geo.transform import Crs
from yingji.grid import ledger, locating, service
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.schemas import (
    AreaCreate,
    AreaRead,
    AreaUpdate,
    ImportResult,
    LineCreate,
    LineRead,
    LineUpdate,
    LocateResult,
    PointCreate,
    PointRead,
    PointUpdate,
)
from yingji.org import service as org_service

router = APIRouter(prefix="/api/v1/grid", tags=["grid 网格"], route_class=TypedRoute)


def _territory(principal: Principal, subdistrict: str | None) -> str | None:
    """The sub-district filter to apply: the caller's own, or the one asked for if allowed."""
    if subdistrict is not None:
        principal.require_subdistrict(subdistrict)
        return subdistrict
    return principal.territory()


@router.get("/areas", response_model=Page[AreaRead])
def list_areas(
    subdistrict: Text | None = Query(None, max_length=32, description="街道代码"),
    q: Text | None = Query(None, max_length=64, description="名称包含"),
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
    subdistrict: Text | None = Query(None, max_length=32),
    area: Text | None = Query(None, max_length=32),
    q: Text | None = Query(None, max_length=64),
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
    subdistrict: Text | None = Query(None, max_length=32),
    area: Text | None = Query(None, max_length=32),
    kind: Text | None = Query(None, max_length=32),
    q: Text | None = Query(None, max_length=64),
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
    responses=content("application/geo+json", "网格点 GeoJSON / grid points", binary=False),
)
def points_geojson(
    request: Request,
    subdistrict: Text | None = Query(None, max_length=32),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Response:
    """点 for maps: all points of the caller's territory in one compact GeoJSON, with code,
    name, kind, sub-district, area and responsible person. Revalidated by ETag (the grid
    revision and latest change): a reloaded dashboard downloads them only after a change."""
    territory = _territory(principal, subdistrict)
    version = service.points_version(db, subdistrict_code=territory)
    # The territory is client text: percent-encoded, the ETag stays ASCII (RFC 9110 §8.8.3).
    etag = f'W/"points-{version}-{quote(territory or "all", safe="")}"'
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
    # Bounds in the spec only: the service's refusal (out_of_range) says which coordinate.
    lon: float = Query(
        ...,
        description="经度；须在本区范围内，否则 422 outside_district / longitude, in the district",
        json_schema_extra={"minimum": -180, "maximum": 180},
    ),
    # No bounds on lat in the spec: a latitude of 117 is most likely a longitude, and the answer
    # says so (422 swapped_coordinates) instead of a bare "out of range".
    lat: float = Query(
        ...,
        description="纬度；须在本区范围内，否则 422 outside_district；与经度填反时 422 "
        "swapped_coordinates / latitude, in the district",
    ),
    # The spec lists the systems; the service's refusal (invalid_crs) names them in both languages.
    crs: Annotated[
        Text,
        Query(
            max_length=16,
            description="坐标系 wgs84 (GPS) | gcj02 (高德、腾讯) | bd09 (百度)",
            json_schema_extra={"enum": [c.value for c in Crs]},
        ),
    ] = "wgs84",
    max_distance_m: float | None = Query(
        None,
        gt=0,
        le=locating.MAX_LOCATE_DISTANCE_M,
        description="最近线、点的搜索距离（米），默认取配置 / search radius for line and point",
    ),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> LocateResult:
    """网格定位: the sub-district, its local force, the grid area, and the nearest line and
    point (with their responsible persons) of a position in WGS-84, GCJ-02 or BD-09."""
    result = locating.locate(
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


# --- one item by code, writes, ledgers ---------------------------------------------------------


class GridKind(StrEnum):
    areas = "areas"
    lines = "lines"
    points = "points"


class LedgerFormat(StrEnum):
    xlsx = "xlsx"
    geojson = "geojson"


_SHANGHAI = ZoneInfo("Asia/Shanghai")


def _ledger_response(
    db: Session, kinds: list[str], fmt: LedgerFormat, territory: str | None
) -> Response:
    scope_zh = (org_service.subdistrict_names(db).get(territory) if territory else None) or "全区"
    today = datetime.now(_SHANGHAI).strftime("%Y%m%d")
    label = ledger.KIND_LABELS[kinds[0]][0] if len(kinds) == 1 else "网格"
    stem_en = f"grid_{kinds[0] if len(kinds) == 1 else 'all'}_{territory or 'district'}_{today}"
    try:
        if fmt is LedgerFormat.geojson:
            body = ledger.write_geojson(
                kinds[0], service.export_items(db, kind=kinds[0], territory=territory)
            )
            media, ext = GEOJSON_MEDIA_TYPE, "geojson"
        else:
            body = ledger.write_xlsx(
                {k: service.export_items(db, kind=k, territory=territory) for k in kinds}
            )
            media, ext = XLSX_MEDIA_TYPE, "xlsx"
    except ledger.LedgerFileError as exc:
        raise invalid("format", exc.zh, str(exc), exc.code) from exc
    disposition = content_disposition(f"{label}台账_{scope_zh}_{today}.{ext}", f"{stem_en}.{ext}")
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get(
    "/export",
    response_class=Response,
    responses=content(XLSX_MEDIA_TYPE, "网格台账 Excel / the grid ledger"),
)
def export_all(
    subdistrict: Text | None = Query(None, max_length=32, description="街道代码"),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Response:
    """The whole grid ledger as one workbook: sheets 网格面, 网格线, 网格点."""
    territory = _territory(principal, subdistrict)
    return _ledger_response(db, list(service.KINDS), LedgerFormat.xlsx, territory)


@router.get(
    "/{kind}/export",
    response_class=Response,
    responses={
        200: {
            "description": "台账 .xlsx 或 GeoJSON / the ledger as .xlsx or GeoJSON",
            "content": {
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
                "application/geo+json": {"schema": {"type": "object"}},
            },
        },
    },
)
def export_ledger(
    kind: GridKind,
    format: LedgerFormat = Query(LedgerFormat.xlsx, description="xlsx 或 geojson"),
    subdistrict: Text | None = Query(None, max_length=32, description="街道代码"),
    principal: Principal = Depends(GRID_READ),
    db: Session = Depends(get_db),
) -> Response:
    """台账导出: one kind's ledger, scoped to the caller's territory, as .xlsx or GeoJSON."""
    return _ledger_response(db, [kind.value], format, _territory(principal, subdistrict))


@router.post("/{kind}/import", response_model=ImportResult, responses=errors(409))
def import_ledger(
    kind: GridKind,
    file: UploadFile = File(..., description="台账文件 .xlsx / .geojson"),
    dry_run: bool = Query(False, description="只校验不写入 / validate only"),
    principal: Principal = Depends(GRID_WRITE),
    db: Session = Depends(get_db),
) -> ImportResult:
    """台账导入: upsert by code; every bad row is reported and nothing is written if any is bad."""
    try:
        parsed = ledger.read_ledger(kind.value, file.filename, file.file.read())
    except ledger.LedgerFileError as exc:
        raise ApiError(422, exc.code, exc.zh, str(exc), field="file", errors=exc.details) from exc
    return service.import_ledger(
        db,
        kind=kind.value,
        ledger=parsed,
        actor=principal.actor,
        territory=principal.territory(),
        dry_run=dry_run,
    )


def _point_read(values: dict[str, Any]) -> PointRead:
    return PointRead.model_validate(values)


@router.get("/areas/{code}", response_model=AreaRead, responses=errors(404))
def get_area(
    code: str, principal: Principal = Depends(GRID_READ), db: Session = Depends(get_db)
) -> AreaRead:
    """One 面 by code."""
    item = service.read_one(db, kind="areas", code=code, territory=principal.territory())
    return AreaRead.model_validate(item)


@router.get("/lines/{code}", response_model=LineRead, responses=errors(404))
def get_line(
    code: str, principal: Principal = Depends(GRID_READ), db: Session = Depends(get_db)
) -> LineRead:
    """One 线 by code."""
    item = service.read_one(db, kind="lines", code=code, territory=principal.territory())
    return LineRead.model_validate(item)


@router.get("/points/{code}", response_model=PointRead, responses=errors(404))
def get_point(
    code: str, principal: Principal = Depends(GRID_READ), db: Session = Depends(get_db)
) -> PointRead:
    """One 点 by code."""
    item = service.read_one(db, kind="points", code=code, territory=principal.territory())
    return _point_read(item)


@router.post("/areas", response_model=AreaRead, status_code=201, responses=errors(409))
def create_area(
    body: AreaCreate, principal: Principal = Depends(GRID_WRITE), db: Session = Depends(get_db)
) -> AreaRead:
    """Create a 面 inside a sub-district (a sub-district operator: only its own)."""
    item = service.create_item(
        db, kind="areas", data=body, actor=principal.actor, territory=principal.territory()
    )
    return AreaRead.model_validate(item)


@router.post("/lines", response_model=LineRead, status_code=201, responses=errors(409))
def create_line(
    body: LineCreate, principal: Principal = Depends(GRID_WRITE), db: Session = Depends(get_db)
) -> LineRead:
    """Create a 线; its length is computed from the geometry."""
    item = service.create_item(
        db, kind="lines", data=body, actor=principal.actor, territory=principal.territory()
    )
    return LineRead.model_validate(item)


@router.post("/points", response_model=PointRead, status_code=201, responses=errors(409))
def create_point(
    body: PointCreate, principal: Principal = Depends(GRID_WRITE), db: Session = Depends(get_db)
) -> PointRead:
    """Create a 点 inside its sub-district (and its area, if one is named)."""
    item = service.create_item(
        db, kind="points", data=body, actor=principal.actor, territory=principal.territory()
    )
    return _point_read(item)


@router.patch("/areas/{code}", response_model=AreaRead, responses=errors(404, 409))
def update_area(
    code: Text,
    body: AreaUpdate,
    principal: Principal = Depends(GRID_WRITE),
    db: Session = Depends(get_db),
) -> AreaRead:
    """Change some fields of a 面."""
    item = service.update_item(
        db,
        kind="areas",
        code=code,
        changes=body.model_dump(exclude_unset=True),
        actor=principal.actor,
        territory=principal.territory(),
    )
    return AreaRead.model_validate(item)


@router.patch("/lines/{code}", response_model=LineRead, responses=errors(404, 409))
def update_line(
    code: Text,
    body: LineUpdate,
    principal: Principal = Depends(GRID_WRITE),
    db: Session = Depends(get_db),
) -> LineRead:
    """Change some fields of a 线."""
    item = service.update_item(
        db,
        kind="lines",
        code=code,
        changes=body.model_dump(exclude_unset=True),
        actor=principal.actor,
        territory=principal.territory(),
    )
    return LineRead.model_validate(item)


@router.patch("/points/{code}", response_model=PointRead, responses=errors(404, 409))
def update_point(
    code: Text,
    body: PointUpdate,
    principal: Principal = Depends(GRID_WRITE),
    db: Session = Depends(get_db),
) -> PointRead:
    """Change some fields of a 点."""
    item = service.update_item(
        db,
        kind="points",
        code=code,
        changes=body.model_dump(exclude_unset=True),
        actor=principal.actor,
        territory=principal.territory(),
    )
    return _point_read(item)


@router.delete(
    "/{kind}/{code}", status_code=204, response_class=Response, responses=errors(404, 409)
)
def delete_item(
    kind: GridKind,
    code: Text,
    principal: Principal = Depends(GRID_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    """Delete an item; an area or line still referred to by others is refused (409)."""
    service.delete_item(
        db, kind=kind.value, code=code, actor=principal.actor, territory=principal.territory()
    )
    return Response(status_code=204)
