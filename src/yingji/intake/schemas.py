"""API shapes of the intake: the report model every channel maps to, and the answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from yingji.core.errors import ZhValueError
from yingji.core.validators import BigRowId, Input
from yingji.geo.transform import Crs
from yingji.intake.policy import MergePolicyDoc

Channel = Literal["notice", "grid", "public", "internet", "alarm", "sensor", "cap"]
CHANNEL_NAMES = {
    "notice": "上级通知",
    "grid": "网格上报",
    "public": "社会反映",
    "internet": "互联网监测",
    "alarm": "一键报警",
    "sensor": "物联感知",
    "cap": "外部预警（CAP）",
}
Level = Literal["I", "II", "III", "IV"]


class _Strict(Input):
    """Request bodies: the shared input rules (core.validators.Input)."""


LocationSource = Literal["gps", "cell", "wifi", "manual", "geocoded"]


class Location(_Strict):
    lon: float = Field(allow_inf_nan=False)
    lat: float = Field(allow_inf_nan=False)
    crs: Crs = Crs.wgs84
    # the sender's stated horizontal accuracy, and how the position was got (issue 13): a
    # cell-network position (110/119/120 linkage) without one counts a few hundred metres
    accuracy_m: float | None = Field(default=None, gt=0, le=50_000, allow_inf_nan=False)
    source: LocationSource | None = None


class Reporter(_Strict):
    name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)


_Count = Field(default=None, ge=0, le=10_000_000)


class Casualties(_Strict):
    deaths: int | None = _Count
    missing: int | None = _Count
    serious_injuries: int | None = _Count
    injuries: int | None = _Count
    trapped: int | None = _Count


class ReportIn(_Strict):
    """One report from any channel (the integration surface: keep these names)."""

    channel: Channel
    source_id: str = Field(min_length=1, max_length=128)
    occurred_at: AwareDatetime
    reported_at: AwareDatetime | None = None
    title: str = Field(default="", max_length=200)
    text: str = Field(default="", max_length=10_000)
    category_code: str | None = Field(default=None, max_length=8)
    location: Location | None = None
    address: str = Field(default="", max_length=256)
    reporter: Reporter | None = None
    casualties: Casualties | None = None
    direct_loss_cny: float | None = Field(default=None, ge=0, le=1e13, allow_inf_nan=False)
    affected_people: int | None = Field(default=None, ge=0, le=100_000_000)
    attachments: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
    extra: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _needs_content_and_place(self) -> ReportIn:
        if not self.title.strip() and not self.text.strip():
            raise ZhValueError("标题和内容不能都为空", "title and text cannot both be empty")
        if self.location is None and not self.address.strip():
            raise ZhValueError(
                "须提供坐标（location）或地址（address）", "location or address is required"
            )
        return self


class BatchIn(_Strict):
    reports: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


class CategoryRead(BaseModel):
    code: str | None
    names: list[str]
    display: str
    confidence: float
    low_confidence: bool
    source: str
    # the words of the report that decided the category (keyword rules), for the officer
    matched: list[str] = Field(default_factory=list)
    # a GB/T 35561 emergency (True) or one of the platform's everyday help classes (9xxxx,
    # 日常求助: routed, but out of the emergency statistics)
    emergency: bool = False


class NamedRef(BaseModel):
    code: str
    name: str


class ReportAccepted(BaseModel):
    report_id: int
    incident_id: int
    merged: bool
    replayed: bool = False
    level: Level
    needs_assessment: bool
    status: str
    category_code: CategoryRead
    subdistrict: NamedRef | None
    headquarters: NamedRef | None


class BatchItem(BaseModel):
    index: int
    status: int
    result: ReportAccepted | None = None
    error: dict[str, Any] | None = None


class BatchResult(BaseModel):
    items: list[BatchItem]
    accepted: int
    replayed: int
    rejected: int


class TimelineRead(BaseModel):
    """One timeline entry. A report's steps through the pipeline share the record ``id`` and
    are told apart by ``seq`` (0, 1, ...); other entries have ``seq`` 0."""

    id: int
    seq: int = 0
    at: datetime
    kind: str
    result: str
    duration_ms: float | None
    actor: dict[str, str]
    report_id: int | None
    message: str
    message_en: str
    data: dict[str, Any]


class RoutingRead(BaseModel):
    target_type: str
    target_code: str
    target_name: str
    reason: str
    routed_at: datetime
    withdrawn_at: datetime | None = None  # no longer routed there (a correction moved it)


class ReportRead(BaseModel):
    id: int
    channel: str
    source_id: str
    received_at: datetime
    occurred_at: datetime
    reported_at: datetime | None
    title: str
    text: str
    category_code: str | None
    lon: float | None
    lat: float | None
    address: str
    reporter: dict[str, str]
    casualties: dict[str, Any]
    direct_loss_cny: float | None
    merged: bool
    raw_body: str


class IncidentRead(BaseModel):
    id: int
    title: str
    status: str
    status_name: str
    level: Level
    needs_assessment: bool
    category: CategoryRead
    occurred_at: datetime
    created_at: datetime
    updated_at: datetime
    lon: float | None
    lat: float | None
    address: str
    subdistrict: NamedRef | None
    location: dict[str, Any]
    casualties: dict[str, int | None]
    direct_loss_cny: float | None
    affected_people: int | None
    report_count: int
    channels: list[str]
    headquarters: NamedRef | None
    # the scene's other categories (issue 13): ``category`` is the lead, the most serious;
    # each of these still routes to its department
    secondary_categories: list[CategoryRead] = Field(default_factory=list)
    trusted: bool
    production_safety: bool
    deadlines: list[dict[str, Any]]
    deadlines_done: list[str]
    overdue: bool
    next_statuses: list[str]
    merged_into_id: int | None = None  # status merged: the incident it joined
    level_floor: Level | None = None  # the level a duty officer set; recounts keep above it


class IncidentDetail(IncidentRead):
    reports: list[ReportRead]
    timeline: list[TimelineRead]
    routing: list[RoutingRead]


class TransitionIn(_Strict):
    to: Literal["reported", "verified", "responding", "controlled", "closed", "false_alarm"]
    reason: str = Field(default="", max_length=500)


class LevelRaiseIn(_Strict):
    level: Level
    reason: str = Field(min_length=1, max_length=500)


class DeadlineDoneIn(_Strict):
    step: Literal["county", "city", "province", "state"]
    note: str = Field(default="", max_length=500)


# ------------------------------------------------------------------ a duty officer's corrections
_Reason = Field(min_length=1, max_length=500, description="更正理由（必填）/ why (required)")


class MergeIn(_Strict):
    """Merge two or more incidents into the lead the officer picked."""

    incident_ids: list[BigRowId] = Field(max_length=50, description="待合并的事件（含主事件）")
    lead_id: BigRowId = Field(description="主事件：其余事件并入它 / the lead the others join")
    reason: str = _Reason


class SplitIn(_Strict):
    reason: str = _Reason


class MoveReportIn(_Strict):
    to_incident_id: BigRowId
    reason: str = _Reason


class ReclassifyIn(_Strict):
    category_code: str = Field(min_length=1, max_length=8)
    reason: str = _Reason


class RelocateIn(_Strict):
    """A point picked on the map (``lon``/``lat``, in ``crs``) or an address typed."""

    lon: float | None = Field(default=None, allow_inf_nan=False)
    lat: float | None = Field(default=None, allow_inf_nan=False)
    crs: Crs = Crs.wgs84
    address: str = Field(default="", max_length=256)
    reason: str = _Reason

    @model_validator(mode="after")
    def _point_or_address(self) -> RelocateIn:
        if (self.lon is None) != (self.lat is None):
            raise ZhValueError("经度和纬度须同时给出", "lon and lat go together")
        if self.lon is None and not self.address.strip():
            raise ZhValueError("须在地图上选点或填写地址", "pick a point or type an address")
        return self


class CorrectionRead(BaseModel):
    id: int
    at: datetime
    kind: Literal["merge", "split", "move", "reclassify", "relocate"]
    actor: dict[str, str]
    reason: str
    incident_id: int
    incident_ids: list[int]
    report_ids: list[int]
    data: dict[str, Any]


class CorrectionResult(BaseModel):
    """A correction's answer: the incident the reports are in now (the lead, the new one,
    the target, the incident re-classified or re-located), the others it changed, and the
    correction kept."""

    incident: IncidentRead
    others: list[IncidentRead]
    correction: CorrectionRead


class CategoryOption(BaseModel):
    """A category an officer may pick when re-classifying (GB/T 35561 and platform classes)."""

    code: str
    name: str
    name_en: str
    display: str


class MergePolicyRead(BaseModel):
    """The merge policy in force: ``source`` is ``shipped`` (data/merge_policy.json) until an
    admin saves one (``database``); ``revision`` counts the saves."""

    source: Literal["shipped", "database"]
    revision: int
    updated_at: datetime | None
    updated_by: str | None
    policy: MergePolicyDoc
