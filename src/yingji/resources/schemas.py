"""API shapes of the resources domain. Quantities travel as plain numbers in the item's unit;
phone numbers are checked and normalised by :func:`yingji.core.validators.normalize_phone`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from yingji.core.errors import ZhValueError
from yingji.core.validators import Input, OptionalPhone, Patch, Phone
from yingji.geo.transform import Crs
from yingji.resources.quantities import from_milli

Code = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=128)]
Quantity = Annotated[
    Decimal, Field(description="数量（物资的计量单位）/ quantity in the item's unit")
]
OwnerType = Literal["department", "subdistrict"]


class _In(Input):
    """Request bodies: the shared input rules (core.validators.Input)."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Placed(_In):
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: Crs = Crs.wgs84


# --- supplies -------------------------------------------------------------------------------


class ItemWrite(_In):
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Z0-9_\-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=64)]
    name_en: str = Field(default="", max_length=64)
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    whole_units: bool = True
    major_class: int = Field(ge=1, le=3, description="GB/T 38565-2020 大类 1/2/3")
    category: str = Field(max_length=32)
    gb_code: Annotated[str | None, AfterValidator(lambda v: v or None)] = Field(
        default=None, max_length=7, description="GB/T 38565-2020 七位编码（可空）"
    )
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500)
    min_stock: Quantity = Decimal(0)
    spec: str = Field(default="", max_length=128)


class ItemRead(_Out):
    code: str
    name: str
    name_en: str
    unit: str
    whole_units: bool
    major_class: int
    major_class_name: str
    category: str
    category_name: str
    gb_code: str | None
    shelf_life_days: int | None
    min_stock: float
    spec: str


class WarehouseCreate(_Placed):
    code: Code
    name: Name
    owner_type: OwnerType
    owner_code: Code
    address: str = Field(default="", max_length=256)
    keeper_name: Annotated[str, Field(min_length=1, max_length=64)]
    keeper_phone: Phone
    area_m2: float = Field(default=0.0, ge=0)
    notes: str = Field(default="", max_length=500)


class WarehouseUpdate(Patch):
    name: Name | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Crs = Crs.wgs84
    address: str | None = Field(default=None, max_length=256)
    keeper_name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    keeper_phone: Phone | None = None
    area_m2: float | None = Field(default=None, ge=0)
    notes: str | None = Field(default=None, max_length=500)


class StockLine(BaseModel):
    item_code: str
    item_name: str
    unit: str
    quantity: float
    usable_quantity: float


class WarehouseRead(_Out):
    id: int
    code: str
    name: str
    owner_type: str
    owner_code: str
    subdistrict_code: str
    lon: float
    lat: float
    address: str
    keeper_name: str
    keeper_phone: str
    area_m2: float
    notes: str
    updated_at: datetime
    can_write: bool = False
    stock: list[StockLine] | None = None


class DistrictStockRead(BaseModel):
    item_code: str
    item_name: str
    unit: str
    category: str
    quantity: float
    usable_quantity: float
    warehouses: int


class BatchRead(_Out):
    id: int
    warehouse_id: int
    item_code: str
    batch_no: str
    production_date: date | None
    expiry_date: date | None
    quantity: float
    received_at: datetime

    @classmethod
    def of(cls, b: Any) -> BatchRead:
        return cls.model_validate({**_cols(b), "quantity": from_milli(b.quantity_milli)})


class MovementRead(_Out):
    id: int
    at: datetime
    kind: str
    warehouse_id: int
    batch_id: int
    item_code: str
    quantity: float
    balance_after: float
    incident_ref: str | None
    counterpart_warehouse_id: int | None
    allocation_id: int | None
    request_id: int | None
    group_id: str
    reason: str
    actor_name: str

    @classmethod
    def of(cls, m: Any) -> MovementRead:
        return cls.model_validate(
            {
                **_cols(m),
                "quantity": from_milli(m.quantity_milli),
                "balance_after": from_milli(m.balance_after_milli),
            }
        )


class ReceiveIn(_In):
    item_code: Code
    quantity: Quantity
    batch_no: Annotated[str, Field(min_length=1, max_length=64)]
    production_date: date | None = None
    expiry_date: date | None = None
    reason: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _dates(self) -> ReceiveIn:
        if self.production_date and self.expiry_date and self.expiry_date < self.production_date:
            raise ZhValueError(
                "有效期不能早于生产日期", "Expiry date cannot be before the production date"
            )
        return self


