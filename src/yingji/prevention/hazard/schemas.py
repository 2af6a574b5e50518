"""API shapes of the hidden-hazard loop."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.validators import Input, OptionalPhone, Patch

Note = Annotated[str, Field(max_length=500)]
MediaIds = Annotated[list[Annotated[int, Field(ge=1, le=2**63 - 1)]], Field(max_length=20)]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class HazardIn(Input):
    enterprise_code: Annotated[str, Field(min_length=18, max_length=18)]
    description: Annotated[str, Field(min_length=1, max_length=1000)]
    criteria: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default=[], max_length=20, description="勾选的重大隐患判定标准条目；任一条即为重大隐患"
    )
    risk_point_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    location: str = Field(default="", max_length=256)
    media_ids: MediaIds = Field(default_factory=list)
    nullable: ClassVar[frozenset[str]] = frozenset({"risk_point_id"})


class HazardPatch(Patch):
    """Description and place only: the deadline moves by an extension, the state by steps."""

    description: Annotated[str, Field(min_length=1, max_length=1000)] | None = None
    location: str | None = Field(default=None, max_length=256)
    responsible_name: str | None = Field(default=None, max_length=64)
    responsible_phone: OptionalPhone | None = None
    deadline: date | None = Field(default=None, description="不可修改：请走延期申请")


class PlanIn(Input):
    measures: Annotated[str, Field(min_length=1, max_length=1000)]
    responsibility: Annotated[str, Field(min_length=1, max_length=500)]
    funds: Annotated[str, Field(min_length=1, max_length=200)]
    deadline: Annotated[str, Field(min_length=1, max_length=100)]
    contingency: Annotated[str, Field(min_length=1, max_length=1000)]


class StartIn(Input):
    deadline: date
    responsible_name: Annotated[str, Field(min_length=1, max_length=64)]
    responsible_phone: OptionalPhone = ""
    measures: str = Field(default="", max_length=1000)
    funds_yuan: int | None = Field(default=None, ge=0, le=10**12)
    nullable: ClassVar[frozenset[str]] = frozenset({"funds_yuan"})


class RectifiedIn(Input):
    note: Note = ""
    media_ids: MediaIds = Field(min_length=1, description="整改后照片（至少一张）")


class VerifyIn(Input):
    accept: bool
    note: Note = ""


class EvaluateIn(Input):
    by: Annotated[str, Field(min_length=1, max_length=64)]
    agency: str = Field(default="", max_length=128)
    conclusion: Annotated[str, Field(min_length=1, max_length=1000)]


class NoteIn(Input):
    note: Note = ""


class ResumeIn(Input):
    application: Annotated[str, Field(min_length=1, max_length=2000)]


class ResumeReviewIn(Input):
    accept: bool
    note: Note = ""


class SuperviseIn(Input):
    reason: Reason
    stop_ordered: bool = False


class ReasonIn(Input):
    reason: Reason


class ExtensionIn(Input):
    deadline: date
    reason: Reason


class DecisionIn(Input):
    approve: bool
    note: Note = ""


class ExtensionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    hazard_id: int
    current_deadline: date | None
    requested_deadline: date
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    note: str


class HazardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_code: str
    subdistrict_code: str
    industry_code: str
    risk_point_id: int | None
    source: str
    source_ref: str
    grade: str
    grade_label: str
    criteria: list[str]
    rule_kind: str
    rule_version: int
    description: str
    location: str
    media_ids: list[int]
    found_by: str
    found_at: datetime
    state: str
    state_label: str
    deadline: date | None
    responsible_name: str
    responsible_phone: str
    measures: str
    funds_yuan: int | None
    treatment_plan: dict[str, Any] | None
    rectified_by: str | None
    rectified_at: datetime | None
    verified_by: str | None
    verified_at: datetime | None
    evaluation: dict[str, Any] | None
    closed_at: datetime | None
    listed_supervision: bool
    stop_ordered: bool
    overdue: bool


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    at: datetime
    actor_type: str
    actor_id: str
    actor_name: str
    data: dict[str, Any]
    reason: str


class PhotoRead(BaseModel):
    id: int
    mime: str
    content_url: str
    thumbnail_url: str | None


class HazardDetail(HazardRead):
    timeline: list[EventRead]
    photos: list[PhotoRead]
    extensions: list[ExtensionRead]


class StatRow(BaseModel):
    key: str
    found: int
    major: int
    rectified: int
    overdue: int
    rectification_rate: float
    overdue_rate: float


class HazardStats(BaseModel):
    year: int
    quarter: int | None
    group_by: Literal["enterprise", "subdistrict", "industry", "grade"]
    rows: list[StatRow]
    total: StatRow
