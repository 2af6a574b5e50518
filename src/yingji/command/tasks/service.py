"""Activation of plans on incidents, and the tasks they create.

Activation freezes the plan version onto the incident (``Activation.snapshot``): tasks,
level raises and aftermath always read the snapshot, so editing the plan later never changes
a response under way. Every change is audited, put on the incident's timeline and pushed on
the stream (through intake's ``annotate``) in the same transaction; the caller commits and
publishes the returned events.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import incidents
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Activation, Plan, Task
from yingji.command.plans import rules as plan_rules
from yingji.command.plans import service as plans
from yingji.command.plans.document import PARTY_NAMES, PlanDocument, level_rank
from yingji.command.tasks import rules
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.intake import service as intake_service
from yingji.org import service as org_service
from yingji.resources import service as resources_service
from yingji.scheduling import clock, timers
from yingji.scheduling.models import Timer

Events = list[dict[str, Any]]
COMMAND_ROLES = frozenset({Role.admin, Role.duty_officer, Role.hq_commander, Role.committee})
ACTIVATE_ROLES = COMMAND_ROLES
DEADLINE = "task_deadline"
ESCALATE = "task_escalate"


# ------------------------------------------------------------------ parties
@dataclass(frozen=True)
class Directory:
    """Names and owners of every party a task can go to (one read per activation)."""

    departments: dict[str, str]
    headquarters: dict[str, tuple[str, str]]  # code → (name, lead department)
    offices: dict[str, str]  # headquarters code → its office's name
    subdistricts: dict[str, str]
    teams: dict[str, tuple[str, str, str]]  # code → (name, owner type, owner code)
    experts: dict[str, str]
    committee: str


_directory_lock = threading.Lock()
_directory_cache: dict[str, tuple[float, Directory]] = {}
DIRECTORY_CACHE_S = 30.0


def directory(db: Session) -> Directory:
    """The directory, cached for ``DIRECTORY_CACHE_S`` per database: names and owners change
    rarely, and an activation or a burst of escalations should not re-read the organisation
    for every task."""
    key = db.get_bind().url.render_as_string(hide_password=True)
    now_s = time.monotonic()
    cached = _directory_cache.get(key)
    if cached is not None and now_s - cached[0] < DIRECTORY_CACHE_S:
        return cached[1]
    d = _read_directory(db)
    with _directory_lock:
        _directory_cache[key] = (now_s, d)
    return d


def forget_directory() -> None:
    with _directory_lock:
        _directory_cache.clear()


def _read_directory(db: Session) -> Directory:
    committee = org_service.get_committee(db)
    hqs = org_service.list_headquarters(db)
    return Directory(
        departments={d.code: d.name for d in org_service.list_departments(db)},
        headquarters={h.code: (h.name, h.lead_department.code) for h in hqs},
        offices={h.code: h.office_name for h in hqs},
        subdistricts=org_service.subdistrict_names(db),
        teams={t.code: (t.name, t.owner_type, t.owner_code) for t in resources_service.teams(db)},
        experts={e.code: e.name for e in resources_service.experts(db)},
        committee=committee.name if committee else "应急管理委员会",
    )


def resolve(d: Directory, party_type: str, code: str, hq: str | None) -> tuple[str, str, str]:
    """(display name, scope type, scope code): who in the system acts for the party.

    A department or sub-district acts for itself; a team through its owning department; an
    expert (or a team with no department) through the office of the plan's headquarters, in
    its lead department, which contacts them.
    """
    office = d.headquarters.get(hq or "", ("", "DEPT-EM"))[1]
    if party_type == "department":
        return d.departments.get(code, code), "department", code
    if party_type == "subdistrict":
        return d.subdistricts.get(code, code), "subdistrict", code
    if party_type == "headquarters":
        return d.headquarters.get(code, (code, ""))[0], "headquarters", code
    if party_type == "committee":
        return d.committee, "committee", "committee"
    if party_type == "team":
        name, owner_type, owner = d.teams.get(code, (code, "", ""))
        if owner_type == "department" and owner:
            return name, "department", owner
        return name, "department", office
    if code.startswith("specialty:"):
        return f"{code.removeprefix('specialty:')}专家", "department", office
    return d.experts.get(code, code), "department", office


# ------------------------------------------------------------------ shaping
def task_read(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "incident_id": t.incident_id,
        "activation_id": t.activation_id,
        "phase": t.phase,
        "response_level": t.response_level,
        "seq": t.seq,
        "party": {"type": t.party_type, "code": t.party_code, "name": t.party_name},
        "scope": {"type": t.scope_type, "code": t.scope_code},
        "title": t.title,
        "detail": t.detail,
        "status": t.status,
        "status_name": rules.STATUS_NAMES[t.status],
        "next_statuses": rules.allowed_next(t.status),
        "deadline_at": t.deadline_at,
        "deadline_for": t.deadline_for,
        "assigned_at": t.assigned_at,
        "accepted_at": t.accepted_at,
        "en_route_at": t.en_route_at,
        "on_scene_at": t.on_scene_at,
        "completed_at": t.completed_at,
        "refused_reason": t.refused_reason,
        "escalation_stage": t.escalation_stage,
        "resources": t.resources,
        "notify": t.notify,
        "attached": t.attached,
        "report": t.report,
        "reassigned_from": t.reassigned_from,
        "updated_at": t.updated_at,
    }


def _event_task(t: Task) -> dict[str, Any]:
    return {
        "task": {
            "id": t.id,
            "title": t.title,
            "status": t.status,
            "party": {"type": t.party_type, "code": t.party_code, "name": t.party_name},
            "scope": {"type": t.scope_type, "code": t.scope_code},
            "deadline_at": t.deadline_at.isoformat() if t.deadline_at else None,
        }
    }


def activation_read(a: Activation, plan: Plan | None = None) -> dict[str, Any]:
    doc = a.snapshot
    level = next((r for r in doc["response_levels"] if r["level"] == a.response_level), None)
    return {
        "id": a.id,
        "incident_id": a.incident_id,
        "plan": {"id": a.plan_id, "code": doc["code"], "name": doc["name"]},
        "plan_version": a.plan_version,
        "plan_current_version": plan.current_version if plan else None,
        "response_level": a.response_level,
        "response_name": level["name"] if level else "",
        "lead": level["lead"] if level else None,
        "status": a.status,
        "activated_at": a.activated_at,
        "activated_by": a.activated_by,
        "ended_at": a.ended_at,
    }


# ------------------------------------------------------------------ suggestions
def suggestions(db: Session, incident: IncidentRef) -> list[dict[str, Any]]:
    """Plans that apply to the incident, best first, with the response level and why."""
    out = []
    for plan, version, doc in plans.current_documents(db):
        s = plan_rules.suggest(doc, incident)
        if s is None:
            continue
        level = plan_rules.level_of(doc, s.response_level)
        out.append(
            {
                "plan": {"id": plan.id, "code": plan.code, "name": plan.name, "kind": plan.kind},
                "version": version.version,
                "score": s.score,
                "category_match": s.category_match,
                "level_ok": s.level_ok,
                "conditions_met": s.conditions_met,
                "conditions_unmet": s.conditions_unmet,
                "response_level": s.response_level,
                "response_name": level.name,
                "lead": level.lead.model_dump(),
                "task_count": sum(
                    len(p.actions)
                    for r in plan_rules.levels_in_force(doc, s.response_level)
                    for p in r.parties
                ),
            }
        )
    out.sort(key=lambda x: (-x["score"], x["plan"]["code"]))
    return out


# ------------------------------------------------------------------ creating tasks
def _create_tasks(
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
    return tasks


def _hm(at: datetime | None) -> str:
    """A deadline as Beijing wall-clock time, the way the parties read it."""
    return at.astimezone(clock.BEIJING).strftime("%m-%d %H:%M") if at else ""


def _assigned_notes(tasks: list[Task]) -> list[Note]:
    """One timeline note and one stream event per party, listing its new tasks: each party
    is pushed its own work at once (a plan of 40 tasks to 10 parties is 10 pushes)."""
    by_party: dict[tuple[str, str], list[Task]] = {}
    for t in tasks:
        by_party.setdefault((t.party_type, t.party_code), []).append(t)
    notes = []
    for group in by_party.values():
        first = group[0]
        items = "；".join(
            f"{t.title}（时限 {_hm(t.deadline_at)}）" if t.deadline_at else t.title for t in group
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
                "task.assigned",
                {
                    "party": {
                        "type": first.party_type,
                        "code": first.party_code,
                        "name": first.party_name,
                    },
                    "scope": {"type": first.scope_type, "code": first.scope_code},
                    "tasks": [_event_task(t)["task"] for t in group],
                },
            )
        )
    return notes


def activate(
    db: Session,
    *,
    incident: IncidentRef,
    plan: Plan,
    principal: Principal,
    now: datetime,
    response_level: str | None = None,
    version: int | None = None,
) -> tuple[Activation, list[Task], Events]:
    """Start a plan on an incident: freeze its version and create every task at once."""
    if principal.role not in ACTIVATE_ROLES:
        raise forbidden("您的角色无权启动预案", "Your role may not activate a plan")
    pv = plans.get_version(db, plan, version)
    doc = PlanDocument.model_validate(pv.body)
    if (
        principal.role == Role.hq_commander
        and doc.headquarters
        and principal.scope_code != doc.headquarters
    ):
        raise forbidden("只能启动本指挥部的预案", "Only your headquarters' plans")
    if incident.status in ("closed", "false_alarm", "reported"):
        raise conflict(
            "incident_not_verified" if incident.status == "reported" else "incident_closed",
            "事件尚未核实，不能启动预案" if incident.status == "reported"
            else "事件已终结，不能启动预案",
            "Verify the incident before activating a plan" if incident.status == "reported"
            else "The incident is closed",
            field="incident_id",
        )  # fmt: skip
    existing = db.scalar(
        select(Activation).where(
            Activation.incident_id == incident.id,
            Activation.plan_id == plan.id,
            Activation.status == "active",
        )
    )
    if existing is not None:
        raise conflict(
            "plan_already_active", "该预案已在本事件上启动", "This plan is already active here",
            field="plan_id",
        )  # fmt: skip
    level = response_level or plan_rules.choose_response_level(doc, incident.level)
    if level not in {r.level for r in doc.response_levels}:
        raise invalid(
            "response_level",
            f"预案没有 {level} 级响应",
            f"The plan has no level {level} response",
        )
    activation = Activation(
        incident_id=incident.id, plan_id=plan.id, plan_version=pv.version, snapshot=pv.body,
        response_level=level, status="active", incident_ref=incident.as_json(),
        activated_at=now, activated_by=principal.name,
    )  # fmt: skip
    db.add(activation)
    db.flush()
    d = directory(db)
    specs, unresolved = plan_rules.response_specs(
        doc, level, incident, now=now, existing_keys=set(), seq_start=_max_seq(db, incident.id)
    )
    tasks = _create_tasks(
        db, specs=specs, incident=incident, activation_id=activation.id, hq=doc.headquarters,
        d=d, actor=principal.actor, now=now,
    )  # fmt: skip
    audit.record(
        db, actor=principal.actor, action="activate", object_type="activation",
        object_id=activation.id, after=audit.snapshot(activation, exclude=("snapshot",)),
    )  # fmt: skip
    lead = plan_rules.level_of(doc, level).lead
    notes = [
        Note(
            "plan_activated",
            f"{principal.name} 启动《{doc.name}》（第 {pv.version} 版）{level} 级响应，"
            f"由{lead.title}指挥，下达任务 {len(tasks)} 项"
            + (f"；无法确定的参与方：{'、'.join(unresolved)}" if unresolved else ""),
            f"{principal.name} activated '{doc.code}' v{pv.version} at response level {level}; "
            f"{len(tasks)} tasks",
            {
                "activation_id": activation.id,
                "plan_code": doc.code,
                "version": pv.version,
                "response_level": level,
                "tasks": len(tasks),
                "unresolved": unresolved,
            },
            "plan.activated",
            {
                "activation": {
                    "id": activation.id,
                    "plan_code": doc.code,
                    "plan_name": doc.name,
                    "version": pv.version,
                    "response_level": level,
                    "tasks": len(tasks),
                }
            },
        ),
        *_assigned_notes(tasks),
    ]
    events = incidents.note(
        db, incident_id=incident.id, notes=notes, actor=principal.actor, now=now
    )
    if incident.status == "verified":  # a plan under way: the incident is being handled
        events += incidents.transition(
            db, incident_id=incident.id, to="responding", reason=f"启动《{doc.name}》",
            principal=principal, now=now,
        )  # fmt: skip
    return activation, tasks, events


def _max_seq(db: Session, incident_id: int) -> int:
    return int(db.scalar(select(func.max(Task.seq)).where(Task.incident_id == incident_id)) or 0)


def _existing_keys(db: Session, activation_id: int) -> set[str]:
    return {
        k
        for k in db.scalars(select(Task.action_key).where(Task.activation_id == activation_id))
        if k
    }


def raise_response(
    db: Session,
    *,
    activation: Activation,
    incident: IncidentRef,
    level: str,
    actor: audit.Actor,
    now: datetime,
) -> tuple[list[Task], Events]:
    """Move an activation to a more severe response level and add that level's tasks."""
    if activation.status != "active":
        raise conflict("activation_ended", "该预案响应已结束", "This response has ended")
    if level_rank(level) >= level_rank(activation.response_level):
        raise conflict(
            "level_not_higher",
            f"只能提高响应级别：当前 {activation.response_level} 级",
            f"The response level can only go up: it is {activation.response_level}",
            field="level",
        )
    doc = PlanDocument.model_validate(activation.snapshot)
    if level not in {r.level for r in doc.response_levels}:
        level = plan_rules.choose_response_level(doc, level)
        if level_rank(level) >= level_rank(activation.response_level):
            raise conflict(
                "no_higher_level", "预案没有更高的响应级别", "The plan has no higher level",
                field="level",
            )  # fmt: skip
    old = activation.response_level
    before = audit.snapshot(activation, exclude=("snapshot",))
    activation.response_level = level
    specs, unresolved = plan_rules.response_specs(
        doc, level, incident, now=now, existing_keys=_existing_keys(db, activation.id),
        seq_start=_max_seq(db, incident.id),
    )  # fmt: skip
    tasks = _create_tasks(
        db, specs=specs, incident=incident, activation_id=activation.id, hq=doc.headquarters,
        d=directory(db), actor=actor, now=now,
    )  # fmt: skip
    audit.record(
        db, actor=actor, action="raise_response", object_type="activation",
        object_id=activation.id, before=before,
        after=audit.snapshot(activation, exclude=("snapshot",)),
    )  # fmt: skip
    lead = plan_rules.level_of(doc, level).lead
    notes = [
        Note(
            "response_raised",
            f"《{doc.name}》响应由 {old} 级提升为 {level} 级，由{lead.title}指挥，"
            f"增派任务 {len(tasks)} 项",
            f"response to '{doc.code}' raised from {old} to {level}; {len(tasks)} tasks added",
            {
                "activation_id": activation.id,
                "from": old,
                "to": level,
                "tasks": len(tasks),
                "unresolved": unresolved,
            },
            "plan.response_raised",
            {
                "activation": {
                    "id": activation.id,
                    "plan_code": doc.code,
                    "from": old,
                    "response_level": level,
                    "tasks": len(tasks),
                }
            },
        ),
        *_assigned_notes(tasks),
    ]
    return tasks, incidents.note(db, incident_id=incident.id, notes=notes, actor=actor, now=now)


