"""API shapes of the enterprise ledger. Codes are checked by their standards: the credit code
by GB 32100-2015 (:mod:`yingji.core.creditcode`), the industry by GB/T 4754-2017's shape."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from yingji.core.creditcode import parse_credit_code
from yingji.core.validators import Input, OptionalPhone, Patch
from yingji.enterprise import vocab
from yingji.geo.transform import Crs

CreditCode = Annotated[
    str,
    Field(min_length=1, max_length=32, description="统一社会信用代码（GB 32100-2015）"),
    AfterValidator(parse_credit_code),
]
Industry = Annotated[
    str,
    Field(min_length=1, max_length=64, description="行业代码 GB/T 4754-2017，如 C2641"),
    AfterValidator(vocab.parse_industry),
]
Kind = Annotated[str, Field(max_length=64), AfterValidator(vocab.parse_kind)]
Grade = Annotated[str, Field(max_length=16), AfterValidator(vocab.parse_grade)]
LicenceKind = Annotated[str, Field(max_length=64), AfterValidator(vocab.parse_licence_kind)]
UnitKind = Annotated[str, Field(max_length=16), AfterValidator(vocab.parse_unit_kind)]
Name = Annotated[str, Field(min_length=1, max_length=128)]
Person = Annotated[str, Field(min_length=1, max_length=64)]
UnitCode = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]


class Contact(Input):
    name: Person
    role: str = Field(default="", max_length=32)
    phone: OptionalPhone = ""


class _Fields(Input):
    address: str = Field(default="", max_length=256)
    legal_rep_name: Person
    legal_rep_phone: OptionalPhone = ""
    principal_name: Person
    principal_phone: OptionalPhone = ""
    safety_manager_name: Person
    safety_manager_phone: OptionalPhone = ""
    contacts: list[Contact] = Field(default=[], max_length=20)
    employees: int = Field(default=0, ge=0, le=1_000_000)


class EnterpriseCreate(_Fields):
    code: CreditCode
    name: Name
    industry_code: Industry
    kind: Kind
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    crs: Crs = Crs.wgs84
    grid_point_code: str | None = Field(default=None, max_length=32)
    standardisation_grade: Grade = "none"
    standardisation_expiry: date | None = None
    has_major_hazard: bool = False
    nullable: ClassVar[frozenset[str]] = frozenset({"grid_point_code", "standardisation_expiry"})


class EnterprisePatch(Patch):
    name: Name | None = None
    industry_code: Industry | None = None
    kind: Kind | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    crs: Crs | None = None
    grid_point_code: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=256)
    legal_rep_name: Person | None = None
    legal_rep_phone: OptionalPhone | None = None
    principal_name: Person | None = None
    principal_phone: OptionalPhone | None = None
    safety_manager_name: Person | None = None
    safety_manager_phone: OptionalPhone | None = None
    contacts: list[Contact] | None = Field(default=None, max_length=20)
    employees: int | None = Field(default=None, ge=0, le=1_000_000)
    standardisation_grade: Grade | None = None
    standardisation_expiry: date | None = None
    has_major_hazard: bool | None = None
    active: bool | None = None
    nullable: ClassVar[frozenset[str]] = frozenset({"grid_point_code", "standardisation_expiry"})


class ContactRead(BaseModel):
    name: str
    role: str
    phone: str


class EnterpriseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    industry_code: str
    industry_label: str
    kind: str
    kind_label: str
    subdistrict_code: str
    grid_point_code: str | None
    address: str
    lon: float
    lat: float
    legal_rep_name: str
    legal_rep_phone: str
    principal_name: str
    principal_phone: str
    safety_manager_name: str
    safety_manager_phone: str
    contacts: list[ContactRead]
    employees: int
    standardisation_grade: str
    standardisation_label: str
    standardisation_expiry: date | None
    has_major_hazard: bool
    risk_colour: str | None
    risk_label: str
    risk_colour_at: datetime | None
    active: bool
    # licences that lapsed or lapse within the warning window (expiring_days, default 30)
    licences_expiring: int = 0
    licences_expired: int = 0
    updated_at: datetime


class LicenceIn(Input):
    kind: LicenceKind
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issuer: str = Field(default="", max_length=128)
    issued_on: date | None = None
    expires_on: date
    scope: str = Field(default="", max_length=500)
    nullable: ClassVar[frozenset[str]] = frozenset({"issued_on"})


class LicencePatch(Patch):
    number: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    issuer: str | None = Field(default=None, max_length=128)
    issued_on: date | None = None
    expires_on: date | None = None
    scope: str | None = Field(default=None, max_length=500)
    nullable: ClassVar[frozenset[str]] = frozenset({"issued_on"})


class LicenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_code: str
    kind: str
    kind_label: str
    number: str
    issuer: str
    issued_on: date | None
    expires_on: date
    scope: str
    # valid / expiring (within the window) / expired, on today's date in Beijing
    status: str


class UnitIn(Input):
    code: UnitCode
    name: Name
    kind: UnitKind
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    notes: str = Field(default="", max_length=500)
    nullable: ClassVar[frozenset[str]] = frozenset({"lon", "lat"})


class UnitPatch(Patch):
    name: Name | None = None
    kind: UnitKind | None = None
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    notes: str | None = Field(default=None, max_length=500)
    nullable: ClassVar[frozenset[str]] = frozenset({"lon", "lat"})


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_code: str
    code: str
    name: str
    kind: str
    kind_label: str
    lon: float | None
    lat: float | None
    notes: str


class EnterpriseDetail(EnterpriseRead):
    licences: list[LicenceRead]
    units: list[UnitRead]


class ImportRow(BaseModel):
    row: int
    code: str
    action: str


class ImportResult(BaseModel):
    created: int
    updated: int
    unchanged: int
    rows: list[ImportRow]


def enterprise_read(row: Any, *, expiring: int = 0, expired: int = 0) -> dict[str, Any]:
    """The read shape's fields of an Enterprise row, with the labels."""
    data = {c.key: getattr(row, c.key) for c in row.__table__.columns}
    data.update(
        industry_label=vocab.industry_label(row.industry_code),
        kind_label=vocab.label(vocab.ENTERPRISE_KINDS, row.kind),
        standardisation_label=vocab.label(vocab.STANDARDISATION_GRADES, row.standardisation_grade),
        risk_label=vocab.label(vocab.RISK_COLOUR_LABELS, row.risk_colour) or "未评估",
        licences_expiring=expiring,
        licences_expired=expired,
    )
    return data
