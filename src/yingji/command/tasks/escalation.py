"""Escalation of overdue tasks (督办): the deadline and escalation timers' handlers.

A task not meeting its deadline goes to its headquarters office at once (stage 1) and, still
overdue ``committee_after_min`` later (the plan's snapshot; 30 by default), to the committee
(stage 2). Importing this module registers both handlers with the timer loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.command import incidents, notices
from yingji.command.directory import directory
from yingji.command.events import CommandEvent
from yingji.command.incidents import Note
from yingji.command.models import Activation, Task
from yingji.command.tasks import rules
from yingji.command.tasks.shapes import event_task, hm
from yingji.scheduling import timers
from yingji.scheduling.models import Timer

Events = list[dict[str, Any]]


DEADLINE = "task_deadline"


ESCALATE = "task_escalate"


@timers.batch_handler(DEADLINE)
def _on_deadlines(db: Session, batch: list[Timer], now: datetime) -> tuple[dict[int, str], Events]:
    """Deadlines passed: each task not meeting its deadline goes to its headquarters office
    at once, and a committee timer starts."""
    return _escalate(db, batch, now, stage=1)


@timers.batch_handler(ESCALATE)
def _on_escalations(
    db: Session, batch: list[Timer], now: datetime
) -> tuple[dict[int, str], Events]:
    """Still not met after the office was told: the committee."""
    return _escalate(db, batch, now, stage=2)


def _escalate(
    db: Session, batch: list[Timer], now: datetime, *, stage: int
) -> tuple[dict[int, str], Events]:
    """Escalate a burst of overdue tasks with a handful of statements: tasks and activations
    read at once, audit rows and new timers inserted together, one timeline write per
    incident."""
    stmt = select(Task).where(Task.id.in_({t.ref_id for t in batch}))
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    tasks = {t.id: t for t in db.scalars(stmt.execution_options(populate_existing=True))}
    act_ids = {t.activation_id for t in tasks.values() if t.activation_id}
    acts = {a.id: a for a in db.scalars(select(Activation).where(Activation.id.in_(act_ids)))}
    d = directory(db)
    outcomes: dict[int, str] = {}
    changes: list[audit.Change] = []
    new_timers: list[dict[str, Any]] = []
    notes: dict[int, list[Note]] = {}
    pushed: dict[int, list[dict[str, Any]]] = {}  # one stream event per incident per burst
    escalated: list[int] = []
    told: list[tuple[Task, int, dict[str, Any]]] = []
    for timer in batch:
        task = tasks.get(timer.ref_id)
        if task is None:
            outcomes[timer.id] = "no_task"
            continue
        if task.status in rules.TERMINAL or rules.deadline_met(task.status, task.deadline_for):
            outcomes[timer.id] = "met"
            continue
        snap = acts[task.activation_id].snapshot if task.activation_id in acts else {}
        hq = snap.get("headquarters")
        before = {"status": task.status, "escalation_stage": task.escalation_stage}
        escalated.append(task.id)
        changes.append(
            audit.Change(
                "task:escalated", "task", task.id, before=before,
                after={"status": task.status, "escalation_stage": stage},
                reason="deadline passed" if stage == 1 else "still overdue",
            )
        )  # fmt: skip
        if stage == 1:
            after_min = int((snap.get("escalation") or {}).get("committee_after_min", 30))
            new_timers.append(
                {"kind": ESCALATE, "ref_id": task.id, "due_at": now + timedelta(minutes=after_min)}
            )
            office = d.headquarters.get(hq or "", ("", "DEPT-EM"))[1]
            to_name = d.offices.get(hq or "") or d.departments.get(office, office)
            to = {"type": "office", "code": hq, "department": office, "name": to_name}
            message = (
                f"任务超时：{task.party_name}——{task.title}（时限 {hm(task.deadline_at)}），"
                f"已报{to_name}督办"
            )
            message_en = (
                f"task overdue: {task.party_name} — {task.title}; escalated to the "
                "headquarters office"
            )
            outcomes[timer.id] = "escalated_office"
        else:
            to = {"type": "committee", "name": d.committee}
            message = f"任务仍未完成：{task.party_name}——{task.title}，已报{d.committee}"
            message_en = (
                f"task still overdue: {task.party_name} — {task.title}; escalated to the committee"
            )
            outcomes[timer.id] = "escalated_committee"
        notes.setdefault(task.incident_id, []).append(
            Note(
                "task_escalated", message, message_en,
                {"task_id": task.id, "stage": stage, "to": to}, None, None, "overdue",
            )
        )  # fmt: skip
        pushed.setdefault(task.incident_id, []).append(
            event_task(task)["task"] | {"stage": stage, "to": to}
        )
        told.append((task, stage, to))
    if escalated:  # one UPDATE for the burst (the rows are locked above on PostgreSQL)
        db.execute(
            update(Task)
            .where(Task.id.in_(escalated))
            .values(escalation_stage=stage, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    timers.schedule_many(db, new_timers, now=now)
    audit.record_many(db, actor=audit.SYSTEM, changes=changes)
    notices.tasks_escalated(db, told, now=now)  # an SMS to whom each was escalated
    events: Events = []
    for incident_id, items in notes.items():
        first = items[0]
        items[0] = Note(
            first.kind, first.message, first.message_en, first.data, CommandEvent.TASK_ESCALATED,
            {"stage": stage, "tasks": pushed[incident_id]}, first.result,
        )  # fmt: skip
        events += incidents.note(
            db, incident_id=incident_id, notes=items, actor=audit.SYSTEM, now=now
        )
    return outcomes, events
