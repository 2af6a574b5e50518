"""API shapes of the dashboard's own endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TileLayerConfig(BaseModel):
    """One XYZ tile source as Leaflet takes it."""

    url: str = Field(description="XYZ 模板 / XYZ template with {z}/{x}/{y}")
    subdomains: str = ""
    attribution: str = ""


class MapConfig(BaseModel):
    source: Literal["none", "custom", "tianditu", "amap", "offline"] = Field(
        default="none",
        description=(
            "底图来源：天地图、高德（GCJ-02）、平台自带离线瓦片、自定义 XYZ 或无 / base map source"
        ),
    )
    base: TileLayerConfig | None = Field(
        description="底图；为空时只显示矢量图层 / base tiles; none: vector layers only"
    )
    labels: TileLayerConfig | None = None
    crs: Literal["wgs84", "gcj02"] = Field(
        description="瓦片坐标系；gcj02 时前端把 WGS-84 要素转换后绘制 / tile datum"
    )
    max_zoom: int


class Features(BaseModel):
    """Which APIs this server has, so the dashboard shows only pages that work."""

    incidents: bool = Field(description="事件接口 /api/v1/incidents")
    stream: bool = Field(description="实时推送 /api/v1/stream")
    stats: bool = Field(description="统计 /api/v1/dashboard/stats")
    resources: bool = Field(
        default=False, description="应急资源 /api/v1/resources（物资、队伍、专家、微型站、视频）"
    )
    command: bool = Field(
        default=False, description="指挥调度 /api/v1/plans（预案、任务、值班、会商、预警、评估）"
    )


class DashboardConfig(BaseModel):
    version: str
    map: MapConfig
    features: Features
