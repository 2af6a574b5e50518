"""Request and answer bodies of the inspection API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from yingji.core.validators import Input


class RecordIn(Input):
    """One item checked. ``source_id`` is the idempotency key (with the enterprise)."""

    enterprise_code: str = Field(min_length=18, max_length=18)
    source_id: str = Field(min_length=1, max_length=128)
    risk_point_id: int = Field(ge=1, le=2**63 - 1)
    task_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    inspector: str = Field(min_length=1, max_length=64)
    checked_at: AwareDatetime
    tag: str | None = Field(default=None, max_length=64)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    result: Literal["ok", "hazard"]
    description: str = Field(default="", max_length=1000)
    media_ids: list[int] = Field(default_factory=list, max_length=9)


class BatchIn(Input):
    records: list[dict[str, Any]] = Field(description="至多 5,000 条 / up to 5,000 records")


class RecordResult(BaseModel):
    index: int
    status: int
    id: int | None = None
    backfilled: bool = False
    task_id: int | None = None
    hazard_id: int | None = None
    error: dict[str, Any] | None = None


class InspectionBatchResult(BaseModel):
    items: list[RecordResult]
    created: int
    replayed: int
    rejected: int


class CompletionRow(BaseModel):
    key: str
    due: int = Field(description="应查")
    done: int = Field(description="已查")
    missed: int = Field(description="漏查（窗口已过仍未查）")
    pending: int = Field(description="窗口未过")
    backfilled: int = Field(description="补录")
    records: int
    hazards: int
    rate: float | None


class Completion(BaseModel):
    month: str
    group_by: str
    rows: list[CompletionRow]


class InspectionTaskRead(BaseModel):
    id: int
    plan_id: int
    risk_point_id: int
    window_start: datetime
    window_end: datetime
    record_id: int | None
    backfilled: bool


class VoidIn(Input):
    reason: str = Field(min_length=2, max_length=500)
