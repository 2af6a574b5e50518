"""HTTP API of command and dispatch: plans, activation, tasks, aftermath and closing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import access, aftermath, consultation, incidents, recommend, review
from yingji.command import merging as merging  # registers command's merge follower with intake
from yingji.command.activation import read as activations
from yingji.command.activation import service as activation_service
from yingji.command.activation.suggestions import suggestions
from yingji.command.models import Task
from yingji.command.plans import document
from yingji.command.plans import service as plans
from yingji.command.schemas import (
    ActivateIn,
    ActivationRead,
    ActivationWithTasks,
    AttachIn,
    IncidentClosed,
    MessageIn,
    MessageRead,
    PlanDocumentRead,
    PlanJsonIn,
    PlanRead,
    PlanSaved,
    PlanVersionRead,
    RaiseIn,
    ReassignIn,
    Recommendations,
    ReviewIn,
    ReviewRead,
    RevisionRead,
    Suggestion,
    TaskIn,
    TaskMoveIn,
    TaskRead,
)
from yingji.command.tasks import service as tasks
from yingji.command.tasks.shapes import task_read
from yingji.core.deps import get_db
from yingji.core.downloads import content_disposition
from yingji.core.errors import forbidden, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, content, errors
from yingji.core.validators import BigRowId, Offset, RowId, Text
from yingji.scheduling import clock

router = APIRouter(prefix="/api/v1", tags=["command 指挥调度"], route_class=TypedRoute)

EVERY_USER = tuple(Role)
PLAN_READ = allow(*EVERY_USER)
PLAN_WRITE = allow(Role.admin, Role.duty_officer, Role.hq_commander)
COMMAND = allow(Role.admin, Role.duty_officer, Role.hq_commander, Role.committee)
TASK_READ = allow(
    Role.admin, Role.duty_officer, Role.hq_commander, Role.committee, Role.viewer,
    Role.department_operator, Role.subdistrict_operator,
)  # fmt: skip
YAML_TYPE = "application/yaml"


def _publish(request: Request, db: Session, events: list[dict[str, Any]]) -> None:
    db.commit()
    if events:
        request.app.state.bus.publish(events)


def _plan_read(p: Any) -> PlanRead:
    return PlanRead(
        id=p.id, code=p.code, name=p.name, kind=p.kind, headquarters_code=p.headquarters_code,
        current_version=p.current_version, updated_at=p.updated_at,
    )  # fmt: skip


def _version_read(p: Any, v: Any) -> PlanVersionRead:
    return PlanVersionRead(
        plan_id=p.id, code=p.code, version=v.version, note=v.note, created_at=v.created_at,
        created_by=v.created_by, body=v.body,
    )  # fmt: skip


# ------------------------------------------------------------------ plans
@router.get("/plans", response_model=Page[PlanRead])
def list_plans(
    kind: Text | None = Query(None, description="plan 应急预案 | onsite 现场处置方案"),
    headquarters: Text | None = Query(None, description="指挥部代码"),
    q: Text | None = Query(None, max_length=100),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(PLAN_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    rows, total = paginate(db, plans.list_stmt(kind=kind, headquarters=headquarters, q=q), page)
    return {"items": [_plan_read(p) for p in rows], "total": total, **page.model_dump()}


@router.get("/plans/{plan_id}", response_model=PlanVersionRead, responses=errors(404))
def get_plan(
    plan_id: RowId,
    version: RowId | None = Query(None),
    _: Principal = Depends(PLAN_READ),
    db: Session = Depends(get_db),
) -> PlanVersionRead:
    """A plan's current (or given) version, as the structured document."""
    plan = plans.get_plan(db, plan_id)
    return _version_read(plan, plans.get_version(db, plan, version))


@router.get(
    "/plans/{plan_id}/versions", response_model=list[PlanVersionRead], responses=errors(404)
)
def plan_versions(
    plan_id: RowId, _: Principal = Depends(PLAN_READ), db: Session = Depends(get_db)
) -> list[PlanVersionRead]:
    """Every version, newest first (each one kept)."""
    plan = plans.get_plan(db, plan_id)
    return [_version_read(plan, v) for v in plans.versions(db, plan)]


