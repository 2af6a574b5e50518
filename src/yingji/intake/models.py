"""Intake tables: reports kept verbatim, incidents, their links, timeline, routing, events.

Reports are never updated after intake except to record the incident they joined. The event
table is append-only; its increasing id is the live stream's event id (SSE ``id:``), so a
client that reconnects with ``Last-Event-ID`` is replayed from the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class Report(Base):
    """One report as a channel sent it (``raw_body`` verbatim) and what intake made of it."""

    __tablename__ = "intake_report"
    __table_args__ = (
        UniqueConstraint("channel", "source_id", name="uq_intake_report_channel_source"),
        Index("ix_intake_report_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    source_id: Mapped[str] = mapped_column(String(128), nullable=False)
    body_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    raw_body: Mapped[str] = mapped_column(Text, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    category_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    category_source: Mapped[str] = mapped_column(String(8), nullable=False, default="none")
    category_confidence: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)  # WGS-84
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    input_crs: Mapped[str | None] = mapped_column(String(8), nullable=True)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reporter_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    reporter_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    casualties: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    direct_loss_cny: Mapped[float | None] = mapped_column(Float, nullable=True)
    affected_people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    level: Mapped[str] = mapped_column(String(4), nullable=False)
    sender_type: Mapped[str] = mapped_column(String(16), nullable=False)
    sender_id: Mapped[str] = mapped_column(String(64), nullable=False)
    sender_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("intake_incident.id"), nullable=True, index=True
    )
    merged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Incident(Base):
    """突发事件: one event however many reports describe it."""

    __tablename__ = "intake_incident"
    __table_args__ = (
        # merge candidates: a cell's incidents within the merge window, a range of this index
        Index("ix_intake_incident_merge_key_time", "merge_key", "occurred_at"),
        Index("ix_intake_incident_status", "status"),
        Index("ix_intake_incident_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    level: Mapped[str] = mapped_column(String(4), nullable=False)
    needs_assessment: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    grading_rule: Mapped[str] = mapped_column(String(32), nullable=False, default="general")
    category_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    category_group: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # category group and merge cell (``merge.merge_key``): where merging looks for candidates
    merge_key: Mapped[str | None] = mapped_column(String(40), nullable=True)
    category_confidence: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    category_source: Mapped[str] = mapped_column(String(8), nullable=False, default="none")
    low_confidence: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_report_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    location: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    deaths: Mapped[int | None] = mapped_column(Integer, nullable=True)
    missing: Mapped[int | None] = mapped_column(Integer, nullable=True)
    serious_injuries: Mapped[int | None] = mapped_column(Integer, nullable=True)
    injuries: Mapped[int | None] = mapped_column(Integer, nullable=True)
    trapped: Mapped[int | None] = mapped_column(Integer, nullable=True)
    direct_loss_cny: Mapped[float | None] = mapped_column(Float, nullable=True)
    affected_people: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    channels: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    headquarters_code: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    trusted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    production_safety: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    deadlines: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    deadlines_done: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    overdue: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # when the earliest statutory report not yet made falls due (``facts.sync_deadline_due``):
    # the overdue check reads only incidents past it, through this index
    deadline_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


INCIDENT_COLUMNS: tuple[str, ...] = tuple(c.name for c in Incident.__table__.columns)
_INCIDENT_COLUMN_SET = frozenset(INCIDENT_COLUMNS)


class IncidentRecord:
    """An incident row as plain attributes: the intake writer's working copy of the incidents
    a batch founds or merges into, read and written with Core statements.

    An ORM instance's attribute instrumentation, constructor and state tracking were about
    6 % of the writer's time under a surge (py-spy, ``yingji bench intake``); nothing in the
    write path needs them. Columns not given are None (``location`` is not read for the
    incidents a batch merges into).
    """

    __slots__ = INCIDENT_COLUMNS

    if TYPE_CHECKING:  # the slots are the table's columns, named at run time: Any to mypy

        def __getattr__(self, name: str) -> Any: ...
        def __setattr__(self, name: str, value: Any) -> None: ...

    def __init__(self, **columns: Any) -> None:
        if unknown := columns.keys() - _INCIDENT_COLUMN_SET:
            raise TypeError(f"IncidentRecord has no column {', '.join(sorted(unknown))}")
        for name in INCIDENT_COLUMNS:
            setattr(self, name, columns.get(name))

    @classmethod
    def from_row(cls, names: tuple[str, ...], values: Sequence[Any]) -> IncidentRecord:
        """A record of a selected row: ``values`` in ``names`` order, other columns None."""
        record = cls()
        for name, value in zip(names, values, strict=True):
            setattr(record, name, value)
        return record

    def __repr__(self) -> str:
        return f"IncidentRecord(id={self.id!r}, level={self.level!r}, status={self.status!r})"


# what the pipeline's functions take: a stored incident or the writer's record of one
IncidentLike = Incident | IncidentRecord


class IncidentReport(Base):
    """The link of a report to the incident it created or joined, and why."""

    __tablename__ = "intake_incident_report"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("intake_incident.id"), nullable=False, index=True
    )
    report_id: Mapped[int] = mapped_column(
        ForeignKey("intake_report.id"), nullable=False, unique=True
    )
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    merged: Mapped[bool] = mapped_column(Boolean, nullable=False)
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TimelineEntry(Base):
    """A typed timeline record: who, when, which step, its result and how long it took."""

    __tablename__ = "intake_timeline"
    __table_args__ = (Index("ix_intake_timeline_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("intake_incident.id"), nullable=False)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("intake_report.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    result: Mapped[str] = mapped_column(String(16), nullable=False, default="ok")
    duration_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    message: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    message_en: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)


class Routing(Base):
    """Where an incident was pushed (分类推送、分级流转): headquarters, department, force."""

    __tablename__ = "intake_routing"
    __table_args__ = (
        UniqueConstraint("incident_id", "target_type", "target_code", name="uq_intake_routing"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("intake_incident.id"), nullable=False, index=True
    )
    target_type: Mapped[str] = mapped_column(String(16), nullable=False)
    target_code: Mapped[str] = mapped_column(String(32), nullable=False)
    target_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    routed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class StreamEvent(Base):
    """An incident event, in commit order: the live stream and the bus carry these."""

    __tablename__ = "intake_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    type: Mapped[str] = mapped_column(String(32), nullable=False)
    incident_id: Mapped[int] = mapped_column(BigId, nullable=False)
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    headquarters_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    level: Mapped[str] = mapped_column(String(4), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
