"""The dashboard's configuration endpoint: what the browser needs to know before it draws."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from yingji import __version__
from yingji.auth.permissions import AUTHENTICATED
from yingji.auth.principal import Principal
from yingji.config import Settings
from yingji.core.deps import get_db, get_settings_dep
from yingji.dashboard import service
from yingji.dashboard.schemas import DashboardConfig, Features, MapConfig, TileLayerConfig

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard 指挥大屏"])


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
