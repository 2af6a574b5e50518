"""API shapes of the dashboard's own endpoints."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.intake.schemas import Channel, Level


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


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutlineProperties(_Out):
    subdistricts: list[str] = Field(description="所含街道代码 / the sub-districts' codes")


class DistrictOutline(_Out):
    """区界: a GeoJSON Feature (RFC 7946), WGS-84; ``geometry`` is null with no boundary."""

    type: Literal["Feature"]
    geometry: dict[str, Any] | None
    properties: OutlineProperties


class StatsBucket(_Out):
    key: str
    name: str
    name_en: str
    count: int


class StatsPoint(_Out):
    at: str = Field(description="本地时间 ISO 8601 / local time")
    count: int


class IncidentStats(_Out):
    total: int
    open: int
    since: str
    until: str
    by_level: list[StatsBucket]
    by_category: list[StatsBucket]
    by_subdistrict: list[StatsBucket]
    by_channel: list[StatsBucket]
    by_status: list[StatsBucket]
    by_hour: list[StatsPoint]
    by_day: list[StatsPoint]
    everyday_help: int = Field(
        0, description="日常求助（9xxxx，非突发事件，不计入其余统计）/ everyday help requests"
    )


class BoardCategory(_Out):
    code: str | None
    display: str
    low_confidence: bool


class BoardRef(_Out):
    code: str
    name: str


IncidentStatus = Literal[
    "reported", "verified", "responding", "controlled", "closed", "false_alarm", "merged"
]


class BoardIncident(_Out):
    """An open incident as the live board draws it (intake's field names, fewer fields)."""

    id: int
    title: str
    status: IncidentStatus
    level: Level
    needs_assessment: bool
    category: BoardCategory
    occurred_at: str
    created_at: str
    updated_at: str
    lon: float | None
    lat: float | None
    address: str | None
    subdistrict: BoardRef | None
    headquarters: BoardRef | None
    report_count: int
    channels: list[Channel]
    overdue: bool


class OpenIncidents(_Out):
    items: list[BoardIncident]
    total: int
