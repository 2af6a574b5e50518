"""Aftermath review (总结评估): what the system measured, plus the commander's lessons; a
lesson can open a revision of a plan, tracked to the version that answers it.

``measure`` is pure: it takes the incident's reports, timeline and tasks as values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.command import incidents
from yingji.command.access import COMMAND_ROLES
from yingji.command.activation.read import activations_for
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Activation, Plan, PlanRevision, Review, Task
from yingji.command.plans import service as plans
from yingji.core.errors import forbidden, invalid, not_found
from yingji.intake import service as intake

Events = list[dict[str, Any]]


def _s(a: datetime | None, b: datetime | None) -> float | None:
    return round((b - a).total_seconds(), 3) if a is not None and b is not None else None


@dataclass(frozen=True)
class TaskTimes:
    party_type: str
    party_code: str
    party_name: str
    phase: str
    status: str
    assigned_at: datetime
    accepted_at: datetime | None
    on_scene_at: datetime | None
    completed_at: datetime | None
    deadline_at: datetime | None
    deadline_for: str


def measure(
    *,
    first_report_at: datetime | None,
    verified_at: datetime | None,
    activated_at: datetime | None,
    closed_at: datetime | None,
    occurred_at: datetime | None,
    tasks: list[TaskTimes],
    now: datetime,
) -> dict[str, Any]:
    """The review's measured times in seconds (None where a step has not happened)."""
    response = [t for t in tasks if t.phase == "response" and t.status != "reassigned"]
    first_on_scene = min((t.on_scene_at for t in response if t.on_scene_at), default=None)
    parties: dict[tuple[str, str], list[TaskTimes]] = {}
    for t in response:
        parties.setdefault((t.party_type, t.party_code), []).append(t)
    per_party = []
    for (ptype, pcode), ts in sorted(parties.items()):
        done = [t.completed_at for t in ts if t.completed_at]

        def late(t: TaskTimes) -> bool:
            met = {"accepted": t.accepted_at, "on_scene": t.on_scene_at}.get(
                t.deadline_for, t.completed_at
            )
            return t.deadline_at is not None and (met or now) > t.deadline_at

        per_party.append(
            {
                "party_type": ptype,
                "party_code": pcode,
                "party_name": ts[0].party_name,
                "tasks": len(ts),
                "completed": len(done),
                "late": sum(1 for t in ts if late(t)),
                "to_accept_s": max(
                    (_s(t.assigned_at, t.accepted_at) or 0.0 for t in ts if t.accepted_at),
                    default=None,
                ),
                "to_on_scene_s": min(
                    (_s(t.assigned_at, t.on_scene_at) or 0.0 for t in ts if t.on_scene_at),
                    default=None,
                ),
                "to_complete_s": _s(min(t.assigned_at for t in ts), max(done))
                if len(done) == len(ts)
                else None,
            }
        )
    end = closed_at or now
    return {
        "first_report_at": first_report_at,
        "verified_at": verified_at,
        "activated_at": activated_at,
        "first_on_scene_at": first_on_scene,
        "closed_at": closed_at,
        "report_to_verified_s": _s(first_report_at, verified_at),
        "verified_to_activated_s": _s(verified_at, activated_at),
        "activated_to_first_on_scene_s": _s(activated_at, first_on_scene),
        "total_s": _s(first_report_at, end),
        "occurred_to_closed_s": _s(occurred_at, closed_at),
        "open": closed_at is None,
        "tasks_total": len(response),
        "tasks_completed": sum(1 for t in response if t.status == "completed"),
        "tasks_late": sum(p["late"] for p in per_party),
        "per_party": per_party,
    }


def facts(db: Session, incident_id: int) -> dict[str, Any]:
    """Everything the review and the report need, gathered through the domains' services."""
    inc = intake.get_incident(db, incident_id, territory=None)
    detail = intake.incident_detail(db, inc, intake.organisation(db))
    tasks = list(
        db.scalars(select(Task).where(Task.incident_id == incident_id).order_by(Task.seq, Task.id))
    )
    acts = activations_for(db, incident_id)
    return {"detail": detail, "tasks": tasks, "activations": acts}


def measured(data: dict[str, Any], *, now: datetime) -> dict[str, Any]:
    detail = data["detail"]
    tl = detail.timeline
    verified = next(
        (t.at for t in tl if t.data.get("to") == "verified" and t.kind in ("screened",
         "status_changed")), None,
    )  # fmt: skip
    if verified is None and detail.trusted:
        verified = detail.created_at
    closed = next((t.at for t in tl if t.data.get("to") == "closed"), None)
    acts: list[Activation] = data["activations"]
    return measure(
        first_report_at=min((r.received_at for r in detail.reports), default=None),
        verified_at=verified,
        activated_at=min((a.activated_at for a in acts), default=None),
        closed_at=closed,
        occurred_at=detail.occurred_at,
        tasks=[
            TaskTimes(
                t.party_type,
                t.party_code,
                t.party_name,
                t.phase,
                t.status,
                t.assigned_at,
                t.accepted_at,
                t.on_scene_at,
                t.completed_at,
                t.deadline_at,
                t.deadline_for,
            )
            for t in data["tasks"]
        ],
        now=now,
    )


def get_or_none(db: Session, incident_id: int) -> Review | None:
    return db.scalar(select(Review).where(Review.incident_id == incident_id))


