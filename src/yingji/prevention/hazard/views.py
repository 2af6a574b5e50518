"""Hidden-hazard API under ``/api/v1/prevention/hazards``: the closed loop, one POST per step."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import forbidden, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors
from yingji.core.validators import Text
from yingji.enterprise import access as enterprise_access
from yingji.enterprise import directory
from yingji.media import service as media
from yingji.prevention.hazard import rules, service
from yingji.prevention.hazard.models import Hazard
from yingji.prevention.hazard.schemas import (
    DecisionIn,
    EvaluateIn,
    EventRead,
    ExtensionIn,
    ExtensionRead,
    HazardDetail,
    HazardIn,
    HazardPatch,
    HazardRead,
    HazardStats,
    NoteIn,
    PhotoRead,
    PlanIn,
    ReasonIn,
    RectifiedIn,
    ResumeIn,
    ResumeReviewIn,
    StartIn,
    StatRow,
    SuperviseIn,
    VerifyIn,
)

router = APIRouter(
    prefix="/api/v1/prevention/hazards", tags=["prevention 隐患治理"], route_class=TypedRoute
)
READ = allow(*tuple(Role), integrations=True)
WRITE = allow(*tuple(Role))
HazardId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ExtId = Annotated[int, Path(ge=1, le=2**31 - 1)]
STEP = errors(403, 404, 409)


def _who(principal: Principal) -> service.Who:
    return service.Who(
        actor=principal.actor, bureau=enterprise_access.is_bureau(principal),
        enterprise=principal.enterprise_scope(),
    )  # fmt: skip


def _visible(db: Session, principal: Principal, hazard_id: int) -> Hazard:
    h = service.get(db, hazard_id)
    principal.require_enterprise(h.enterprise_code, h.subdistrict_code)
    return h


def _acting(db: Session, principal: Principal, hazard_id: int) -> Hazard:
    """The enterprise's own staff or the bureau act on a hazard; others only read it."""
    h = _visible(db, principal, hazard_id)
    if enterprise_access.is_bureau(principal) or principal.enterprise_scope() == h.enterprise_code:
        return h
    raise forbidden(
        "只有本企业人员或区应急管理局可以办理隐患", "Only the enterprise or the bureau acts on it"
    )


def _read(h: Hazard) -> HazardRead:
    data = {c.key: getattr(h, c.key) for c in h.__table__.columns}
    data["grade_label"] = rules.GRADES[h.grade][0]
    data["state_label"] = rules.STATE_LABELS[h.state][0]
    return HazardRead.model_validate(data)


def _done(db: Session, h: Hazard) -> HazardRead:
    db.commit()
    return _read(h)


@router.get("", response_model=Page[HazardRead])
def list_hazards(
    state: Text | None = Query(None, pattern="^(" + "|".join(rules.STATES) + ")$"),
    grade: Text | None = Query(None, pattern="^(general|major)$"),
    overdue: bool | None = Query(None),
    supervised: bool | None = Query(None, description="挂牌督办"),
    enterprise_code: Text | None = Query(None, max_length=18),
    subdistrict: Text | None = Query(None, max_length=32),
    industry: Text | None = Query(None, max_length=5),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[HazardRead]:
    """Hidden hazards, newest first, within the caller's enterprise or sub-district."""
    stmt = service.list_stmt(
        enterprise=principal.enterprise_scope(), territory=principal.territory(), state=state,
        grade=grade, overdue=overdue, supervised=supervised, enterprise_code=enterprise_code,
        subdistrict_code=subdistrict, industry_prefix=industry,
    )  # fmt: skip
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[_read(h) for h in rows], total=total, limit=params.limit, offset=params.offset
    )


