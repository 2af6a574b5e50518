"""Aftermath (善后处置) and closing an incident on which a plan ran."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.principal import Principal
from yingji.command import incidents
from yingji.command.access import COMMAND_ROLES
from yingji.command.activation.read import activations_for
from yingji.command.activation.service import end_response
from yingji.command.directory import directory
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Task
from yingji.command.plans import rules as plan_rules
from yingji.command.plans.document import PlanDocument
from yingji.command.tasks import rules
from yingji.command.tasks.create import assigned_notes, create_tasks, existing_keys, max_seq
from yingji.core.errors import ApiError, conflict, forbidden
from yingji.intake import service as intake_service

Events = list[dict[str, Any]]


def close_refusal(db: Session, incident_id: int) -> ApiError | None:
    """Why an incident may not close yet, or None. Once a plan ran on it, its aftermath
    (善后) tasks must be listed and its response tasks finished; an incident handled without
    a plan closes as intake allows."""
    if not activations_for(db, incident_id):
        return None
    aftermath = db.scalar(
        select(func.count(Task.id)).where(
            Task.incident_id == incident_id, Task.phase == "aftermath",
            Task.status != "reassigned",
        )
    )  # fmt: skip
    if not aftermath:
        return conflict(
            "aftermath_missing",
            "结案前须列出善后处置任务",
            "List the aftermath tasks before closing the incident",
            field="aftermath",
        )
    open_response = db.scalar(
        select(func.count(Task.id)).where(
            Task.incident_id == incident_id, Task.phase == "response",
            Task.status.in_(rules.OPEN),
        )
    )  # fmt: skip
    if open_response:
        return conflict(
            "tasks_open",
            f"还有 {open_response} 项处置任务未完成",
            f"{open_response} response tasks are still open",
            field="tasks",
        )
    return None


intake_service.register_close_check(close_refusal)


def list_aftermath(
    db: Session, *, incident: IncidentRef, principal: Principal, now: datetime
) -> tuple[list[Task], Events]:
    """Create the aftermath (善后) tasks of every plan activated on the incident."""
    if principal.role not in COMMAND_ROLES:
        raise forbidden("只有指挥人员可以安排善后", "Only commanders list the aftermath")
    d = directory(db)
    created: list[Task] = []
    for a in activations_for(db, incident.id):
        doc = PlanDocument.model_validate(a.snapshot)
        specs, _ = plan_rules.aftermath_specs(
            doc, incident, now=now, existing_keys=existing_keys(db, a.id),
            seq_start=max_seq(db, incident.id) + len(created),
        )  # fmt: skip
        created += create_tasks(
            db, specs=specs, incident=incident, activation_id=a.id, hq=doc.headquarters, d=d,
            actor=principal.actor, now=now,
        )  # fmt: skip
    if not created:
        return [], []
    notes = [
        Note(
            "aftermath_listed",
            f"安排善后任务 {len(created)} 项",
            f"{len(created)} aftermath tasks listed",
            {"tasks": [t.id for t in created]},
            CommandEvent.AFTERMATH_LISTED,
            {"tasks": len(created)},
        ),
        *assigned_notes(created),
    ]
    return created, incidents.note(
        db, incident_id=incident.id, notes=notes, actor=principal.actor, now=now
    )


def close_incident(
    db: Session, *, incident: IncidentRef, reason: str, principal: Principal, now: datetime
) -> Events:
    """Close an incident (through intake's lifecycle, which asks :func:`close_refusal`);
    the activations end and the teams still out on it are released."""
    events = incidents.transition(
        db, incident_id=incident.id, to="closed", reason=reason, principal=principal, now=now
    )
    end_response(db, incident_id=incident.id, actor=principal.actor, now=now)
    return events