def review_read(db: Session, incident_id: int, *, now: datetime) -> dict[str, Any]:
    row = get_or_none(db, incident_id)
    revisions = []
    if row is not None:
        revisions = [
            revision_read(r)
            for r in db.scalars(
                select(PlanRevision).where(PlanRevision.review_id == row.id)
                .order_by(PlanRevision.id)
            )
        ]  # fmt: skip
    return {
        "incident_id": incident_id,
        "measured": measured(facts(db, incident_id), now=now),
        "summary": row.summary if row else "",
        "lessons": row.lessons if row else [],
        "author": row.author if row else "",
        "updated_at": row.updated_at if row else None,
        "revisions": revisions,
    }


def save(
    db: Session,
    *,
    incident: IncidentRef,
    summary: str,
    lessons: list[dict[str, Any]],
    principal: Principal,
    now: datetime,
) -> tuple[Review, Events]:
    """The commander's summary and lessons; the measured times are frozen alongside."""
    if principal.role not in COMMAND_ROLES:
        raise forbidden("只有指挥人员可以填写总结评估", "Only commanders write the review")
    for i, lesson in enumerate(lessons):
        if lesson.get("plan_id") is not None and db.get(Plan, lesson["plan_id"]) is None:
            raise invalid(f"lessons.{i}.plan_id", "预案不存在", "No such plan")
    row = get_or_none(db, incident.id)
    before = audit.snapshot(row) if row else None
    snapshot = audit.jsonable(measured(facts(db, incident.id), now=now))
    if row is None:
        row = Review(incident_id=incident.id, created_at=now, updated_at=now, measured=snapshot)
        db.add(row)
    row.summary, row.lessons, row.measured = summary, lessons, snapshot
    row.updated_at, row.author = now, principal.name
    db.flush()
    audit.record(
        db, actor=principal.actor, action="review", object_type="review", object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    note = Note(
        "review",
        f"总结评估：{len(lessons)} 条经验教训",
        f"after-action review: {len(lessons)} lessons",
        {"review_id": row.id, "lessons": len(lessons)},
        CommandEvent.REVIEW_SAVED,
        {"review": {"id": row.id, "lessons": len(lessons)}},
    )
    return row, incidents.note(
        db, incident_id=incident.id, notes=[note], actor=principal.actor, now=now
    )


def open_revision(
    db: Session, *, incident_id: int, lesson_index: int, principal: Principal, now: datetime
) -> PlanRevision:
    """Open a revision of the plan a lesson names (修订预案); closed by its next version."""
    if principal.role not in COMMAND_ROLES:
        raise forbidden()
    row = get_or_none(db, incident_id)
    if row is None:
        raise not_found("总结评估", "Review", field="incident_id")
    if not 0 <= lesson_index < len(row.lessons):
        raise not_found("经验教训", "Lesson", field="lesson_index")
    lesson = row.lessons[lesson_index]
    if lesson.get("plan_id") is None:
        raise invalid("plan_id", "该条经验教训没有指明预案", "The lesson names no plan")
    plan = plans.get_plan(db, lesson["plan_id"])
    rev = PlanRevision(
        plan_id=plan.id, review_id=row.id, lesson_index=lesson_index, reason=lesson["text"],
        from_version=plan.current_version, status="open", opened_at=now,
        opened_by=principal.name,
    )  # fmt: skip
    db.add(rev)
    db.flush()
    audit.record(
        db, actor=principal.actor, action="create", object_type="plan_revision",
        object_id=rev.id, after=audit.snapshot(rev),
    )  # fmt: skip
    return rev


def revision_read(r: PlanRevision) -> dict[str, Any]:
    return {
        "id": r.id, "plan_id": r.plan_id, "review_id": r.review_id,
        "lesson_index": r.lesson_index, "reason": r.reason, "from_version": r.from_version,
        "to_version": r.to_version, "status": r.status, "opened_at": r.opened_at,
        "opened_by": r.opened_by, "closed_at": r.closed_at,
    }  # fmt: skip


def revisions_for_plan(db: Session, plan_id: int) -> list[PlanRevision]:
    return list(
        db.scalars(
            select(PlanRevision).where(PlanRevision.plan_id == plan_id).order_by(PlanRevision.id)
        )
    )


def report_pdf(db: Session, incident_id: int, *, now: datetime) -> bytes:
    """The incident report (PDF) for the record and the upper level."""
    from yingji.command import report_pdf as pdf
    from yingji.command.tasks.shapes import task_read
    from yingji.command.warnings import service as warnings

    data = facts(db, incident_id)
    d = data["detail"]
    incident = {
        "id": d.id, "title": d.title, "level": d.level, "needs_assessment": d.needs_assessment,
        "status": d.status, "status_name": d.status_name, "occurred_at": d.occurred_at,
        "address": d.address, "lon": d.lon, "lat": d.lat,
        "subdistrict_name": d.subdistrict.name if d.subdistrict else None,
        "headquarters_name": d.headquarters.name if d.headquarters else None,
        "category_display": d.category.display, "casualties": d.casualties,
        "report_count": d.report_count,
    }  # fmt: skip
    timeline = [
        {"at": t.at, "kind": t.kind, "message": t.message}
        for t in d.timeline
        if t.kind not in ("pushed",)
    ]
    ws = [warnings.read(w) for w in db.scalars(warnings.list_stmt(incident_id=incident_id))]
    return pdf.render(
        incident=incident,
        timeline=timeline,
        tasks=[task_read(t) for t in data["tasks"]],
        warnings=ws,
        review=review_read(db, incident_id, now=now),
        generated_at=now,
    )