@router.post("", response_model=HazardRead, status_code=201, responses=errors(403, 404, 415))
def register(
    body: HazardIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> HazardRead:
    """Register a hazard found by hand; 重大 when any criteria item is ticked (then reported
    to the bureau at once)."""
    ent = directory.require(db, body.enterprise_code.upper())
    principal.require_enterprise(ent.code, ent.subdistrict_code)
    if principal.role == Role.viewer:
        raise forbidden()
    h = service.register(
        db, enterprise_code=ent.code, description=body.description, criteria_codes=body.criteria,
        risk_point_id=body.risk_point_id, location=body.location, media_ids=body.media_ids,
        who=principal.actor, now=utcnow(),
    )  # fmt: skip
    return _done(db, h)


@router.get("/stats", response_model=HazardStats)
def stats(
    year: int = Query(..., ge=2000, le=2100),
    quarter: int | None = Query(None, ge=1, le=4),
    group_by: Literal["enterprise", "subdistrict", "industry", "grade"] = Query("subdistrict"),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> HazardStats:
    """Quarterly or annual statistics (16号令 第十四条): found, 重大, rectified, overdue, rates."""
    rows = service.stats(
        db, enterprise=principal.enterprise_scope(), territory=principal.territory(), year=year,
        quarter=quarter, group_by=group_by,
    )  # fmt: skip
    found = sum(r["found"] for r in rows)
    total = {
        "key": "total", "found": found, "major": sum(r["major"] for r in rows),
        "rectified": sum(r["rectified"] for r in rows), "overdue": sum(r["overdue"] for r in rows),
    }  # fmt: skip
    total["rectification_rate"] = round(total["rectified"] / found, 4) if found else 0.0
    total["overdue_rate"] = round(total["overdue"] / found, 4) if found else 0.0
    return HazardStats(
        year=year, quarter=quarter, group_by=group_by,
        rows=[StatRow.model_validate(r) for r in rows], total=StatRow.model_validate(total),
    )  # fmt: skip


@router.get("/{hazard_id}", response_model=HazardDetail, responses=errors(403, 404))
def get_hazard(
    hazard_id: HazardId, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> HazardDetail:
    """The hazard with its typed timeline, photos (thumbnails) and extension requests."""
    h = _visible(db, principal, hazard_id)
    photos = [media.read(m) for m in service.media_of(db, h.media_ids)]
    return HazardDetail(
        **_read(h).model_dump(),
        timeline=[EventRead.model_validate(e) for e in service.timeline(db, h.id)],
        photos=[PhotoRead.model_validate(p) for p in photos],
        extensions=[ExtensionRead.model_validate(x) for x in service.extensions(db, h.id)],
    )


@router.patch("/{hazard_id}", response_model=HazardRead, responses=STEP)
def update_hazard(
    hazard_id: HazardId,
    body: HazardPatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:
    """Description, place and the responsible person; never the deadline (an extension)."""
    h = _acting(db, principal, hazard_id)
    changes = body.model_dump(exclude_unset=True)
    if "deadline" in changes:
        raise invalid(
            "deadline", "整改期限不能直接修改，请提交延期申请并经审批",
            "The deadline is not edited: request an extension for approval",
            code="deadline_by_extension",
        )  # fmt: skip
    before = {k: getattr(h, k) for k in changes}
    for key, value in changes.items():
        setattr(h, key, value)
    service._step(db, h, kind="edited", who=principal.actor, now=utcnow(), before=before,
                  data=changes)  # fmt: skip
    return _done(db, h)


@router.post("/{hazard_id}/treatment-plan", response_model=HazardRead, responses=STEP)
def treatment_plan(
    hazard_id: HazardId, body: PlanIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """治理方案 of a 重大 hazard: its five elements (16号令 第十五条)."""
    h = _acting(db, principal, hazard_id)
    return _done(
        db, service.set_plan(db, h, plan=body.model_dump(), who=_who(principal), now=utcnow())
    )


@router.post("/{hazard_id}/start", response_model=HazardRead, responses=STEP)
def start(
    hazard_id: HazardId, body: StartIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """登记 → 整改中, with its deadline, responsible person, measures and funds."""
    h = _acting(db, principal, hazard_id)
    return _done(db, service.start(db, h, **body.model_dump(), who=_who(principal), now=utcnow()))


@router.post(
    "/{hazard_id}/rectified", response_model=HazardRead, responses=errors(403, 404, 409, 415)
)
def rectified(
    hazard_id: HazardId, body: RectifiedIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """整改完成, with the photos of the result."""
    h = _acting(db, principal, hazard_id)
    return _done(db, service.mark_rectified(db, h, note=body.note, media_ids=body.media_ids,
                                            who=_who(principal), now=utcnow()))  # fmt: skip


@router.post("/{hazard_id}/verify", response_model=HazardRead, responses=STEP)
def verify(
    hazard_id: HazardId, body: VerifyIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """验收 by someone other than the rectifier; a rejection returns it to rectifying."""
    h = _acting(db, principal, hazard_id)
    return _done(db, service.verify(db, h, accept=body.accept, note=body.note,
                                    who=_who(principal), now=utcnow()))  # fmt: skip


@router.post("/{hazard_id}/evaluate", response_model=HazardRead, responses=STEP)
def evaluate(
    hazard_id: HazardId, body: EvaluateIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """治理效果评估 of a 重大 hazard (16号令 第十八条)."""
    h = _acting(db, principal, hazard_id)
    return _done(
        db, service.evaluate(db, h, **body.model_dump(), who=_who(principal), now=utcnow())
    )


@router.post("/{hazard_id}/close", response_model=HazardRead, responses=STEP)
def close(
    hazard_id: HazardId, body: NoteIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """销号: a 一般 hazard by the enterprise or the bureau; a 重大 one by the bureau only."""
    h = _acting(db, principal, hazard_id)
    return _done(db, service.close(db, h, note=body.note, who=_who(principal), now=utcnow()))


@router.post("/{hazard_id}/supervise", response_model=HazardRead, responses=STEP)
def supervise(
    hazard_id: HazardId, body: SuperviseIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """挂牌督办 (and, if so, a stop order) by the bureau."""
    h = _visible(db, principal, hazard_id)
    return _done(db, service.supervise(db, h, stop=body.stop_ordered, reason=body.reason,
                                       who=_who(principal), now=utcnow()))  # fmt: skip


@router.post("/{hazard_id}/resume-application", response_model=HazardRead, responses=STEP)
def resume_application(
    hazard_id: HazardId, body: ResumeIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """The enterprise's written application to resume; the bureau reviews within 10 days."""
    h = _acting(db, principal, hazard_id)
    return _done(db, service.apply_resume(db, h, text=body.application, who=_who(principal),
                                          now=utcnow()))  # fmt: skip


@router.post("/{hazard_id}/resume-review", response_model=HazardRead, responses=STEP)
def resume_review(
    hazard_id: HazardId, body: ResumeReviewIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """The bureau's on-site review: 核销, or more work."""
    h = _visible(db, principal, hazard_id)
    return _done(db, service.review_resume(db, h, accept=body.accept, note=body.note,
                                           who=_who(principal), now=utcnow()))  # fmt: skip


@router.post("/{hazard_id}/reopen", response_model=HazardRead, responses=STEP)
def reopen(
    hazard_id: HazardId, body: ReasonIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardRead:  # fmt: skip
    """Only the bureau reopens a closed hazard, with a reason."""
    h = _visible(db, principal, hazard_id)
    return _done(db, service.reopen(db, h, reason=body.reason, who=_who(principal), now=utcnow()))


@router.post(
    "/{hazard_id}/extensions", response_model=ExtensionRead, status_code=201, responses=STEP
)
def request_extension(
    hazard_id: HazardId, body: ExtensionIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> ExtensionRead:  # fmt: skip
    """延期申请: the deadline moves only when the bureau approves it."""
    h = _acting(db, principal, hazard_id)
    row = service.request_extension(db, h, deadline=body.deadline, reason=body.reason,
                                    who=_who(principal), now=utcnow())  # fmt: skip
    db.commit()
    return ExtensionRead.model_validate(row)


@router.post(
    "/{hazard_id}/extensions/{extension_id}/decision", response_model=ExtensionRead, responses=STEP
)
def decide_extension(
    hazard_id: HazardId, extension_id: ExtId, body: DecisionIn,
    principal: Principal = Depends(WRITE), db: Session = Depends(get_db),
) -> ExtensionRead:  # fmt: skip
    h = _visible(db, principal, hazard_id)
    ext = service.get_extension(db, h, extension_id)
    row = service.decide_extension(db, h, ext, approve=body.approve, note=body.note,
                                   who=_who(principal), now=utcnow())  # fmt: skip
    db.commit()
    return ExtensionRead.model_validate(row)