def sync_levels(db: Session, *, now: datetime) -> Events:
    """Raise every active response whose incident's level has risen above it (the incident's
    level may be raised in intake, by hand or by a merged report); end those whose incident
    was closed through intake's own API. Run periodically by the timer loop."""
    events: Events = []
    for a in db.scalars(select(Activation).where(Activation.status == "active")):
        incident = incidents.load(db, a.incident_id)
        if incident.status in ("closed", "false_alarm"):  # closed elsewhere (intake's API)
            _end_response(db, incident_id=incident.id, actor=audit.SYSTEM, now=now)
            continue
        if level_rank(incident.level) >= level_rank(a.response_level):
            continue  # the incident is no more severe than the response: nothing to raise
        doc = PlanDocument.model_validate(a.snapshot)
        wanted = plan_rules.choose_response_level(doc, incident.level)
        if level_rank(wanted) < level_rank(a.response_level):
            _tasks, ev = raise_response(
                db, activation=a, incident=incident, level=wanted, actor=audit.SYSTEM, now=now
            )
            events += ev
    return events


def get_activation(db: Session, activation_id: int) -> Activation:
    a = db.get(Activation, activation_id)
    if a is None:
        raise not_found("预案启动记录", "Activation", field="activation_id")
    return a


def activations_for(db: Session, incident_id: int) -> list[Activation]:
    return list(
        db.scalars(
            select(Activation).where(Activation.incident_id == incident_id).order_by(Activation.id)
        )
    )