@router.get(
    "/plans/{plan_id}/yaml",
    response_class=Response,
    responses={**content(YAML_TYPE, "预案 YAML / the plan as YAML", binary=False), **errors(404)},
)
def export_plan(
    plan_id: RowId,
    version: RowId | None = Query(None),
    _: Principal = Depends(PLAN_READ),
    db: Session = Depends(get_db),
) -> Response:
    plan = plans.get_plan(db, plan_id)
    v = plans.get_version(db, plan, version)
    return Response(
        plans.export_yaml(v),
        media_type=f"{YAML_TYPE}; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition(
                f"{plan.code}-v{v.version}.yaml", f"plan-v{v.version}.yaml"
            )
        },
    )


@router.post("/plans:import", response_model=PlanSaved, status_code=201, responses=errors(404, 409))
def import_plan(
    request: Request,
    text: str = Body(..., media_type=YAML_TYPE, description="预案 YAML"),
    note: Annotated[Text, Query(max_length=500)] = "",
    expect_version: RowId | None = Query(None),
    principal: Principal = Depends(PLAN_WRITE),
    db: Session = Depends(get_db),
) -> PlanSaved:
    """Import a plan from YAML: a new plan, or a new version of the plan with that code."""
    before = plans.get_plan_by_code(db, _peek_code(text))
    old_version = before.current_version if before else 0
    plan, version = plans.import_yaml(
        db, text=text, actor=principal.actor, now=clock.now(), note=note,
        expect_version=expect_version,
    )  # fmt: skip
    db.commit()
    return PlanSaved(
        plan=_plan_read(plan), version=version.version, created=version.version != old_version
    )


def _peek_code(text: str) -> str:
    data, _ = document.parse_yaml(text)
    return str(data.get("code", ""))


@router.post("/plans", response_model=PlanSaved, status_code=201, responses=errors(404, 409))
def save_plan(
    body: PlanJsonIn, principal: Principal = Depends(PLAN_WRITE), db: Session = Depends(get_db)
) -> PlanSaved:
    """Save a plan from the editor (JSON document): creates it or adds a version."""
    doc = document.validate(body.document)
    before = plans.get_plan_by_code(db, doc.code)
    old_version = before.current_version if before else 0
    plan, version = plans.save(
        db, doc=doc, actor=principal.actor, now=clock.now(), note=body.note,
        expect_version=body.expect_version,
    )  # fmt: skip
    db.commit()
    return PlanSaved(
        plan=_plan_read(plan), version=version.version, created=version.version != old_version
    )


# ------------------------------------------------------------------ activation
@router.get(
    "/incidents/{incident_id}/plans/suggested",
    response_model=list[Suggestion],
    response_model_exclude_unset=True,
    responses=errors(404),
)
def suggested_plans(
    incident_id: BigRowId, principal: Principal = Depends(COMMAND), db: Session = Depends(get_db)
) -> list[dict[str, Any]]:
    """Plans that apply to the incident (category, level, conditions), best first."""
    incident = incidents.load(db, incident_id, territory=principal.territory(), with_text=True)
    return suggestions(db, incident)