class TakeIn(_In):
    kind: Literal["out", "allocate", "write_off"]
    item_code: Code
    quantity: Quantity
    batch_id: int | None = None
    incident_ref: str | None = Field(default=None, min_length=1, max_length=64)
    reason: str = Field(default="", max_length=500)


class TransferIn(_In):
    to_warehouse_id: int
    item_code: Code
    quantity: Quantity
    reason: str = Field(default="", max_length=500)


class ReturnIn(_In):
    allocation_id: int
    quantity: Quantity
    reason: str = Field(default="", max_length=500)


class ThresholdIn(_In):
    item_code: Code
    min_quantity: Quantity


class TargetIn(_In):
    year: int
    item_code: Code
    quantity: Quantity


class TargetRead(BaseModel):
    year: int
    item_code: str
    quantity: float


class GapLineRead(BaseModel):
    item_code: str
    item_name: str
    unit: str
    target: float
    stock: float
    gap: float
    coverage: float


class GapCategory(BaseModel):
    category: str
    category_name: str
    lines: list[GapLineRead]
    items_short: int


class GapReport(BaseModel):
    year: int
    as_of: date
    categories: list[GapCategory]
    items_targeted: int
    items_short: int


class LowStockRead(BaseModel):
    warehouse_id: int
    warehouse_name: str
    item_code: str
    item_name: str
    unit: str
    quantity: float
    min_quantity: float


class ExpiringRead(BaseModel):
    warehouse_id: int
    warehouse_name: str
    batch_id: int
    batch_no: str
    item_code: str
    item_name: str
    quantity: float
    expiry_date: date
    days_left: int
    expired: bool


class AlertsRead(BaseModel):
    as_of: date
    within_days: int
    low_stock: list[LowStockRead]
    expiring: list[ExpiringRead]


class ShareRequestIn(_In):
    from_warehouse_id: int
    to_warehouse_id: int
    item_code: Code
    quantity: Quantity
    reason: str = Field(default="", max_length=500)
    incident_ref: str | None = Field(default=None, min_length=1, max_length=64)


class DecisionIn(_In):
    approve: bool
    note: str = Field(default="", max_length=500)


class ShareRequestRead(_Out):
    id: int
    status: str
    from_warehouse_id: int
    to_warehouse_id: int
    item_code: str
    quantity: float
    reason: str
    incident_ref: str | None
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str

    @classmethod
    def of(cls, r: Any) -> ShareRequestRead:
        return cls.model_validate({**_cols(r), "quantity": from_milli(r.quantity_milli)})


class DecisionRead(BaseModel):
    request: ShareRequestRead
    movements: list[MovementRead]


class ImportResult(BaseModel):
    rows: int
    movements: int


# --- teams, experts, stations, videos -------------------------------------------------------


class EquipmentLine(_In):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: int = Field(default=1, ge=0, le=100_000)
    unit: str = Field(default="", max_length=16)


class _StoredLine(BaseModel):
    """A line stored as written (from the input model below): every key, no checks again."""

    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)


class EquipmentRead(_StoredLine):
    name: str
    quantity: int = 1
    unit: str = ""


class TeamCreate(_Placed):
    code: Code
    name: Name
    kind: Literal["professional", "flood", "social", "enterprise"]
    owner_type: Literal["department", "subdistrict", "none"] = "none"
    owner_code: str = Field(default="", max_length=32)
    skills: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default=[], max_length=30
    )
    equipment: list[EquipmentLine] = Field(default=[], max_length=200)
    leader_name: str = Field(default="", max_length=64)
    leader_phone: OptionalPhone = ""
    duty_phone: OptionalPhone = ""
    address: str = Field(default="", max_length=256)
    agreement_until: date | None = None


class TeamUpdate(Patch):
    nullable = frozenset({"agreement_until"})

    name: Name | None = None
    skills: list[Annotated[str, Field(min_length=1, max_length=32)]] | None = None
    equipment: list[EquipmentLine] | None = None
    leader_name: str | None = Field(default=None, max_length=64)
    leader_phone: OptionalPhone | None = None
    duty_phone: OptionalPhone | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Crs = Crs.wgs84
    address: str | None = Field(default=None, max_length=256)
    agreement_until: date | None = None


class TeamRead(_Out):
    id: int
    code: str
    name: str
    kind: str
    kind_name: str
    owner_type: str
    owner_code: str
    skills: list[str]
    equipment: list[EquipmentRead]
    leader_name: str
    leader_phone: str
    duty_phone: str
    lon: float
    lat: float
    subdistrict_code: str
    address: str
    agreement_until: date | None
    status: str
    status_incident_ref: str | None
    status_changed_at: datetime
    members: int = 0


