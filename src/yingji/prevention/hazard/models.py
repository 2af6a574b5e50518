"""Hidden-hazard tables: the hazard and its typed timeline."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow


class Hazard(Base):
    """隐患: found by an inspection, a supervision visit, a grid worker or by hand."""

    __tablename__ = "prev_hazard"
    __table_args__ = (
        Index("ix_prev_hazard_ent_state", "enterprise_code", "state"),
        Index("ix_prev_hazard_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey("ent_enterprise.code"), nullable=False)
    # Denormalised for the regulator's views by sub-district and industry.
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    industry_code: Mapped[str] = mapped_column(String(5), nullable=False)
    risk_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("prev_risk_point.id"), nullable=True, index=True
    )
    # inspection / supervision / patrol / manual, and the finding's own key there
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    source_ref: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # general (一般) / major (重大), and the criteria items that made it major
    grade: Mapped[str] = mapped_column(String(8), nullable=False)
    criteria: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    rule_kind: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    rule_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    description: Mapped[str] = mapped_column(String(1000), nullable=False)
    location: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    media_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    found_by: Mapped[str] = mapped_column(String(64), nullable=False)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # registered / rectifying / rectified / verified / closed (and resume-review states)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="registered")
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    responsible_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    responsible_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    measures: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    funds_yuan: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # 重大: the treatment plan's five elements (措施、责任、资金、时限、预案)
    treatment_plan: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    rectified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    verified_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # 重大: 治理效果评估 {by, agency, conclusion, at} (16号令 第十八条)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    resume_applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    listed_supervision: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    stop_ordered: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    overdue: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class HazardEvent(Base):
    """One typed step on a hazard's timeline: who, when, what, why."""

    __tablename__ = "prev_hazard_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("prev_hazard.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class HazardExtension(Base):
    """延期: a request for a later deadline, decided by the bureau (the deadline moves only so)."""

    __tablename__ = "prev_hazard_extension"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("prev_hazard.id"), nullable=False, index=True)
    current_deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    requested_deadline: Mapped[date] = mapped_column(Date, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False)
    requested_by: Mapped[str] = mapped_column(String(64), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # pending / approved / refused
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
