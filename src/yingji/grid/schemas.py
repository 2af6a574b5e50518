"""API shapes of grid items."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from yingji.core.errors import ZhValueError
from yingji.core.validators import Patch, check_lon_lat, normalize_phone, parse_geometry
from yingji.geo.transform import Crs
from yingji.grid.vocab import parse_patrol_cycle, parse_point_kind
from yingji.org.schemas import LocalForceRead


class _ResponsibleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    responsible_name: str
    responsible_phone: str
    responsible_title: str
    patrol_cycle: str
    notes: str
    updated_at: datetime


class AreaRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    subdistrict_code: str
    households: int
    population: int
    geometry: dict[str, Any]


class LineRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    subdistrict_code: str
    area_code: str | None
    length_m: float
    geometry: dict[str, Any]


class PointRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    kind: str
    subdistrict_code: str
    area_code: str | None
    line_code: str | None
    lon: float
    lat: float
    address: str
    fire_extinguishers: int
    geometry: dict[str, Any]


# --- writes ------------------------------------------------------------------------------------
#
# One field type per ledger column, shared by the create and update shapes, the API and the
# ledger importer, so a value is checked the same way wherever it comes from.

AREA_GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
LINE_GEOMETRY_TYPES = ("LineString", "MultiLineString")


def _area_geometry(value: Any) -> dict[str, Any]:
    return parse_geometry(value, expected=AREA_GEOMETRY_TYPES).geojson


def _line_geometry(value: Any) -> dict[str, Any]:
    return parse_geometry(value, expected=LINE_GEOMETRY_TYPES).geojson


def _lon(value: Any) -> float:
    return check_lon_lat(value, 0.0)[0]


def _lat(value: Any) -> float:
    return check_lon_lat(0.0, value)[1]


def _phone(value: Any) -> str:
    return normalize_phone(value)


# Path segments of the ledger endpoints, which a code would shadow in /grid/{kind}/{code}.
RESERVED_CODES = frozenset({"export", "import"})


def _not_reserved(value: str) -> str:
    if value.lower() in RESERVED_CODES:
        raise ZhValueError(f"编码不能为保留字 {value}", f"Code {value!r} is reserved")
    return value


def _optional_code(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[0-9A-Za-z][0-9A-Za-z_.\-]*$"
    ),
    AfterValidator(_not_reserved),
]
RefCode = Annotated[Code | None, BeforeValidator(_optional_code)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=256)]
Phone = Annotated[str, BeforeValidator(_phone)]
PatrolCycle = Annotated[str, BeforeValidator(parse_patrol_cycle)]
PointKind = Annotated[str, BeforeValidator(parse_point_kind)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
AreaGeometry = Annotated[dict[str, Any], BeforeValidator(_area_geometry)]
LineGeometry = Annotated[dict[str, Any], BeforeValidator(_line_geometry)]
Lon = Annotated[float, BeforeValidator(_lon)]
Lat = Annotated[float, BeforeValidator(_lat)]

# Fields that may be set to null on update; every other field needs a value.
NULLABLE_FIELDS = frozenset({"area_code", "line_code"})


class _Write(Patch):
    """Grid bodies: the shared input rules; only the references in NULLABLE_FIELDS take null."""

    nullable = NULLABLE_FIELDS


class _ResponsibleCreate(_Write):
    responsible_name: Short = ""
    responsible_phone: Phone = ""
    responsible_title: Short = ""
    patrol_cycle: PatrolCycle = "daily"
    notes: Notes = ""


class _ResponsibleUpdate(_Write):
    responsible_name: Short | None = None
    responsible_phone: Phone | None = None
    responsible_title: Short | None = None
    patrol_cycle: PatrolCycle | None = None
    notes: Notes | None = None


class AreaCreate(_ResponsibleCreate):
    """A new 面. ``subdistrict_code`` defaults to a sub-district operator's own."""

    code: Code
    name: Name
    subdistrict_code: Code | None = None
    geometry: AreaGeometry
    households: Count = 0
    population: Count = 0


class AreaUpdate(_ResponsibleUpdate):
    """Fields of a 面 to change; the code never changes."""

    name: Name | None = None
    subdistrict_code: Code | None = None
    geometry: AreaGeometry | None = None
    households: Count | None = None
    population: Count | None = None


class LineCreate(_ResponsibleCreate):
    """A new 线 (street); its length is computed from the geometry."""

    code: Code
    name: Name
    subdistrict_code: Code | None = None
    area_code: RefCode = None
    geometry: LineGeometry


class LineUpdate(_ResponsibleUpdate):
    name: Name | None = None
    subdistrict_code: Code | None = None
    area_code: RefCode = None
    geometry: LineGeometry | None = None


class PointCreate(_ResponsibleCreate):
    """A new 点 (shop, building, school...) at a WGS-84 position."""

    code: Code
    name: Name
    kind: PointKind
    subdistrict_code: Code | None = None
    area_code: RefCode = None
    line_code: RefCode = None
    lon: Lon
    lat: Lat
    address: Address = ""
    fire_extinguishers: Count = 0


class PointUpdate(_ResponsibleUpdate):
    name: Name | None = None
    kind: PointKind | None = None
    subdistrict_code: Code | None = None
    area_code: RefCode = None
    line_code: RefCode = None
    lon: Lon | None = None
    lat: Lat | None = None
    address: Address | None = None
    fire_extinguishers: Count | None = None


class ImportResult(BaseModel):
    """What a ledger import did (or, on a dry run, would do)."""

    kind: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int


class ResponsibleRead(BaseModel):
    """责任人 of a grid item."""

    name: str
    phone: str
    title: str


class Coordinates(BaseModel):
    lon: float
    lat: float


class LocateInput(BaseModel):
    lon: float
    lat: float
    crs: Crs


class LocatedSubdistrict(BaseModel):
    code: str
    name: str


class LocatedArea(BaseModel):
    code: str
    name: str
    responsible: ResponsibleRead


class LocatedLine(BaseModel):
    code: str
    name: str
    distance_m: float
    responsible: ResponsibleRead


class LocatedPoint(BaseModel):
    code: str
    name: str
    kind: str
    address: str
    lon: float
    lat: float
    distance_m: float
    responsible: ResponsibleRead


class LocateResult(BaseModel):
    """Where a position lies: sub-district and its local force, area, nearest line and point.

    ``line`` and ``point`` are the nearest of the same sub-district within ``max_distance_m``
    (null if none); ``area`` is null where no grid area covers the position.
    """

    input: LocateInput
    wgs84: Coordinates
    max_distance_m: float
    subdistrict: LocatedSubdistrict
    local_force: LocalForceRead | None
    area: LocatedArea | None
    line: LocatedLine | None
    point: LocatedPoint | None
