"""Tasks under way: the parties' progress (moves), reassigning, attaching resources, and
tasks a commander adds by hand.

Every change is audited, put on the incident's timeline and pushed on the stream (through
intake's ``annotate``) in the same transaction; the caller commits and publishes the returned
events.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.command import incidents, notices
from yingji.command.access import COMMAND_ROLES, can_act
from yingji.command.directory import directory, resolve
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Activation, Task
from yingji.command.plans import rules as plan_rules
from yingji.command.plans.document import PARTY_NAMES
from yingji.command.tasks import rules
from yingji.command.tasks.create import assigned_notes, create_tasks, max_seq
from yingji.command.tasks.escalation import DEADLINE, ESCALATE
from yingji.command.tasks.shapes import event_task
from yingji.core.errors import conflict, forbidden, invalid, not_found
from yingji.resources import service as resources_service
from yingji.scheduling import timers

Events = list[dict[str, Any]]


def get_task(db: Session, task_id: int, *, for_update: bool = False) -> Task:
    stmt = select(Task).where(Task.id == task_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    task = db.scalar(stmt)
    if task is None:
        raise not_found("任务", "Task", field="task_id")
    return task


def _activation(db: Session, activation_id: int) -> Activation:
    """The activation a task came from (its plan's snapshot names the headquarters)."""
    a = db.get(Activation, activation_id)
    if a is None:
        raise not_found("预案启动记录", "Activation", field="activation_id")
    return a


def tasks_stmt(
    *,
    scope: tuple[str, str] | None,
    incident_id: int | None = None,
    status: list[str] | None = None,
    party_type: str | None = None,
    party_code: str | None = None,
    phase: str | None = None,
    overdue_at: datetime | None = None,
) -> Select[Any]:
    stmt = select(Task).order_by(Task.incident_id.desc(), Task.seq, Task.id)
    if scope is not None:
        stmt = stmt.where(Task.scope_type == scope[0], Task.scope_code == scope[1])
    if incident_id is not None:
        stmt = stmt.where(Task.incident_id == incident_id)
    if status:
        stmt = stmt.where(Task.status.in_(status))
    if party_type:
        stmt = stmt.where(Task.party_type == party_type)
    if party_code:
        stmt = stmt.where(Task.party_code == party_code)
    if phase:
        stmt = stmt.where(Task.phase == phase)
    if overdue_at is not None:
        stmt = stmt.where(Task.deadline_at < overdue_at, Task.status.in_(rules.OPEN))
    return stmt


def move(
    db: Session,
    *,
    task: Task,
    to: str,
    principal: Principal,
    now: datetime,
    reason: str = "",
    report: str = "",
) -> Events:
    """A party reports progress on its task (accept, en route, on scene, done, refuse)."""
    if not can_act(principal, task):
        raise forbidden("这不是您单位的任务", "This task is not your unit's")
    problem = rules.check_move(task.status, to)
    if problem == "use_reassign":
        raise invalid("to", "改派请使用改派接口", "Use the reassign endpoint", code=problem)
    if problem:
        raise conflict(
            problem,
            f"任务不能从“{rules.STATUS_NAMES.get(task.status)}”变为"
            f"“{rules.STATUS_NAMES.get(to, to)}”",
            f"A task cannot go from {task.status} to {to}; allowed: "
            f"{', '.join(rules.allowed_next(task.status)) or 'none'}",
            field="to",
        )
    if to == "refused" and not reason.strip():
        raise invalid("reason", "拒绝任务须说明理由", "Refusing a task needs a reason")
    before = audit.snapshot(task)
    old = task.status
    for stamp in rules.stamps_for(old, to):
        setattr(task, stamp, now)
    task.status = to
    task.updated_at = now
    if to == "refused":
        task.refused_reason = reason.strip()[:500]
    if report:
        task.report = (task.report + "\n" if task.report else "") + report.strip()
    if to in rules.TERMINAL or rules.deadline_met(to, task.deadline_for):
        timers.cancel(db, kinds=(DEADLINE, ESCALATE), ref_id=task.id, now=now)
    audit.record(
        db, actor=principal.actor, action=f"task:{to}", object_type="task", object_id=task.id,
        before=before, after=audit.snapshot(task), reason=reason or None,
    )  # fmt: skip
    late = (
        task.deadline_at is not None
        and now > task.deadline_at
        and rules.deadline_met(to, task.deadline_for)
        and not rules.deadline_met(old, task.deadline_for)
    )
    suffix = f"：{reason or report}" if (reason or report) else ""
    note = Note(
        f"task_{to}",
        f"{task.party_name}：{task.title}——{rules.STATUS_NAMES[to]}{suffix}"
        + ("（超过时限）" if late else ""),
        f"{task.party_name}: {task.title} — {to}" + (" (late)" if late else ""),
        {"task_id": task.id, "from": old, "to": to, "reason": reason, "report": report},
        CommandEvent.TASK_STATUS,
        event_task(task) | {"from": old},
        "late" if late else "ok",
    )
    return incidents.note(
        db, incident_id=task.incident_id, notes=[note], actor=principal.actor, now=now
    )


def reassign(
    db: Session,
    *,
    task: Task,
    party_type: str,
    party_code: str,
    reason: str,
    principal: Principal,
    now: datetime,
    deadline_at: datetime | None = None,
) -> tuple[Task, Events]:
    """A commander gives a task to another party: the old task ends as ``reassigned``."""
    if principal.role not in COMMAND_ROLES:
        raise forbidden("只有指挥人员可以改派任务", "Only commanders reassign tasks")
    if task.status not in rules.REASSIGNABLE:
        raise conflict(
            "not_reassignable",
            f"“{rules.STATUS_NAMES[task.status]}”的任务不能改派",
            f"A {task.status} task cannot be reassigned",
            field="task_id",
        )
    if party_type not in PARTY_NAMES:
        raise invalid("party_type", "未知的参与方类型", "Unknown party type")
    d = directory(db)
    known_by_type: dict[str, Collection[object]] = {
        "department": d.departments, "subdistrict": d.subdistricts, "team": d.teams,
        "expert": d.experts, "headquarters": d.headquarters, "committee": {"committee": 1},
    }  # fmt: skip
    known = known_by_type[party_type]
    if party_code not in known and not (
        party_type == "expert" and party_code.startswith("specialty:")
    ):
        raise invalid("party_code", f"未知的参与方：{party_code}", f"Unknown party: {party_code}")
    hq = None
    if task.activation_id:
        hq = _activation(db, task.activation_id).snapshot.get("headquarters")
    name, scope_type, scope_code = resolve(d, party_type, party_code, hq)
    before = audit.snapshot(task)
    old_status = task.status
    task.status = "reassigned"
    task.updated_at = now
    timers.cancel(db, kinds=(DEADLINE, ESCALATE), ref_id=task.id, now=now)
    new = Task(
        incident_id=task.incident_id, activation_id=task.activation_id,
        action_key=None, phase=task.phase, response_level=task.response_level,
        seq=task.seq, party_type=party_type, party_code=party_code, party_name=name,
        scope_type=scope_type, scope_code=scope_code, title=task.title, detail=task.detail,
        status="assigned", deadline_at=deadline_at or task.deadline_at,
        deadline_for=task.deadline_for, assigned_at=now, resources=task.resources,
        notify=task.notify, attached=task.attached, report="", refused_reason="",
        escalation_stage=0, reassigned_from=task.id, updated_at=now,
    )  # fmt: skip
    db.add(new)
    db.flush()
    if new.deadline_at is not None:
        timers.schedule(db, kind=DEADLINE, ref_id=new.id, due_at=max(new.deadline_at, now))
    audit.record(
        db, actor=principal.actor, action="task:reassigned", object_type="task",
        object_id=task.id, before=before, after=audit.snapshot(task), reason=reason,
    )  # fmt: skip
    audit.record(
        db, actor=principal.actor, action="create", object_type="task", object_id=new.id,
        after=audit.snapshot(new), reason=f"reassigned from {task.id}",
    )  # fmt: skip
    notices.tasks_assigned(db, [new], actor=principal.actor, now=now)
    note = Note(
        "task_reassigned",
        f"任务改派：{task.title}，由{task.party_name}改派{name}"
        + (f"（{reason}）" if reason else ""),
        f"task reassigned from {task.party_name} to {name}: {task.title}",
        {"task_id": task.id, "new_task_id": new.id, "from_status": old_status,
         "reason": reason},
        CommandEvent.TASK_REASSIGNED,
        event_task(new) | {"old_task_id": task.id},
    )  # fmt: skip
    events = incidents.note(
        db, incident_id=task.incident_id, notes=[note], actor=principal.actor, now=now
    )
    return new, events


def attach(
    db: Session,
    *,
    task: Task,
    items: list[dict[str, Any]],
    principal: Principal,
    now: datetime,
) -> Events:
    """Attach recommended resources (a team, an expert, a warehouse, a camera) to a task."""
    if not can_act(principal, task):
        raise forbidden("这不是您单位的任务", "This task is not your unit's")
    if task.status in rules.TERMINAL:
        raise conflict("task_closed", "任务已结束", "The task is finished", field="task_id")
    already = {(i["kind"], i["id"]) for t in incident_tasks(db, task.incident_id)
               for i in t.attached}  # fmt: skip
    for item in items:
        if item["kind"] == "teams" and ("teams", item["id"]) not in already:
            # 出动: the team leaves standby for this incident (409 if it is not on standby)
            resources_service.dispatch_team(
                db, team_id=item["id"], incident_ref=str(task.incident_id),
                actor=principal.actor, now=now,
            )  # fmt: skip
    before = audit.snapshot(task)
    task.attached = [*task.attached, *items]
    task.updated_at = now
    audit.record(
        db, actor=principal.actor, action="task:attach", object_type="task", object_id=task.id,
        before=before, after=audit.snapshot(task),
    )  # fmt: skip
    names = "、".join(str(i.get("name") or f"{i['kind']} {i['id']}") for i in items)
    note = Note(
        "task_resources",
        f"为任务“{task.title}”调派：{names}",
        f"resources attached to '{task.title}': {names}",
        {"task_id": task.id, "items": items},
        CommandEvent.TASK_RESOURCES,
        event_task(task) | {"items": items},
    )
    return incidents.note(
        db, incident_id=task.incident_id, notes=[note], actor=principal.actor, now=now
    )


def incident_tasks(db: Session, incident_id: int) -> list[Task]:
    return list(db.scalars(select(Task).where(Task.incident_id == incident_id)))


def add_task(
    db: Session,
    *,
    incident: IncidentRef,
    phase: str,
    party_type: str,
    party_code: str,
    title: str,
    detail: str,
    deadline_min: int,
    principal: Principal,
    now: datetime,
) -> tuple[Task, Events]:
    """A commander adds one task by hand (an aftermath task, or one no plan foresaw)."""
    if principal.role not in COMMAND_ROLES:
        raise forbidden("只有指挥人员可以下达任务", "Only commanders add tasks")
    d = directory(db)
    known_by_type: dict[str, Collection[object]] = {
        "department": d.departments, "subdistrict": d.subdistricts, "team": d.teams,
        "expert": d.experts, "headquarters": d.headquarters, "committee": {"committee": 1},
    }  # fmt: skip
    known = known_by_type[party_type]
    if party_code not in known and not party_code.startswith("specialty:"):
        raise invalid("party_code", f"未知的参与方：{party_code}", f"Unknown party: {party_code}")
    spec = plan_rules.TaskSpec(
        action_key="", response_level="-", seq=max_seq(db, incident.id) + 1,
        party_type=party_type, party_code=party_code, title=title, detail=detail,
        deadline_at=now + timedelta(minutes=deadline_min), deadline_for="completed",
        resources=[], notify=[], phase=phase,
    )  # fmt: skip
    active = list(
        db.scalars(
            select(Activation)
            .where(Activation.incident_id == incident.id, Activation.status == "active")
            .order_by(Activation.id)
        )
    )
    hq = active[0].snapshot.get("headquarters") if active else incident.headquarters_code
    tasks = create_tasks(
        db, specs=[spec], incident=incident, activation_id=None, hq=hq, d=d,
        actor=principal.actor, now=now,
    )  # fmt: skip
    for t in tasks:
        t.action_key = None
    return tasks[0], incidents.note(
        db, incident_id=incident.id, notes=assigned_notes(tasks), actor=principal.actor, now=now
    )