@router.post(
    "/incidents/{incident_id}/activations",
    status_code=201,
    response_model=ActivationWithTasks,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def activate(
    incident_id: BigRowId,
    body: ActivateIn,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Activate a plan: its version is frozen onto the incident and every task created."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    plan = plans.get_plan(db, body.plan_id)
    activation, created, events = activation_service.activate(
        db, incident=incident, plan=plan, principal=principal, now=clock.now(),
        response_level=body.response_level, version=body.version,
    )  # fmt: skip
    _publish(request, db, events)
    return {
        **activations.activation_read(activation, plan),
        "tasks": [task_read(t) for t in created],
    }


@router.get(
    "/incidents/{incident_id}/activations",
    response_model=list[ActivationRead],
    response_model_exclude_unset=True,
    responses=errors(404),
)
def incident_activations(
    incident_id: BigRowId, principal: Principal = Depends(TASK_READ), db: Session = Depends(get_db)
) -> list[dict[str, Any]]:
    incidents.load(db, incident_id, territory=principal.territory())
    return [activations.activation_read(a) for a in activations.activations_for(db, incident_id)]


@router.get(
    "/activations/{activation_id}/snapshot",
    response_model=PlanDocumentRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def activation_snapshot(
    activation_id: BigRowId, _: Principal = Depends(COMMAND), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """The plan version as it was frozen when activated."""
    return activations.get_activation(db, activation_id).snapshot


@router.post(
    "/activations/{activation_id}/level",
    response_model=ActivationWithTasks,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def raise_response(
    activation_id: BigRowId,
    body: RaiseIn,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Move to a more severe response level; that level's parties get their tasks."""
    activation = activations.get_activation(db, activation_id)
    incident = incidents.load(db, activation.incident_id)
    created, events = activation_service.raise_response(
        db, activation=activation, incident=incident, level=body.level,
        actor=principal.actor, now=clock.now(),
    )  # fmt: skip
    _publish(request, db, events)
    return {**activations.activation_read(activation), "tasks": [task_read(t) for t in created]}


# ------------------------------------------------------------------ tasks
@router.get("/tasks", response_model=Page[TaskRead], response_model_exclude_unset=True)
def list_tasks(
    incident_id: BigRowId | None = Query(None),
    status: Text | None = Query(None, description="逗号分隔 / comma-separated"),
    party_type: Text | None = Query(None),
    party_code: Text | None = Query(None),
    phase: Text | None = Query(None),
    overdue: bool = Query(False, description="只看超时未完成的"),
    page: PageParams = Depends(page_params),
    principal: Principal = Depends(TASK_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Tasks; a department or sub-district operator sees only its own unit's tasks."""
    stmt = tasks.tasks_stmt(
        scope=access.scope_filter(principal), incident_id=incident_id,
        status=[s for s in (status or "").split(",") if s] or None,
        party_type=party_type, party_code=party_code, phase=phase,
        overdue_at=clock.now() if overdue else None,
    )  # fmt: skip
    rows, total = paginate(db, stmt, page)
    return {"items": [task_read(t) for t in rows], "total": total, **page.model_dump()}


def _visible_task(
    db: Session, task_id: BigRowId, principal: Principal, *, for_update: bool = False
) -> Task:
    task = tasks.get_task(db, task_id, for_update=for_update)
    if not access.can_see(principal, task):
        raise forbidden("这不是您单位的任务", "This task is not your unit's")
    return task


@router.get(
    "/tasks/{task_id}",
    response_model=TaskRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def get_task(
    task_id: BigRowId, principal: Principal = Depends(TASK_READ), db: Session = Depends(get_db)
) -> dict[str, Any]:
    return task_read(_visible_task(db, task_id, principal))


@router.post(
    "/tasks/{task_id}/status",
    response_model=TaskRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def move_task(
    task_id: BigRowId,
    body: TaskMoveIn,
    request: Request,
    principal: Principal = Depends(TASK_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Accept, set out, arrive, complete or refuse (with a reason) a task."""
    task = _visible_task(db, task_id, principal, for_update=True)
    events = tasks.move(
        db, task=task, to=body.to, principal=principal, now=clock.now(), reason=body.reason,
        report=body.report,
    )  # fmt: skip
    _publish(request, db, events)
    return task_read(task)


@router.post(
    "/tasks/{task_id}/reassign",
    status_code=201,
    response_model=TaskRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def reassign_task(
    task_id: BigRowId,
    body: ReassignIn,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    task = tasks.get_task(db, task_id, for_update=True)
    if body.deadline_at is not None and body.deadline_at.tzinfo is None:
        raise invalid("deadline_at", "时间须带时区", "deadline_at needs a timezone")
    new, events = tasks.reassign(
        db, task=task, party_type=body.party_type, party_code=body.party_code,
        reason=body.reason, principal=principal, now=clock.now(), deadline_at=body.deadline_at,
    )  # fmt: skip
    _publish(request, db, events)
    return task_read(new)


@router.post(
    "/tasks/{task_id}/resources",
    response_model=TaskRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def attach_resources(
    task_id: BigRowId,
    body: AttachIn,
    request: Request,
    principal: Principal = Depends(TASK_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Attach recommended resources (teams, experts, warehouses, stations, cameras)."""
    task = _visible_task(db, task_id, principal, for_update=True)
    events = tasks.attach(
        db, task=task, items=[i.model_dump(exclude_none=True) for i in body.items],
        principal=principal, now=clock.now(),
    )  # fmt: skip
    _publish(request, db, events)
    return task_read(task)


@router.post(
    "/incidents/{incident_id}/tasks",
    status_code=201,
    response_model=TaskRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def add_task(
    incident_id: BigRowId,
    body: TaskIn,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Add one task by hand (an aftermath task, or one the plan did not foresee)."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    task, events = tasks.add_task(
        db, incident=incident, phase=body.phase, party_type=body.party_type,
        party_code=body.party_code, title=body.title, detail=body.detail,
        deadline_min=body.deadline_min, principal=principal, now=clock.now(),
    )  # fmt: skip
    _publish(request, db, events)
    return task_read(task)


@router.post(
    "/incidents/{incident_id}/aftermath",
    status_code=201,
    response_model=list[TaskRead],
    response_model_exclude_unset=True,
    responses=errors(404),
)
def list_aftermath(
    incident_id: BigRowId,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> list[dict[str, Any]]:
    """Create the aftermath (善后) tasks of the plans activated on the incident."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    created, events = aftermath.list_aftermath(
        db, incident=incident, principal=principal, now=clock.now()
    )
    _publish(request, db, events)
    return [task_read(t) for t in created]


@router.post(
    "/incidents/{incident_id}/close",
    response_model=IncidentClosed,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def close_incident(
    incident_id: BigRowId,
    request: Request,
    reason: str = Body("", embed=True, max_length=500),
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Close the incident once its aftermath tasks are listed and response tasks done."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    events = aftermath.close_incident(
        db, incident=incident, reason=reason, principal=principal, now=clock.now()
    )
    _publish(request, db, events)
    return incidents.load(db, incident_id).as_json() | {"status": "closed"}


@router.get(
    "/incidents/{incident_id}/recommendations",
    response_model=Recommendations,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def recommendations(
    incident_id: BigRowId,
    task_id: BigRowId | None = Query(None, description="按任务所需技能/专业筛选"),
    kinds: Text | None = Query(None, description="teams,experts,warehouses,stations,videos"),
    radius_m: float = Query(10_000.0, gt=0, le=100_000.0),
    limit: int = Query(10, ge=1, le=200),
    skill: Text | None = Query(None, max_length=32),
    specialty: Text | None = Query(None, max_length=32),
    item: Text | None = Query(None, max_length=32, description="物资编码"),
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Nearby teams, experts, supplies, stations and cameras for the incident (or one of its
    tasks), each with an ``attach`` body for ``POST /tasks/{id}/resources``."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    task = tasks.get_task(db, task_id) if task_id is not None else None
    if task is not None and task.incident_id != incident_id:
        raise invalid("task_id", "任务不属于该事件", "The task belongs to another incident")
    return recommend.recommend(
        db, incident=incident, kinds=kinds, radius_m=radius_m, limit=limit, skill=skill,
        specialty=specialty, item_code=item, today=clock.local_date(), task=task,
    )  # fmt: skip


# ------------------------------------------------------------------ consultation
@router.post(
    "/incidents/{incident_id}/messages",
    status_code=201,
    response_model=MessageRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def post_message(
    incident_id: BigRowId,
    body: MessageIn,
    request: Request,
    principal: Principal = Depends(TASK_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """A message or (commanders) a decision in the incident room, pushed live."""
    incident = incidents.load(db, incident_id)
    msg, events = consultation.post(
        db, incident=incident, kind=body.kind, text=body.text,
        attachments=[a.model_dump(exclude_none=True) for a in body.attachments],
        principal=principal, now=clock.now(),
    )  # fmt: skip
    _publish(request, db, events)
    return consultation.read(msg)


@router.get(
    "/incidents/{incident_id}/messages",
    response_model=Page[MessageRead],
    response_model_exclude_unset=True,
    responses=errors(404),
)
def list_messages(
    incident_id: BigRowId,
    kind: Text | None = Query(None, description="message | decision"),
    after_id: Annotated[Offset, Query()] = 0,
    page: PageParams = Depends(page_params),
    principal: Principal = Depends(TASK_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    incident = incidents.load(db, incident_id)
    consultation.require_room(db, principal, incident)
    rows, total = paginate(db, consultation.list_stmt(incident_id, kind=kind, after_id=after_id),
                           page)  # fmt: skip
    return {"items": [consultation.read(m) for m in rows], "total": total, **page.model_dump()}


# ------------------------------------------------------------------ review and report
@router.get(
    "/incidents/{incident_id}/review",
    response_model=ReviewRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def get_review(
    incident_id: BigRowId, principal: Principal = Depends(COMMAND), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """The after-action review: measured times (live until closed) and the lessons."""
    incidents.load(db, incident_id, territory=principal.territory())
    return review.review_read(db, incident_id, now=clock.now())


@router.put(
    "/incidents/{incident_id}/review",
    response_model=ReviewRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def save_review(
    incident_id: BigRowId,
    body: ReviewIn,
    request: Request,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Write the summary and lessons (总结评估); the measured times are kept with them."""
    incident = incidents.load(db, incident_id, territory=principal.territory())
    _row, events = review.save(
        db, incident=incident, summary=body.summary,
        lessons=[lesson.model_dump() for lesson in body.lessons], principal=principal,
        now=clock.now(),
    )  # fmt: skip
    _publish(request, db, events)
    return review.review_read(db, incident_id, now=clock.now())


@router.post(
    "/incidents/{incident_id}/review/lessons/{lesson_index}/revision",
    status_code=201,
    response_model=RevisionRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def open_revision(
    incident_id: BigRowId,
    lesson_index: int,
    principal: Principal = Depends(COMMAND),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Open a revision of the plan a lesson names; the plan's next version closes it."""
    rev = review.open_revision(
        db, incident_id=incident_id, lesson_index=lesson_index, principal=principal,
        now=clock.now(),
    )  # fmt: skip
    db.commit()
    return review.revision_read(rev)


@router.get(
    "/plans/{plan_id}/revisions",
    response_model=list[RevisionRead],
    response_model_exclude_unset=True,
    responses=errors(404),
)
def plan_revisions(
    plan_id: RowId, _: Principal = Depends(PLAN_READ), db: Session = Depends(get_db)
) -> list[dict[str, Any]]:
    plans.get_plan(db, plan_id)
    return [review.revision_read(r) for r in review.revisions_for_plan(db, plan_id)]


@router.get(
    "/incidents/{incident_id}/report.pdf",
    response_class=Response,
    responses={**content("application/pdf", "事件报告 PDF / the incident report"), **errors(404)},
)
def incident_report(
    incident_id: BigRowId, principal: Principal = Depends(COMMAND), db: Session = Depends(get_db)
) -> Response:
    """The incident report (PDF): facts, timeline, tasks, warnings and review."""
    incidents.load(db, incident_id, territory=principal.territory())
    data = review.report_pdf(db, incident_id, now=clock.now())
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                f"incident-{incident_id}.pdf", f"incident-{incident_id}.pdf"
            )
        },
    )
