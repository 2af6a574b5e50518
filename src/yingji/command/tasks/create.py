"""Creating tasks: rows and deadline timers in bulk, and the notes that tell each party."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.command import notices
from yingji.command.directory import Directory, resolve
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Task
from yingji.command.plans import rules as plan_rules
from yingji.command.tasks.escalation import DEADLINE
from yingji.command.tasks.shapes import event_task, hm
from yingji.scheduling import timers


def create_tasks(
    db: Session,
    *,
    specs: list[plan_rules.TaskSpec],
    incident: IncidentRef,
    activation_id: int | None,
    hq: str | None,
    d: Directory,
    actor: audit.Actor,
    now: datetime,
) -> list[Task]:
    """Insert tasks and their deadline timers in bulk; audit each."""
    if not specs:
        return []
    rows = []
    for s in specs:
        name, scope_type, scope_code = resolve(d, s.party_type, s.party_code, hq)
        rows.append(
            {
                "incident_id": incident.id,
                "activation_id": activation_id,
                "action_key": s.action_key,
                "phase": s.phase,
                "response_level": None if s.response_level == "-" else s.response_level,
                "seq": s.seq,
                "party_type": s.party_type,
                "party_code": s.party_code,
                "party_name": name,
                "scope_type": scope_type,
                "scope_code": scope_code,
                "title": s.title,
                "detail": s.detail,
                "status": "assigned",
                "deadline_at": s.deadline_at,
                "deadline_for": s.deadline_for,
                "assigned_at": now,
                "resources": s.resources,
                "notify": s.notify,
                "attached": [],
                "report": "",
                "refused_reason": "",
                "escalation_stage": 0,
                "updated_at": now,
            }
        )
    tasks = [Task(**row) for row in rows]
    db.add_all(tasks)
    db.flush()  # one multi-row INSERT … RETURNING on SQLite and PostgreSQL
    timers.schedule_many(
        db,
        [
            {"kind": DEADLINE, "ref_id": t.id, "due_at": t.deadline_at}
            for t in tasks
            if t.deadline_at is not None
        ],
        now=now,
    )
    audit.record_many(
        db,
        actor=actor,
        changes=[audit.Change("create", "task", t.id, after=audit.snapshot(t)) for t in tasks],
    )
    notices.tasks_assigned(db, tasks, actor=actor, now=now)  # one SMS per party
    return tasks


def assigned_notes(tasks: list[Task]) -> list[Note]:
    """One timeline note and one stream event per party, listing its new tasks: each party
    is pushed its own work at once (a plan of 40 tasks to 10 parties is 10 pushes)."""
    by_party: dict[tuple[str, str], list[Task]] = {}
    for t in tasks:
        by_party.setdefault((t.party_type, t.party_code), []).append(t)
    notes = []
    for group in by_party.values():
        first = group[0]
        items = "；".join(
            f"{t.title}（时限 {hm(t.deadline_at)}）" if t.deadline_at else t.title for t in group
        )
        notes.append(
            Note(
                "task_assigned",
                f"任务下达：{first.party_name}——{items}",
                f"{len(group)} task(s) assigned to {first.party_name}",
                {
                    "task_ids": [t.id for t in group],
                    "party_type": first.party_type,
                    "party_code": first.party_code,
                },
                CommandEvent.TASK_ASSIGNED,
                {
                    "party": {
                        "type": first.party_type,
                        "code": first.party_code,
                        "name": first.party_name,
                    },
                    "scope": {"type": first.scope_type, "code": first.scope_code},
                    "tasks": [event_task(t)["task"] for t in group],
                },
            )
        )
    return notes


def max_seq(db: Session, incident_id: int) -> int:
    return int(db.scalar(select(func.max(Task.seq)).where(Task.incident_id == incident_id)) or 0)


def existing_keys(db: Session, activation_id: int) -> set[str]:
    return {
        k
        for k in db.scalars(select(Task.action_key).where(Task.activation_id == activation_id))
        if k
    }
