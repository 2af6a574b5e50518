"""API shapes of command and dispatch."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.validators import Input, Patch


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
    body: dict[str, Any]


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
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"


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
