"""API shapes of command and dispatch."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.validators import Input, Patch
from yingji.geo.transform import Crs


class _In(Input):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PlanRead(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    headquarters_code: str | None
    current_version: int
    updated_at: datetime


class PlanVersionRead(BaseModel):
    plan_id: int
    code: str
    version: int
    note: str
    created_at: datetime
    created_by: str
    body: PlanDocumentRead


class PlanSaved(BaseModel):
    plan: PlanRead
    version: int
    created: bool


class PlanJsonIn(_In):
    """A plan as JSON (the dashboard editor); the same document as the YAML."""

    document: dict[str, Any]
    note: str = Field(default="", max_length=500)
    expect_version: int | None = None


class ActivateIn(_In):
    plan_id: int
    response_level: Literal["I", "II", "III", "IV"] | None = None
    version: int | None = Field(default=None, description="默认当前版本 / default current")


class RaiseIn(_In):
    level: Literal["I", "II", "III", "IV"]
    reason: str = Field(default="", max_length=500)


class TaskMoveIn(_In):
    to: Literal["accepted", "en_route", "on_scene", "completed", "refused"]
    reason: str = Field(default="", max_length=500)
    report: str = Field(default="", max_length=4000)


class ReassignIn(_In):
    party_type: Literal["department", "subdistrict", "team", "expert", "headquarters", "committee"]
    party_code: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    deadline_at: datetime | None = None


class AttachItem(_In):
    kind: Literal["teams", "experts", "warehouses", "stations", "videos"]
    id: int
    name: str = Field(default="", max_length=200)
    distance_m: float | None = None


class AttachIn(_In):
    items: list[AttachItem] = Field(min_length=1, max_length=50)


class TaskIn(_In):
    """An ad-hoc or aftermath (善后) task added by a commander."""

    phase: Literal["response", "aftermath"] = "aftermath"
    party_type: Literal["department", "subdistrict", "team", "expert", "headquarters", "committee"]
    party_code: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    detail: str = Field(default="", max_length=4000)
    deadline_min: int = Field(ge=0, le=60 * 24 * 30)


class CircleIn(_In):
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    radius_m: float = Field(gt=0, le=50_000)


class AreaIn(_In):
    """A circle (centre defaults to the incident) or a polygon of [lon, lat] points."""

    circle: CircleIn | None = None
    polygon: list[tuple[float, float]] | None = Field(default=None, min_length=3, max_length=500)
    crs: Crs = Crs.wgs84


class WarningIn(_In):
    colour: Literal["red", "orange", "yellow", "blue"]
    event: str = Field(min_length=1, max_length=100)
    headline: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=4000)
    instruction: str = Field(default="", max_length=4000)
    area_desc: str = Field(min_length=1, max_length=200)
    area: AreaIn
    expires_at: datetime | None = None


class WarningUpdateIn(Patch):
    model_config = ConfigDict(str_strip_whitespace=True)
    nullable = frozenset({"expires_at"})

    colour: Literal["red", "orange", "yellow", "blue"] | None = None
    headline: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1, max_length=4000)
    instruction: str | None = Field(default=None, max_length=4000)
    area_desc: str | None = Field(default=None, min_length=1, max_length=200)
    area: AreaIn | None = None
    expires_at: datetime | None = None


class LiftIn(_In):
    reason: str = Field(default="", max_length=500)


class Attachment(_In):
    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=1000)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    size_bytes: int | None = Field(default=None, ge=0)


class MessageIn(_In):
    kind: Literal["message", "decision"] = "message"
    text: str = Field(min_length=1, max_length=4000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=20)


class ShiftIn(_In):
    department_code: str = Field(min_length=1, max_length=32)
    shift_name: str = Field(default="", max_length=32)
    starts_at: datetime
    ends_at: datetime
    person_name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=32)
    post: str = Field(default="值班员", max_length=32)


class ShiftsIn(_In):
    shifts: list[ShiftIn] = Field(min_length=1, max_length=1000)


class HandoverIn(_In):
    department_code: str = Field(min_length=1, max_length=32)
    from_person: str = Field(min_length=1, max_length=64)
    to_person: str = Field(min_length=1, max_length=64)
    notes: str = Field(default="", max_length=4000)
    open_items: list[str] = Field(default_factory=list, max_length=100)


class SessionIn(_In):
    title: str = Field(min_length=1, max_length=200)
    department_codes: list[str] = Field(min_length=1, max_length=30)


class LogIn(_In):
    text: str = Field(min_length=1, max_length=4000)


class LessonIn(_In):
    text: str = Field(min_length=1, max_length=2000)
    plan_id: int | None = Field(default=None, description="需修订的预案")


class ReviewIn(_In):
    summary: str = Field(default="", max_length=20_000)
    lessons: list[LessonIn] = Field(default_factory=list, max_length=50)


# ------------------------------------------------------------------ answers
# What the command routes answer, field for field as the services build them (the dashboard's
# types in web/src/api/schema.d.ts are generated from these). JSON kept on a row as written
# (a plan's resources, attachments, the frozen plan) allows the keys it was written with.

Level = Literal["I", "II", "III", "IV"]
PartyType = Literal["department", "subdistrict", "team", "expert", "headquarters", "committee"]
TaskStep = Literal["accepted", "en_route", "on_scene", "completed"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Stored(BaseModel):
    """JSON stored on a row: the keys below, and any others it was written with."""

    model_config = ConfigDict(extra="allow")


class _Doc(_Stored):
    """Stored whole (a model's full dump): every key is there, defaults too."""

    model_config = ConfigDict(extra="allow", json_schema_serialization_defaults_required=True)


class LeadRead(_Stored):
    type: str
    code: str | None = None
    title: str


class PlanRef(_Out):
    id: int
    code: str
    name: str


class SuggestedPlanRef(PlanRef):
    kind: str


class Suggestion(_Out):
    """A plan that applies to the incident, with why (category, level, conditions)."""

    plan: SuggestedPlanRef
    version: int
    score: float
    category_match: str | None
    level_ok: bool
    conditions_met: list[str]
    conditions_unmet: list[str]
    response_level: Level
    response_name: str
    lead: LeadRead
    task_count: int


class PartyRead(_Out):
    type: str
    code: str
    name: str


class ScopeRead(_Out):
    type: str
    code: str


class PlanResourceRead(_Stored):
    kind: str
    name: str
    skill: str | None = None
    item_code: str | None = None
    quantity: float | None = None
    unit: str | None = None


class AttachedRead(_Stored):
    kind: str
    id: int
    name: str = ""
    distance_m: float | None = None


class TaskRead(_Out):
    id: int
    incident_id: int
    activation_id: int | None
    phase: Literal["response", "aftermath"]
    response_level: Level | None
    seq: int
    party: PartyRead
    scope: ScopeRead
    title: str
    detail: str
    status: Literal[
        "assigned", "accepted", "en_route", "on_scene", "completed", "refused", "reassigned"
    ]
    status_name: str
    next_statuses: list[Literal["accepted", "en_route", "on_scene", "completed", "refused"]]
    deadline_at: datetime | None
    deadline_for: TaskStep
    assigned_at: datetime
    accepted_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    completed_at: datetime | None
    refused_reason: str
    escalation_stage: int
    resources: list[PlanResourceRead]
    notify: list[str]
    attached: list[AttachedRead]
    report: str
    reassigned_from: int | None
    updated_at: datetime


class ActivationRead(_Out):
    id: int
    incident_id: int
    plan: PlanRef
    plan_version: int
    plan_current_version: int | None
    response_level: Level
    response_name: str
    lead: LeadRead | None
    status: str
    activated_at: datetime
    activated_by: str
    ended_at: datetime | None


class ActivationWithTasks(ActivationRead):
    """An activation and the tasks it created just now."""

    tasks: list[TaskRead]


class IncidentClosed(_Out):
    """The incident as command sees it, once closed."""

    id: int
    title: str
    status: str
    level: str | None
    category_code: str | None
    subdistrict_code: str | None
    subdistrict_name: str | None
    headquarters_code: str | None
    lon: float | None
    lat: float | None
    address: str | None


class Point(_Out):
    lon: float
    lat: float


class RecommendationAttach(_Out):
    """The body to send to ``POST /tasks/{id}/resources`` to attach this resource."""

    kind: Literal["teams", "experts", "warehouses", "stations", "videos"]
    id: int
    name: str
    distance_m: float


class Recommendation(_Stored):
    """One nearby resource; the other keys are the kind's own (skills, phone, stock...)."""

    id: int
    code: str
    name: str
    distance_m: float
    lon: float
    lat: float
    attach: RecommendationAttach


class RecommendationFilters(_Out):
    skill: str | None
    specialty: str | None
    item: str | None


class Recommendations(_Out):
    incident_id: int
    center: Point
    radius_m: float
    task_id: int | None
    filters: RecommendationFilters
    results: dict[str, list[Recommendation]]
    totals: dict[str, int]


class AuthorRead(_Out):
    id: str
    name: str
    scope: str


class AttachmentRead(_Stored):
    name: str
    url: str
    content_type: str = "application/octet-stream"
    size_bytes: int | None = None


class MessageRead(_Out):
    id: int
    incident_id: int
    kind: Literal["message", "decision"]
    at: datetime
    author: AuthorRead
    text: str
    attachments: list[AttachmentRead]


class PartyMeasure(_Out):
    party_type: str
    party_code: str
    party_name: str
    tasks: int
    completed: int
    late: int
    to_accept_s: float | None
    to_on_scene_s: float | None
    to_complete_s: float | None


class Measured(_Out):
    """The review's measured times in seconds (null where a step has not happened)."""

    first_report_at: datetime | None
    verified_at: datetime | None
    activated_at: datetime | None
    first_on_scene_at: datetime | None
    closed_at: datetime | None
    report_to_verified_s: float | None
    verified_to_activated_s: float | None
    activated_to_first_on_scene_s: float | None
    total_s: float | None
    occurred_to_closed_s: float | None
    open: bool
    tasks_total: int
    tasks_completed: int
    tasks_late: int
    per_party: list[PartyMeasure]


class LessonRead(_Doc):
    text: str
    plan_id: int | None = None


class RevisionRead(_Out):
    """A revision of a plan opened from a review lesson; closed by the plan's next version."""

    id: int
    plan_id: int
    review_id: int
    lesson_index: int
    reason: str
    from_version: int
    to_version: int | None
    status: Literal["open", "done"]
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None


class ReviewRead(_Out):
    incident_id: int
    measured: Measured
    summary: str
    lessons: list[LessonRead]
    author: str
    updated_at: datetime | None
    revisions: list[RevisionRead]


class WarningCircleRead(_Out):
    lon: float
    lat: float
    radius_m: float


class WarningAreaRead(_Out):
    """A circle or a polygon of [lon, lat] points, in WGS-84."""

    circle: WarningCircleRead | None = None
    polygon: list[tuple[float, float]] | None = None


class CapMessageRef(_Out):
    id: int
    identifier: str
    msg_type: str
    sent_at: datetime


class WarningRead(_Out):
    id: int
    incident_id: int
    status: Literal["active", "lifted"]
    colour: Literal["red", "orange", "yellow", "blue"]
    colour_name: str
    level: Level
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    area: WarningAreaRead
    category_code: str | None
    issued_at: datetime
    updated_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None
    cap_url: str
    messages: list[CapMessageRef] | None = Field(
        default=None, description="单条查询时给出 / given when one warning is read"
    )


class ShiftRead(_Out):
    id: int
    department_code: str
    shift_name: str
    starts_at: datetime
    ends_at: datetime
    person_name: str
    phone: str
    post: str


class DepartmentOnDuty(_Out):
    code: str
    name: str
    duty_phone: str


class OnDutyRead(_Out):
    department: DepartmentOnDuty
    on_duty: list[ShiftRead]


class HandoverRead(_Out):
    id: int
    department_code: str
    from_person: str
    to_person: str
    at: datetime
    notes: str
    open_items: list[str]
    recorded_by: str


class DutyLogRead(_Out):
    id: int
    at: datetime
    department_code: str | None
    author: str
    text: str


class DutySessionRead(_Out):
    id: int
    title: str
    department_codes: list[str]
    started_at: datetime
    ended_at: datetime | None
    started_by: str
    log: list[DutyLogRead] | None = Field(
        default=None, description="单个会话时给出 / given when one session is read"
    )


class PlanResourceDoc(_Doc):
    kind: str
    name: str
    skill: str | None = None
    item_code: str | None = None
    quantity: float | None = None
    unit: str | None = None


class PlanActionDoc(_Doc):
    title: str
    detail: str = ""
    deadline_min: int
    deadline_for: TaskStep = "completed"
    resources: list[PlanResourceDoc] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)


class PlanPartyDoc(_Doc):
    type: PartyType
    code: str | None = None
    specialty: str | None = None
    actions: list[PlanActionDoc]


class PlanLevelDoc(_Doc):
    level: Level
    name: str = ""
    lead: LeadRead
    parties: list[PlanPartyDoc] = Field(default_factory=list)


class PlanConditionDoc(_Doc):
    fact: str
    op: str = ">="
    value: int | float | str
    label: str


class AppliesToDoc(_Doc):
    categories: list[str]
    levels: list[Level]


class ActivationDoc(_Doc):
    conditions: list[PlanConditionDoc] = Field(default_factory=list)
    note: str = ""


class EscalationDoc(_Doc):
    office_after_min: int
    committee_after_min: int


class PlanDocumentRead(_Doc):
    """A plan document as stored (the same as its YAML; validated on the way in by
    :class:`yingji.command.plans.document.PlanDocument`)."""

    code: str
    name: str
    kind: Literal["plan", "onsite"] = "plan"
    headquarters: str | None = None
    description: str = ""
    applies_to: AppliesToDoc
    activation: ActivationDoc
    escalation: EscalationDoc
    response_levels: list[PlanLevelDoc]
    aftermath: list[PlanPartyDoc] = Field(default_factory=list)
