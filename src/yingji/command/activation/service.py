"""Activation of plans on incidents (预案启动): the response, its level raises and its end.

Activation freezes the plan version onto the incident (``Activation.snapshot``): tasks,
level raises and aftermath always read the snapshot, so editing the plan later never changes
a response under way. Every change is audited, put on the incident's timeline and pushed on
the stream (through intake's ``annotate``) in the same transaction; the caller commits and
publishes the returned events.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import incidents
from yingji.command.access import ACTIVATE_ROLES
from yingji.command.activation.read import activations_for
from yingji.command.directory import directory
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Activation, Plan, Task
from yingji.command.plans import rules as plan_rules
from yingji.command.plans import service as plans
from yingji.command.plans.document import PlanDocument, level_rank
from yingji.command.tasks.create import assigned_notes, create_tasks, existing_keys, max_seq
from yingji.command.tasks.service import incident_tasks
from yingji.core.errors import conflict, forbidden, invalid
from yingji.resources import service as resources_service

Events = list[dict[str, Any]]


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
        doc, level, incident, now=now, existing_keys=set(), seq_start=max_seq(db, incident.id)
    )
    tasks = create_tasks(
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
            CommandEvent.PLAN_ACTIVATED,
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
        *assigned_notes(tasks),
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
        doc, level, incident, now=now, existing_keys=existing_keys(db, activation.id),
        seq_start=max_seq(db, incident.id),
    )  # fmt: skip
    tasks = create_tasks(
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
            CommandEvent.PLAN_RESPONSE_RAISED,
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
        *assigned_notes(tasks),
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
            end_response(db, incident_id=incident.id, actor=audit.SYSTEM, now=now)
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


def release_teams(db: Session, *, incident_id: int, actor: audit.Actor, now: datetime) -> list[int]:
    """收队: every team still out on this incident through its tasks goes back on standby
    (one released by hand or sent elsewhere since is left alone)."""
    attached = {
        i["id"] for t in incident_tasks(db, incident_id) for i in t.attached
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


def end_response(db: Session, *, incident_id: int, actor: audit.Actor, now: datetime) -> None:
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
