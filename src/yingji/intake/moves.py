"""Changing incidents by hand or by timer: status moves (with other domains' conditions on
closing), level raises, statutory reports done, overdue flags, and other domains' notes on
an incident's timeline. Each is audited where a person acts, put on the timeline and
written to the stream in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.intake import deadlines, grading, lifecycle, routing
from yingji.intake import events as intake_events
from yingji.intake.events import IntakeEvent
from yingji.intake.facts import sync_deadline_due
from yingji.intake.journal import SYSTEM_ACTOR, PendingEvent, append_events, record_step
from yingji.intake.models import Incident
from yingji.intake.org_cache import organisation
from yingji.intake.prepare import Step
from yingji.intake.routing_rows import reroute


def transition(
    db: Session,
    *,
    incident: Incident,
    to: str,
    reason: str,
    actor: audit.Actor,
    role: Any,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Move an incident to another status (audited, on the timeline, on the stream)."""
    problem = lifecycle.check(incident.status, to, role)
    if problem == "illegal_transition":
        allowed = "、".join(lifecycle.allowed_next(incident.status)) or "（无，已终结）"
        raise conflict(
            "illegal_transition",
            f"事件状态不能从“{lifecycle.STATUS_NAMES[incident.status]}”变为"
            f"“{lifecycle.STATUS_NAMES.get(to, to)}”；可变为：{allowed}",
            f"An incident cannot go from {incident.status} to {to}; allowed: "
            f"{', '.join(lifecycle.allowed_next(incident.status)) or 'none (final)'}",
            field="to",
        )
    if problem == "role_not_allowed":
        raise forbidden(
            f"您的角色无权将事件改为“{lifecycle.STATUS_NAMES.get(to, to)}”",
            f"Your role may not move an incident to {to}",
        )
    if problem:
        raise invalid("to", f"未知状态：{to}", f"Unknown status: {to}")
    if to == "closed":
        for check in _close_checks:  # other domains' conditions (command: aftermath listed)
            refusal = check(db, incident.id)
            if refusal is not None:
                raise refusal
    before = audit.snapshot(incident)
    old = incident.status
    incident.status = to
    incident.updated_at = now
    sync_deadline_due(incident)  # an ended incident is no longer watched
    audit.record(
        db,
        actor=actor,
        action=f"status:{to}",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=reason or None,
    )
    kind = "screened" if old == "reported" else "status_changed"
    record_step(
        db,
        incident,
        Step(
            kind,
            "ok",
            0.0,
            f"{actor.name}：{lifecycle.STATUS_NAMES[old]} → {lifecycle.STATUS_NAMES[to]}"
            + (f"（{reason}）" if reason else ""),
            f"{actor.name}: {old} → {to}" + (f" ({reason})" if reason else ""),
            {"from": old, "to": to, "reason": reason},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db,
        [
            PendingEvent(
                incident, IntakeEvent.STATUS, intake_events.Status({"from": old}), None, False
            )
        ],
        org,
        now,
    )


def raise_level(
    db: Session,
    *,
    incident: Incident,
    level: str,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Raise the level by hand, with a reason; lowering is refused."""
    if incident.status in lifecycle.TERMINAL:
        raise conflict(
            "incident_closed", "事件已终结，不能调整级别", "The incident is closed", field="level"
        )
    if grading.rank(level) >= grading.rank(incident.level):
        raise conflict(
            "level_not_higher",
            f"只能升级：当前 {incident.level} 级，请求 {level} 级",
            f"The level can only be raised: it is {incident.level}, {level} asked",
            field="level",
        )
    before = audit.snapshot(incident)
    old = incident.level
    _apply_level(db, incident, level, org, now)
    incident.needs_assessment = False
    incident.updated_at = now
    audit.record(
        db,
        actor=actor,
        action="level_raise",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=reason,
    )
    record_step(
        db,
        incident,
        Step(
            "level_raised",
            "ok",
            0.0,
            f"{actor.name} 将级别由 {old} 升为 {level}：{reason}",
            f"{actor.name} raised the level from {old} to {level}: {reason}",
            {"from": old, "to": level, "reason": reason},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db,
        [
            PendingEvent(
                incident, IntakeEvent.LEVEL, intake_events.Level(level_from=old), None, False
            )
        ],
        org,
        now,
    )


def _apply_level(
    db: Session, incident: Incident, level: str, org: routing.Organisation, now: datetime
) -> None:
    """Set a graver level: the deadlines reach higher, and I–II also go to the committee."""
    incident.level = level
    if incident.production_safety:
        incident.deadlines = [d.as_dict() for d in deadlines.deadlines(incident.created_at, level)]
        sync_deadline_due(incident)
    reroute(db, incident, org, now)


def deadline_done(
    db: Session,
    *,
    incident: Incident,
    step: str,
    note: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Record that a statutory report was made."""
    steps = [d["step"] for d in incident.deadlines]
    if step not in steps:
        raise conflict(
            "no_such_deadline",
            f"该事件没有“{step}”报告时限",
            f"The incident has no '{step}' reporting deadline",
            field="step",
        )
    if step in incident.deadlines_done:
        raise conflict(
            "deadline_already_done", "该报告已记录", "This report is already recorded", "step"
        )
    before = audit.snapshot(incident)
    incident.deadlines_done = [*incident.deadlines_done, step]
    incident.overdue = bool(_overdue(incident, now))
    sync_deadline_due(incident)
    incident.updated_at = now
    audit.record(
        db,
        actor=actor,
        action="deadline_done",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=note or None,
    )
    d = next(x for x in incident.deadlines if x["step"] == step)
    late = now > datetime.fromisoformat(d["due_at"])
    record_step(
        db,
        incident,
        Step(
            "deadline_reported",
            "late" if late else "ok",
            0.0,
            f"已向{d['authority']}报告" + ("（已超时）" if late else ""),
            f"reported to the {d['authority_en']}" + (" (late)" if late else ""),
            {"step": step, "due_at": d["due_at"], "note": note},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db,
        [
            PendingEvent(
                incident, IntakeEvent.DEADLINE, intake_events.Deadline(step=step), None, False
            )
        ],
        org,
        now,
    )


def _overdue(incident: Incident, now: datetime) -> list[deadlines.Deadline]:
    items = deadlines.from_stored(incident.deadlines)
    return deadlines.overdue(items, done=set(incident.deadlines_done), now=now)


def watch_unwatched_deadlines(db: Session) -> int:
    """Give a due time to open production-safety incidents that lack one: written by a
    version before the column (a process still running during an upgrade). Run at start;
    returns how many were given one. The missing due time is looked for among the open
    incidents' rows, not through its own index, where nearly every incident ever written
    has none (those without clocks)."""
    watched = select(Incident.id, Incident.deadline_due_at).where(
        Incident.production_safety.is_(True),
        Incident.overdue.is_(False),
        Incident.status.in_(lifecycle.OPEN),
    )
    ids = [iid for iid, due in db.execute(watched) if due is None]
    repaired = 0
    for start in range(0, len(ids), 900):
        for incident in db.scalars(
            select(Incident).where(Incident.id.in_(ids[start : start + 900]))
        ):
            sync_deadline_due(incident)
            repaired += incident.deadline_due_at is not None
    return repaired


def flag_overdue(db: Session, *, org: routing.Organisation, now: datetime) -> list[dict[str, Any]]:
    """Flag open production-safety incidents whose reporting deadline has passed (a timer).

    Reads only the incidents past their earliest pending deadline, through the index on
    ``deadline_due_at``: every open production-safety incident, loaded twice a minute, was
    a pause of 0.1–0.3 s for intake with 3,000 of them open (and growing with a flood).
    Flagged, ended and fully reported incidents have no due time, so the range holds only
    what must be looked at; the other conditions are a guard, checked on those rows alone."""
    stmt = select(Incident).where(Incident.deadline_due_at < now)
    pending = []
    for incident in db.scalars(stmt):
        open_ = incident.status in lifecycle.OPEN and not incident.overdue
        late = _overdue(incident, now) if incident.production_safety and open_ else []
        if not late:
            sync_deadline_due(incident)  # nothing to flag: look again at the next due time
            continue
        incident.overdue = True
        incident.updated_at = now
        sync_deadline_due(incident)
        record_step(
            db,
            incident,
            Step(
                "deadline_overdue",
                "overdue",
                0.0,
                "报告超时："
                + "、".join(
                    f"{d.authority}（应于北京时间 {deadlines.beijing_text(d.due_at)} 前）"
                    for d in late
                ),
                "reporting overdue: "
                + ", ".join(
                    f"{d.authority_en} (due {deadlines.beijing_text(d.due_at)} Beijing time)"
                    for d in late
                ),
                {"steps": [d.step for d in late]},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
        )
        pending.append(
            PendingEvent(
                incident,
                IntakeEvent.OVERDUE,
                intake_events.Overdue(steps=[d.step for d in late]),
                None,
                False,
            )
        )
    return append_events(db, pending, org, now)


CloseCheck = Callable[[Session, int], ApiError | None]


_close_checks: list[CloseCheck] = []


def register_close_check(check: CloseCheck) -> None:
    """A condition another domain puts on closing an incident: ``check(db, incident_id)``
    answers None to allow it or the error to refuse with (command: the aftermath must be
    listed once a plan ran). Checked by every move to closed, whichever endpoint asks."""
    if check not in _close_checks:
        _close_checks.append(check)


@dataclass(frozen=True)
class Note:
    """A step another domain records on an incident (a task accepted, a warning issued...).

    ``event_type`` set: the note also goes out on the live stream and the bus, with
    ``event_extra`` merged into the event's payload.
    """

    kind: str
    message: str
    message_en: str
    data: dict[str, Any]
    event_type: str | None = None
    event_extra: dict[str, Any] | None = None
    result: str = "ok"


def annotate(
    db: Session,
    *,
    incident_id: int,
    notes: list[Note],
    actor: audit.Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """Put other domains' steps on an incident's timeline and stream, in the caller's
    transaction; answers the stream events to publish on the bus after commit."""
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise not_found("事件", "Incident", field="incident_id")
    pending = []
    for n in notes:
        record_step(
            db,
            incident,
            Step(n.kind, n.result, 0.0, n.message, n.message_en, n.data),
            actor=actor,
            at=now,
        )
        if n.event_type:
            pending.append(PendingEvent(incident, n.event_type, n.event_extra or {}, None, False))
    return append_events(db, pending, organisation(db), now) if pending else []