# ------------------------------------------------------------------ task moves
def get_task(db: Session, task_id: int, *, for_update: bool = False) -> Task:
    stmt = select(Task).where(Task.id == task_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    task = db.scalar(stmt)
    if task is None:
        raise not_found("任务", "Task", field="task_id")
    return task


def can_act(principal: Principal, task: Task) -> bool:
    """Commanders act on any task; an operator on the tasks of its own department or
    sub-district."""
    if principal.role in COMMAND_ROLES:
        return True
    if principal.role == Role.department_operator:
        return task.scope_type == "department" and task.scope_code == principal.scope_code
    if principal.role == Role.subdistrict_operator:
        return task.scope_type == "subdistrict" and task.scope_code == principal.scope_code
    return False


def can_see(principal: Principal, task: Task) -> bool:
    return principal.role == Role.viewer or can_act(principal, task)


def scope_filter(principal: Principal) -> tuple[str, str] | None:
    """The (scope type, code) a caller's task list is confined to, or None for all."""
    if principal.role == Role.department_operator:
        return ("department", principal.scope_code or "")
    if principal.role == Role.subdistrict_operator:
        return ("subdistrict", principal.scope_code or "")
    return None


def tasks_stmt(
    *,
    scope: tuple[str, str] | None,
    incident_id: int | None = None,
    status: list[str] | None = None,
    party_type: str | None = None,
    party_code: str | None = None,
    phase: str | None = None,
    overdue_at: datetime | None = None,
):  # type: ignore[no-untyped-def]
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
        "task.status",
        _event_task(task) | {"from": old},
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
    known = {
        "department": d.departments, "subdistrict": d.subdistricts, "team": d.teams,
        "expert": d.experts, "headquarters": d.headquarters, "committee": {"committee": 1},
    }[party_type]  # fmt: skip
    if party_code not in known and not (
        party_type == "expert" and party_code.startswith("specialty:")
    ):
        raise invalid("party_code", f"未知的参与方：{party_code}", f"Unknown party: {party_code}")
    hq = None
    if task.activation_id:
        hq = get_activation(db, task.activation_id).snapshot.get("headquarters")
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
    note = Note(
        "task_reassigned",
        f"任务改派：{task.title}，由{task.party_name}改派{name}"
        + (f"（{reason}）" if reason else ""),
        f"task reassigned from {task.party_name} to {name}: {task.title}",
        {"task_id": task.id, "new_task_id": new.id, "from_status": old_status,
         "reason": reason},
        "task.reassigned",
        _event_task(new) | {"old_task_id": task.id},
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
    already = {(i["kind"], i["id"]) for t in _incident_tasks(db, task.incident_id)
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
        "task.resources",
        _event_task(task) | {"items": items},
    )
    return incidents.note(
        db, incident_id=task.incident_id, notes=[note], actor=principal.actor, now=now
    )


def _incident_tasks(db: Session, incident_id: int) -> list[Task]:
    return list(db.scalars(select(Task).where(Task.incident_id == incident_id)))


def release_teams(db: Session, *, incident_id: int, actor: audit.Actor, now: datetime) -> list[int]:
    """收队: every team still out on this incident through its tasks goes back on standby
    (one released by hand or sent elsewhere since is left alone)."""
    attached = {
        i["id"] for t in _incident_tasks(db, incident_id) for i in t.attached
        if i["kind"] == "teams"
    }  # fmt: skip
    if not attached:
        return []
    out_here = [
        t.id for t in resources_service.teams(db, status="deployed")
        if t.id in attached and t.status_incident_ref == str(incident_id)
    ]  # fmt: skip
    for team_id in out_here:
        resources_service.release_team(db, team_id=team_id, actor=actor, now=now)
    return out_here


# ------------------------------------------------------------------ escalation (timers)
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
                f"任务超时：{task.party_name}——{task.title}（时限 {_hm(task.deadline_at)}），"
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
            _event_task(task)["task"] | {"stage": stage, "to": to}
        )
    if escalated:  # one UPDATE for the burst (the rows are locked above on PostgreSQL)
        db.execute(
            update(Task)
            .where(Task.id.in_(escalated))
            .values(escalation_stage=stage, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    timers.schedule_many(db, new_timers, now=now)
    audit.record_many(db, actor=audit.SYSTEM, changes=changes)
    events: Events = []
    for incident_id, items in notes.items():
        first = items[0]
        items[0] = Note(
            first.kind, first.message, first.message_en, first.data, "task.escalated",
            {"stage": stage, "tasks": pushed[incident_id]}, first.result,
        )  # fmt: skip
        events += incidents.note(
            db, incident_id=incident_id, notes=items, actor=audit.SYSTEM, now=now
        )
    return outcomes, events


# ------------------------------------------------------------------ ad-hoc, aftermath, close
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
    known = {
        "department": d.departments, "subdistrict": d.subdistricts, "team": d.teams,
        "expert": d.experts, "headquarters": d.headquarters, "committee": {"committee": 1},
    }[party_type]  # fmt: skip
    if party_code not in known and not party_code.startswith("specialty:"):
        raise invalid("party_code", f"未知的参与方：{party_code}", f"Unknown party: {party_code}")
    spec = plan_rules.TaskSpec(
        action_key="", response_level="-", seq=_max_seq(db, incident.id) + 1,
        party_type=party_type, party_code=party_code, title=title, detail=detail,
        deadline_at=now + timedelta(minutes=deadline_min), deadline_for="completed",
        resources=[], notify=[], phase=phase,
    )  # fmt: skip
    active = [a for a in activations_for(db, incident.id) if a.status == "active"]
    hq = active[0].snapshot.get("headquarters") if active else incident.headquarters_code
    tasks = _create_tasks(
        db, specs=[spec], incident=incident, activation_id=None, hq=hq, d=d,
        actor=principal.actor, now=now,
    )  # fmt: skip
    for t in tasks:
        t.action_key = None
    return tasks[0], incidents.note(
        db, incident_id=incident.id, notes=_assigned_notes(tasks), actor=principal.actor, now=now
    )


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
            doc, incident, now=now, existing_keys=_existing_keys(db, a.id),
            seq_start=_max_seq(db, incident.id) + len(created),
        )  # fmt: skip
        created += _create_tasks(
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
            "aftermath.listed",
            {"tasks": len(created)},
        ),
        *_assigned_notes(created),
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
    _end_response(db, incident_id=incident.id, actor=principal.actor, now=now)
    return events


def _end_response(db: Session, *, incident_id: int, actor: audit.Actor, now: datetime) -> None:
    """The incident is over: its activations end and its teams come back."""
    release_teams(db, incident_id=incident_id, actor=actor, now=now)
    for a in activations_for(db, incident_id):
        if a.status == "active":
            a.status = "ended"
            a.ended_at = now
            audit.record(
                db, actor=actor, action="end", object_type="activation", object_id=a.id,
                after={"status": "ended"},
            )  # fmt: skip
