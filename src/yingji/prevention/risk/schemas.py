"""API shapes of risk points, hazard sources, assessments, controls and rule tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.validators import Input, OptionalPhone, Patch

Name = Annotated[str, Field(min_length=1, max_length=128)]
PointKind = Literal["facility", "activity", "site", "unit"]
ControlKind = Literal["engineering", "management", "training", "ppe", "emergency"]
ControlLevel = Literal["company", "workshop", "team", "post"]


class RiskPointIn(Input):
    enterprise_code: Annotated[str, Field(min_length=18, max_length=18)]
    code: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")]
    name: Name
    kind: PointKind
    unit_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    location: str = Field(default="", max_length=256)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    tag: str | None = Field(default=None, min_length=4, max_length=64)
    responsible_name: str = Field(default="", max_length=64)
    responsible_phone: OptionalPhone = ""
    nullable: ClassVar[frozenset[str]] = frozenset({"unit_id", "lon", "lat", "tag"})


class RiskPointPatch(Patch):
    name: Name | None = None
    kind: PointKind | None = None
    location: str | None = Field(default=None, max_length=256)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    responsible_name: str | None = Field(default=None, max_length=64)
    responsible_phone: OptionalPhone | None = None
    control_level: ControlLevel | None = None
    active: bool | None = None
    nullable: ClassVar[frozenset[str]] = frozenset({"lon", "lat"})


class RiskPointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_code: str
    code: str
    name: str
    kind: str
    unit_id: int | None
    location: str
    lon: float | None
    lat: float | None
    tag: str
    responsible_name: str
    responsible_phone: str
    colour: str | None
    score: float | None
    level: str
    control_level: str | None
    active: bool
    sources: int = 0
    controls: int = 0


class HazardSourceIn(Input):
    risk_point_id: int = Field(ge=1, le=2**31 - 1)
    name: Annotated[str, Field(min_length=1, max_length=200)]
    hazard_types: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        min_length=1, max_length=10, description="GB 6441 事故类别：火灾、爆炸、中毒和窒息…"
    )
    consequence: str = Field(default="", max_length=500)


class HazardSourcePatch(Patch):
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    hazard_types: list[Annotated[str, Field(min_length=1, max_length=16)]] | None = Field(
        default=None, min_length=1, max_length=10
    )
    consequence: str | None = Field(default=None, max_length=500)


class HazardSourceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    risk_point_id: int
    enterprise_code: str
    name: str
    hazard_types: list[str]
    consequence: str


class LecIn(Input):
    method: Literal["LEC"]
    l: float = Field(description="L 事故发生的可能性：0.1, 0.2, 0.5, 1, 3, 6, 10")  # noqa: E741
    e: float = Field(description="E 暴露于危险环境的频繁程度：0.5, 1, 2, 3, 6, 10")
    c: float = Field(description="C 发生事故可能造成的后果：1, 3, 7, 15, 40, 100")
    note: str = Field(default="", max_length=500)


class LsIn(Input):
    method: Literal["LS"]
    l: int = Field(description="L 可能性 1–5")  # noqa: E741
    s: int = Field(description="S 严重程度 1–5")
    note: str = Field(default="", max_length=500)


class DirectIn(Input):
    method: Literal["direct"]
    items: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(max_length=20)
    note: str = Field(default="", max_length=500)


AssessmentIn = Annotated[LecIn | LsIn | DirectIn, Field(discriminator="method")]


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    risk_point_id: int
    method: str
    inputs: dict[str, Any]
    score: float | None
    colour: str
    level: str
    rule_kind: str
    rule_version: int
    rule_confirmed: bool
    assessed_by: str
    assessed_at: datetime
    note: str
    enterprise_colour: str | None = None


class ControlIn(Input):
    kind: ControlKind
    content: Annotated[str, Field(min_length=1, max_length=500)]
    control_level: ControlLevel | None = None
    responsible_name: Annotated[str, Field(min_length=1, max_length=64)]
    responsible_phone: OptionalPhone = ""
    nullable: ClassVar[frozenset[str]] = frozenset({"control_level"})


class ControlPatch(Patch):
    kind: ControlKind | None = None
    content: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    control_level: ControlLevel | None = None
    responsible_name: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    responsible_phone: OptionalPhone | None = None
    active: bool | None = None


class ControlRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    risk_point_id: int
    enterprise_code: str
    kind: str
    content: str
    control_level: str
    responsible_name: str
    responsible_phone: str
    active: bool


class RiskPointDetail(RiskPointRead):
    hazard_sources: list[HazardSourceRead]
    control_measures: list[ControlRead]
    latest: AssessmentRead | None


class RuleTableRead(BaseModel):
    kind: str
    title_zh: str
    title_en: str
    version: int
    effective_from: date
    confirmed: bool
    source: str
    body: Any


class RuleTableIn(Input):
    body: Any
    effective_from: date
    confirmed: bool = False
    source: str = Field(default="", max_length=500)
    note: str = Field(default="", max_length=500)


class RiskFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Any]


class RiskMap(BaseModel):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[RiskFeature]
    counts: dict[str, int]
