"""Command and dispatch tables: plans and their versions, activations (frozen plan snapshots),
tasks, joint duty, consultation, warnings to the surroundings, reviews.

Incidents belong to the intake domain: rows here hold an incident's id as a plain value (no
foreign key into another domain's tables) and read the incident through intake's service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
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


class Plan(Base):
    """应急预案 / 现场处置方案: the stable identity of a plan; its content lives in versions."""

    __tablename__ = "cmd_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)  # plan | onsite
    headquarters_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    current_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PlanVersion(Base):
    """One version of a plan, never changed once written (edits make a new version)."""

    __tablename__ = "cmd_plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_cmd_plan_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("cmd_plan.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class Activation(Base):
    """A plan started on an incident, with the plan version frozen in ``snapshot``."""

    __tablename__ = "cmd_activation"
    __table_args__ = (Index("ix_cmd_activation_incident", "incident_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    plan_id: Mapped[int] = mapped_column(ForeignKey("cmd_plan.id"), nullable=False)
    plan_version: Mapped[int] = mapped_column(Integer, nullable=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    response_level: Mapped[str] = mapped_column(String(4), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    incident_ref: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    activated_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Task(Base):
    """A task for one party (department, sub-district, team, expert) with its deadline."""

    __tablename__ = "cmd_task"
    __table_args__ = (
        Index("ix_cmd_task_incident", "incident_id", "seq"),
        Index("ix_cmd_task_scope", "scope_type", "scope_code", "status"),
        UniqueConstraint("activation_id", "action_key", name="uq_cmd_task_action"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    activation_id: Mapped[int | None] = mapped_column(
        ForeignKey("cmd_activation.id"), nullable=True
    )
    action_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    phase: Mapped[str] = mapped_column(String(16), nullable=False, default="response")
    response_level: Mapped[str | None] = mapped_column(String(4), nullable=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    party_type: Mapped[str] = mapped_column(String(16), nullable=False)
    party_code: Mapped[str] = mapped_column(String(64), nullable=False)
    party_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    scope_type: Mapped[str] = mapped_column(String(16), nullable=False)
    scope_code: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="assigned")
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_for: Mapped[str] = mapped_column(String(16), nullable=False, default="completed")
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    en_route_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    on_scene_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    refused_reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    escalation_stage: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    resources: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    notify: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    attached: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    report: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reassigned_from: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class DutyShift(Base):
    """A roster row (值班表): who is on duty for a department between two times."""

    __tablename__ = "cmd_duty_shift"
    __table_args__ = (Index("ix_cmd_duty_shift_dept", "department_code", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department_code: Mapped[str] = mapped_column(String(32), nullable=False)
    shift_name: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    person_name: Mapped[str] = mapped_column(String(64), nullable=False)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    post: Mapped[str] = mapped_column(String(32), nullable=False, default="值班员")


class Handover(Base):
    """A handover record (交接班) between two people on duty."""

    __tablename__ = "cmd_duty_handover"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    department_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    from_person: Mapped[str] = mapped_column(String(64), nullable=False)
    to_person: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    open_items: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    recorded_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class DutySession(Base):
    """A joint-duty session (联合值守): several departments in the command centre."""

    __tablename__ = "cmd_duty_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    department_codes: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class DutyLogEntry(Base):
    __tablename__ = "cmd_duty_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("cmd_duty_session.id"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    department_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    author: Mapped[str] = mapped_column(String(128), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)


class Message(Base):
    """Consultation (会商研判) in the incident room: a message or a decision."""

    __tablename__ = "cmd_message"
    __table_args__ = (Index("ix_cmd_message_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="message")
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    author_id: Mapped[str] = mapped_column(String(64), nullable=False)
    author_name: Mapped[str] = mapped_column(String(128), nullable=False)
    author_scope: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONType, nullable=False, default=list
    )


class Warning(Base):
    """A warning to the surroundings (周边预警) of an incident: area, colour, text."""

    __tablename__ = "cmd_warning"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="active")
    colour: Mapped[str] = mapped_column(String(8), nullable=False)
    event: Mapped[str] = mapped_column(String(100), nullable=False)
    headline: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    instruction: Mapped[str] = mapped_column(Text, nullable=False, default="")
    area_desc: Mapped[str] = mapped_column(String(200), nullable=False)
    area: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    category_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WarningMessage(Base):
    """One CAP 1.2 message published for a warning (Alert, then Update / Cancel)."""

    __tablename__ = "cmd_warning_message"
    __table_args__ = (Index("ix_cmd_warning_message_warning", "warning_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("cmd_warning.id"), nullable=False)
    identifier: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    msg_type: Mapped[str] = mapped_column(String(8), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    xml: Mapped[str] = mapped_column(Text, nullable=False)


class Review(Base):
    """The after-action review (总结评估) of an incident: measured times and lessons."""

    __tablename__ = "cmd_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)
    measured: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lessons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    finalised: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    author: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class PlanRevision(Base):
    """A plan revision opened from a review lesson, tracked until its new version exists."""

    __tablename__ = "cmd_plan_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("cmd_plan.id"), nullable=False, index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("cmd_review.id"), nullable=True)
    lesson_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    from_version: Mapped[int] = mapped_column(Integer, nullable=False)
    to_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    opened_by: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