class MemberIn(_In):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    role: str = Field(default="队员", max_length=32)
    phone: Phone
    skills: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default=[], max_length=30
    )
    certificates: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default=[], max_length=30
    )


class MemberUpdate(Patch):
    name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    role: str | None = Field(default=None, max_length=32)
    phone: Phone | None = None
    skills: list[Annotated[str, Field(min_length=1, max_length=32)]] | None = Field(
        default=None, max_length=30
    )
    certificates: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        default=None, max_length=30
    )


class MemberRead(_Out):
    id: int
    team_id: int
    name: str
    role: str
    phone: str
    skills: list[str]
    certificates: list[str]


class DispatchIn(_In):
    incident_ref: Annotated[str, Field(min_length=1, max_length=64)]


class DutyIn(_In):
    on_duty: bool


class ExpertCreate(_Placed):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=64)]
    specialties: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        min_length=1, max_length=10
    )
    title: str = Field(default="", max_length=64)
    organisation: str = Field(default="", max_length=128)
    phone: Phone
    email: str = Field(default="", max_length=128, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    availability: Literal["available", "busy", "unavailable"] = "available"


class ExpertUpdate(Patch):
    specialties: list[Annotated[str, Field(min_length=1, max_length=32)]] | None = None
    title: str | None = Field(default=None, max_length=64)
    organisation: str | None = Field(default=None, max_length=128)
    phone: Phone | None = None
    email: str | None = Field(
        default=None, max_length=128, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    availability: Literal["available", "busy", "unavailable"] | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Crs = Crs.wgs84


class ExpertRead(_Out):
    id: int
    code: str
    name: str
    specialties: list[str]
    title: str
    organisation: str
    phone: str
    email: str
    availability: str
    lon: float
    lat: float
    subdistrict_code: str


class StationMember(_In):
    name: Annotated[str, Field(min_length=1, max_length=64)]
    role: str = Field(default="队员", max_length=32)
    phone: Phone


class Vehicle(_In):
    kind: Literal["patrol_car", "fire_motorcycle", "fire_truck", "ambulance", "other"]
    plate: str = Field(default="", max_length=16)
    count: int = Field(default=1, ge=1, le=100)


class StationMemberRead(_StoredLine):
    name: str
    role: str = "队员"
    phone: str


class VehicleRead(_StoredLine):
    kind: str
    plate: str = ""
    count: int = 1


class StationCreate(_Placed):
    code: Code
    name: Name
    address: str = Field(default="", max_length=256)
    leader_name: str = Field(default="", max_length=64)
    duty_phone: OptionalPhone = ""
    members: list[StationMember] = Field(default=[], max_length=200)
    vehicles: list[Vehicle] = Field(default=[], max_length=50)
    equipment: list[EquipmentLine] = Field(default=[], max_length=200)
    facilities: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default=[], max_length=20
    )


class StationUpdate(Patch):
    name: Name | None = None
    address: str | None = Field(default=None, max_length=256)
    leader_name: str | None = Field(default=None, max_length=64)
    duty_phone: OptionalPhone | None = None
    members: list[StationMember] | None = None
    vehicles: list[Vehicle] | None = None
    equipment: list[EquipmentLine] | None = None
    facilities: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = None


class StationRead(_Out):
    id: int
    code: str
    name: str
    subdistrict_code: str
    lon: float
    lat: float
    address: str
    leader_name: str
    duty_phone: str
    members: list[StationMemberRead]
    vehicles: list[VehicleRead]
    equipment: list[EquipmentRead]
    facilities: list[str]
    trainings: int = 0
    drills: int = 0


class SessionIn(_In):
    kind: Literal["training", "drill"]
    title: Annotated[str, Field(min_length=1, max_length=128)]
    held_on: date
    participants: int = Field(default=0, ge=0, le=100_000)
    notes: str = Field(default="", max_length=500)


class SessionRead(_Out):
    id: int
    station_id: int
    kind: str
    title: str
    held_on: date
    participants: int
    notes: str


class VideoCreate(_Placed):
    code: Code
    name: Name
    owner_department_code: Code
    stream_kind: Literal["hls", "rtsp", "snapshot"]
    stream_url: Annotated[str, Field(min_length=1, max_length=500)]
    view_range_m: float = Field(default=150.0, gt=0, le=5000)
    status: Literal["online", "offline", "fault"] = "online"

    @model_validator(mode="after")
    def _scheme(self) -> VideoCreate:
        check_stream(self.stream_kind, self.stream_url)
        return self


class VideoUpdate(Patch):
    name: Name | None = None
    stream_kind: Literal["hls", "rtsp", "snapshot"] | None = None
    stream_url: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    view_range_m: float | None = Field(default=None, gt=0, le=5000)
    status: Literal["online", "offline", "fault"] | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Crs = Crs.wgs84


class VideoRead(_Out):
    id: int
    code: str
    name: str
    owner_department_code: str
    lon: float
    lat: float
    subdistrict_code: str
    stream_kind: Literal["hls", "rtsp", "snapshot"]
    stream_url: str
    view_range_m: float
    status: Literal["online", "offline", "fault"]
    status_checked_at: datetime | None


def check_stream(kind: str, url: str) -> None:
    """HLS and snapshots are fetched over http(s), RTSP over rtsp(s); HLS is a playlist."""
    schemes = {"hls": ("http://", "https://"), "snapshot": ("http://", "https://"),
               "rtsp": ("rtsp://", "rtsps://")}  # fmt: skip
    if not url.lower().startswith(schemes[kind]):
        raise ZhValueError(
            f"{kind} 视频地址应以 {' 或 '.join(schemes[kind])} 开头",
            f"A {kind} stream address starts with {' or '.join(schemes[kind])}",
        )
    if kind == "hls" and ".m3u8" not in url.lower():
        raise ZhValueError(
            "HLS 地址应指向 .m3u8 播放列表", "An HLS address points to a .m3u8 playlist"
        )


# --- nearby ---------------------------------------------------------------------------------


class NearbyRow(BaseModel):
    """One resource near the point: what the index keeps of it, with its distance; the other
    keys are its kind's own (skills, phone, ``stock`` of the item asked for, ``sees_point``)."""

    model_config = ConfigDict(extra="allow")
    id: int
    distance_m: float
    lon: float
    lat: float
    code: str
    name: str


class NearbyRead(BaseModel):
    center: dict[str, float]
    incident_id: str | None
    radius_m: float
    kinds: list[str]
    totals: dict[str, int]
    results: dict[str, list[NearbyRow]]


# --- the dashboard's summary, map layers, supplies categories ---------------------------------


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamKindCount(_Shape):
    total: int
    by_status: dict[str, int]
    members: int


class ExpertCounts(_Shape):
    total: int
    by_availability: dict[str, int]
    by_specialty: dict[str, int]


class StationCounts(_Shape):
    total: int
    vehicles: dict[str, int] = Field(description="车辆按类型计数 / vehicles by kind")


class VideoCounts(_Shape):
    total: int
    by_status: dict[str, int]


class SuppliesCounts(_Shape):
    warehouses: int
    low_stock: int
    expiring: int
    pending_requests: int


class ResourcesSummary(_Shape):
    """The resources at a glance: teams by kind, experts, stations, cameras, supplies alerts."""

    teams: dict[str, TeamKindCount]
    experts: ExpertCounts
    stations: StationCounts
    videos: VideoCounts
    supplies: SuppliesCounts


class PointGeometry(_Shape):
    type: Literal["Point"]
    coordinates: tuple[float, float] = Field(description="[经度, 纬度] WGS-84 / [lon, lat]")


class LayerProperties(BaseModel):
    """``layer`` names the layer; the other keys are those the nearby search shows."""

    model_config = ConfigDict(extra="allow")
    layer: Literal["teams", "experts", "warehouses", "stations", "videos"]
    kind: str
    id: int
    code: str
    name: str


class LayerFeature(_Shape):
    type: Literal["Feature"]
    id: str = Field(description="kind:id")
    geometry: PointGeometry
    properties: LayerProperties


class MapLayers(_Shape):
    """A GeoJSON FeatureCollection (RFC 7946) of every resource of the kinds asked for."""

    type: Literal["FeatureCollection"]
    features: list[LayerFeature]


class NamedCode(_Shape):
    code: str
    name: str
    name_en: str


class MajorClass(_Shape):
    """A GB/T 38565-2020 major class: its number (1, 2, 3), as ItemWrite.major_class takes it."""

    code: int
    name: str
    name_en: str


class SupplyCategories(_Shape):
    categories: list[NamedCode] = Field(description="储备类别 / reserve categories")
    major_classes: list[MajorClass] = Field(description="GB/T 38565-2020 大类 / major classes")


def _cols(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns}
