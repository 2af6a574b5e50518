"""API shapes of the alarm: what the caller's phone sends and sees, what staff see."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from yingji.alarm.rules import Kind
from yingji.core.validators import Input, normalize_phone

_KEY = re.compile(r"[A-Za-z0-9._:\-]+")


class Contact(Input):
    name: str = Field(default="", max_length=64)
    phone: str = Field(max_length=40)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return normalize_phone(v, required=True)


class AlarmIn(Input):
    """One press of the button. ``location`` is read leniently: a missing, garbage or
    out-of-district position never refuses the alarm (it is flagged and goes to the centre)."""

    nullable: ClassVar[frozenset[str]] = frozenset({"kind", "location", "name", "text"})

    idempotency_key: str = Field(min_length=8, max_length=128)
    device_id: str = Field(min_length=8, max_length=128)
    kind: Kind | None = None
    phone: str = Field(default="", max_length=40)
    name: str | None = Field(default=None, max_length=64)
    location: Any = Field(
        default=None,
        description='{"lon", "lat", "crs": "wgs84", "accuracy_m"}; 可缺省 / may be absent',
    )
    text: str | None = Field(default=None, max_length=2000)
    contacts: list[Contact] = Field(default_factory=list, max_length=10)

    @field_validator("idempotency_key", "device_id")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _KEY.fullmatch(v):
            from yingji.core.errors import ZhValueError

            raise ZhValueError(
                "只能含字母、数字和 . _ : -", "only letters, digits and . _ : - are allowed"
            )
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        return normalize_phone(v)


class PositionIn(Input):
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    crs: Literal["wgs84", "gcj02", "bd09"] = "wgs84"
    accuracy_m: float | None = Field(default=None, gt=0, le=50_000, allow_inf_nan=False)


class StationMoveIn(Input):
    status: Literal["accepted", "on_the_way", "arrived"]


class Number(BaseModel):
    number: str
    name: str
    name_en: str


class AlarmAccepted(BaseModel):
    """201 (committed), 200 (the same key and body again) or 202 (spooled: the database was
    unreachable; ``id`` is null until it is replayed, send the same POST again to learn it)."""

    id: int | None
    idempotency_key: str
    secret: str
    status: Literal["received", "spooled"]
    replayed: bool = False
    outside_district: bool = False
    position_note: str = ""
    numbers: list[Number]


class StationView(BaseModel):
    name: str
    status: str
    status_name: str
    status_name_en: str
    distance_m: float | None
    updated_at: datetime | None


class StepView(BaseModel):
    at: datetime
    text: str
    text_en: str


class MediaState(BaseModel):
    n: int
    kind: str
    status: str
    offset: int
    size_bytes: int
    refusal: str | None = None


class AlarmStatus(BaseModel):
    """The caller's view: received, who was told, the station's progress."""

    id: int
    status: str
    received_at: datetime
    kind: str | None
    located: bool
    outside_district: bool
    position_note: str
    station: StationView | None
    told: list[str]
    steps: list[StepView]
    media: list[MediaState]
    numbers: list[Number]


class DeliveryTry(BaseModel):
    attempt: int
    outcome: str
    http_status: int | None
    error: str
    at: datetime
    next_try_at: datetime | None


class Delivery(BaseModel):
    id: int
    kind: str
    channel: str
    recipient: str
    recipient_name: str
    status: str
    attempts: int
    last_error: str
    failed: bool
    sent_at: datetime | None
    tries: list[DeliveryTry]


class AlarmMediaRead(BaseModel):
    n: int
    declared_kind: str
    status: str
    refusal: str | None
    media_id: int | None
    mime: str | None = None
    size_bytes: int | None = None
    duration_s: float | None = None
    content_url: str | None = None
    thumbnail_url: str | None = None


class PositionRead(BaseModel):
    lon: float
    lat: float
    accuracy_m: float | None
    at: datetime


class AlarmRead(BaseModel):
    id: int
    kind: str | None
    kind_name: str
    phone: str
    phone_masked: bool
    name: str
    text: str
    contacts: int
    lon: float | None
    lat: float | None
    accuracy_m: float | None
    position_note: str
    outside_district: bool
    subdistrict_code: str | None
    report_id: int | None
    incident_id: int | None
    station_id: int | None
    station_name: str
    station_status: str
    station_updated_at: datetime | None
    spooled: bool
    received_at: datetime
    created_at: datetime
    delivery_failed: bool
    fanout_notes: list[str]


class AlarmDetail(AlarmRead):
    deliveries: list[Delivery]
    media: list[AlarmMediaRead]
    positions: list[PositionRead]
    call_back: str | None


class LimitedRead(BaseModel):
    id: int
    device_id: str
    client_addr: str
    limit: str
    phone: str
    at: datetime
