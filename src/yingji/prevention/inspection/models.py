"""Inspection tables: plans (from control measures), tasks due, records, and the rollup
kept in the records' transactions so completion (应查/已查/漏查) is read without a recount.

Enterprises and risk points are referenced by key; they are read only through
:mod:`yingji.enterprise.directory` and :mod:`yingji.prevention.risk.directory`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow


class InspectionPlan(Base):
    """One check (by the frequency table) of one control measure of a risk point."""

    __tablename__ = "insp_plan"
    __table_args__ = (UniqueConstraint("control_measure_id", "check_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    risk_point_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    control_measure_id: Mapped[int] = mapped_column(Integer, nullable=False)
    check_key: Mapped[str] = mapped_column(String(32), nullable=False)
    period: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    responsible_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    rule_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    rule_version: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class InspectionTask(Base):
    """A check due in a window; done by the first record that names or matches it."""

    __tablename__ = "insp_task"
    __table_args__ = (
        UniqueConstraint("plan_id", "window_start"),
        Index("ix_insp_task_point_start", "risk_point_id", "window_start"),
        Index("ix_insp_task_ent_day", "enterprise_code", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(Integer, nullable=False)
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False)
    risk_point_id: Mapped[int] = mapped_column(Integer, nullable=False)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    # the local (Asia/Shanghai) day the window closes: the rollup's key
    day: Mapped[date] = mapped_column(Date, nullable=False)
    record_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    backfilled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class InspectionRecord(Base):
    """One item checked: who, when, where, the result, the proof of being on the spot."""

    __tablename__ = "insp_record"
    __table_args__ = (
        UniqueConstraint("enterprise_code", "source_id"),
        Index("ix_insp_record_point_at", "risk_point_id", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False)
    source_id: Mapped[str] = mapped_column(String(128), nullable=False)
    body_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    task_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    risk_point_id: Mapped[int] = mapped_column(Integer, nullable=False)
    inspector: Mapped[str] = mapped_column(String(64), nullable=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    # tag (QR/NFC scanned) / position (within the radius) / none (back-filled only)
    proof: Mapped[str] = mapped_column(String(8), nullable=False)
    result: Mapped[str] = mapped_column(String(8), nullable=False)  # ok / hazard
    description: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    media_ids: Mapped[list[int]] = mapped_column(JSONType, nullable=False, default=list)
    backfilled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    hazard_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64), nullable=False)
    # a correction: a voided record no longer counts (its task is open again)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    void_reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class InspectionRollup(Base):
    """Per enterprise and local day: tasks due closing that day, done, done late; records and
    hazards found that day. Sub-district and industry are copied so every grouping of a
    month reads only these rows."""

    __tablename__ = "insp_rollup"
    __table_args__ = (
        UniqueConstraint("enterprise_code", "day"),
        Index("ix_insp_rollup_month", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False)
    industry_code: Mapped[str] = mapped_column(String(5), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)
    due: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    backfilled: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    records: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hazards: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class InspectionGeneration(Base):
    """Days whose tasks were generated (the daily run's marker; generation is idempotent)."""

    __tablename__ = "insp_generation"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    tasks: Mapped[int] = mapped_column(Integer, nullable=False)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
