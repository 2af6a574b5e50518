"""The dashboard's configuration endpoint: what the browser needs to know before it draws."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji import __version__
from yingji.auth.permissions import AUTHENTICATED, allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.config import Settings
from yingji.core.db import utcnow
from yingji.core.deps import get_db, get_settings_dep
from yingji.core.downloads import XLSX_MEDIA_TYPE, content_disposition
from yingji.core.errors import invalid
from yingji.core.pagination import sort_param
from yingji.core.responses import TypedRoute
from yingji.dashboard import service, stats
from yingji.dashboard.schemas import DashboardConfig, Features, MapConfig, TileLayerConfig

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard 指挥大屏"], route_class=TypedRoute)

# Who reads incidents: the same roles as intake's incident list.
INCIDENT_READ = allow(
    Role.admin,
    Role.committee,
    Role.hq_commander,
    Role.duty_officer,
    Role.department_operator,
    Role.subdistrict_operator,
    Role.grid_worker,
    Role.viewer,
)


def _tiles(url: str, settings: Settings) -> TileLayerConfig | None:
    if not url:
        return None
    return TileLayerConfig(
        url=url,
        subdomains=settings.map_tiles_subdomains,
        attribution=settings.map_tiles_attribution,
    )


@router.get("/config", response_model=DashboardConfig)
def get_config(
    request: Request,
    _: Principal = Depends(AUTHENTICATED),
    settings: Settings = Depends(get_settings_dep),
) -> DashboardConfig:
    """Base map tiles (``YINGJI_MAP_TILES_*``), the APIs present, the server version."""
    paths = request.app.openapi()["paths"]  # built once, then cached by FastAPI
    return DashboardConfig(
        version=__version__,
        features=Features(
            incidents="/api/v1/incidents" in paths,
            stream="/api/v1/stream" in paths,
            stats="/api/v1/dashboard/stats" in paths,
            resources="/api/v1/resources/nearby" in paths,
            command="/api/v1/plans" in paths,
        ),
        map=MapConfig(
            base=_tiles(settings.map_tiles_url, settings),
            labels=_tiles(settings.map_tiles_labels_url, settings),
            crs=settings.map_tiles_crs,
            max_zoom=settings.map_tiles_max_zoom,
        ),
    )


@router.get("/outline")
def get_outline(
    principal: Principal = Depends(AUTHENTICATED), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """区界: the union of the sub-districts the caller may see, as a GeoJSON Feature."""
    return service.district_outline(db, territory=principal.territory())


@router.get("/stats")
def get_stats(
    days: int = Query(30, ge=1, le=366, description="统计天数 / days counted"),
    principal: Principal = Depends(INCIDENT_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """统计: incidents of the last ``days`` days by category class, level, sub-district,
    channel and status, the hourly (48 h) and daily trends, and how many are open now."""
    return service.incident_stats(db, territory=principal.territory(), days=days, now=utcnow())


@router.get("/open-incidents")
def get_open_incidents(
    principal: Principal = Depends(INCIDENT_READ), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """未结事件: every open incident the caller may see, compactly, for the map and the duty
    queue; the stream (``/api/v1/stream``) keeps them current afterwards."""
    items = service.open_incidents(db, territory=principal.territory())
    return {"items": items, "total": len(items)}


def _list(value: str | None, field: str, allowed: frozenset[str]) -> list[str] | None:
    if not value:
        return None
    items = [x.strip() for x in value.split(",") if x.strip()]
    bad = [x for x in items if x not in allowed]
    if bad:
        raise invalid(field, f"未知取值：{', '.join(bad)}", f"Unknown value: {', '.join(bad)}")
    return items


@router.get(
    "/incidents.xlsx", response_class=Response, responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}}
)
def export_incidents(
    status: str | None = Query(None, description="状态，可逗号分隔"),
    level: str | None = Query(None, description="级别 I–IV，可逗号分隔"),
    category: str | None = Query(None, max_length=8, description="GB/T 35561 代码或前缀"),
    subdistrict: str | None = Query(None, max_length=32),
    headquarters: str | None = Query(None, max_length=32),
    channel: str | None = Query(None, max_length=16),
    since: datetime | None = Query(None, description="发生时间起（含）"),
    until: datetime | None = Query(None, description="发生时间止（不含）"),
    lang: str = Query("zh", pattern="^(zh|en)$", description="表头语言 / header language"),
    sort: str | None = Depends(sort_param),
    principal: Principal = Depends(INCIDENT_READ),
    db: Session = Depends(get_db),
) -> Response:
    """导出 Excel: the incident list with the same filters as ``GET /api/v1/incidents``,
    newest first, at most 50,000 rows; a sub-district account gets its own incidents only."""
    if subdistrict:
        principal.require_subdistrict(subdistrict)
    filters = {
        "status": _list(status, "status", stats.STATUS_KEYS),
        "level": _list(level.upper() if level else None, "level", frozenset(stats.LEVELS)),
        "category": category,
        "subdistrict": subdistrict,
        "headquarters": headquarters,
        "channel": channel,
        "since": since,
        "until": until,
        "sort": sort,
    }
    body, rows = service.export_incidents(
        db, territory=principal.territory(), en=lang == "en", filters=filters
    )
    stamp = f"{utcnow():%Y%m%d-%H%M}"
    name = f"{'incidents' if lang == 'en' else '事件列表'}-{stamp}.xlsx"
    return Response(
        body,
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": content_disposition(name, f"incidents-{stamp}.xlsx"),
            "X-Row-Count": str(rows),
        },
    )
