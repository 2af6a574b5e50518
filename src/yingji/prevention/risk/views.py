"""Risk API under ``/api/v1/prevention``: risk points, hazard sources, assessments, control
measures, the four-colour map, and the versioned rule tables."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ZhValueError, forbidden, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors
from yingji.core.validators import RowId, Text
from yingji.enterprise import access as enterprise_access
from yingji.enterprise import directory
from yingji.prevention.risk import rules, service
from yingji.prevention.risk.models import RiskAssessment, RiskPoint
from yingji.prevention.risk.schemas import (
    AssessmentIn,
    AssessmentRead,
    ControlIn,
    ControlPatch,
    ControlRead,
    HazardSourceIn,
    HazardSourcePatch,
    HazardSourceRead,
    RiskMap,
    RiskPointDetail,
    RiskPointIn,
    RiskPointPatch,
    RiskPointRead,
    RuleTableIn,
    RuleTableRead,
)
from yingji.prevention.ruleset import service as ruleset
from yingji.scheduling import clock

router = APIRouter(
    prefix="/api/v1/prevention", tags=["prevention 双重预防"], route_class=TypedRoute
)
READ = allow(*tuple(Role), integrations=True)
WRITE = allow(*tuple(Role))
ADMIN = allow(Role.admin)
Kind = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]


def _codes(db: Session, principal: Principal) -> set[str] | None:
    return service.scope_codes(
        db, enterprise=principal.enterprise_scope(), territory=principal.territory()
    )


def _visible_point(db: Session, principal: Principal, point_id: int) -> RiskPoint:
    point = service.get_point(db, point_id)
    codes = _codes(db, principal)
    if codes is not None and point.enterprise_code not in codes:
        raise forbidden("无权访问其他企业的风险点", "Outside your enterprise or sub-district")
    return point


def _require_keep(principal: Principal, enterprise_code: str) -> None:
    """The bureau, or the enterprise's own safety staff, keeps its risk points."""
    enterprise_access.require_keep(principal, enterprise_code)


def _point(p: RiskPoint, sources: int = 0, controls: int = 0) -> RiskPointRead:
    data = {c.key: getattr(p, c.key) for c in p.__table__.columns}
    data["level"] = rules.LEVELS[p.colour][0] if p.colour else "未评估"
    return RiskPointRead.model_validate({**data, "sources": sources, "controls": controls})


def _assessment(
    a: RiskAssessment, confirmed: bool, enterprise_colour: str | None = None
) -> AssessmentRead:
    data = {c.key: getattr(a, c.key) for c in a.__table__.columns}
    return AssessmentRead.model_validate(
        {**data, "rule_confirmed": confirmed, "enterprise_colour": enterprise_colour}
    )


@router.get("/risk-points", response_model=Page[RiskPointRead])
def list_points(
    enterprise_code: Text | None = Query(None, max_length=18),
    colour: Text | None = Query(None, pattern="^(red|orange|yellow|blue|none)$"),
    kind: Text | None = Query(None, pattern="^(facility|activity|site|unit)$"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[RiskPointRead]:
    """Risk points (风险点) within the caller's enterprise or sub-district."""
    stmt = service.points_stmt(
        codes=_codes(db, principal), enterprise_code=enterprise_code, colour=colour, kind=kind
    )
    rows, total = paginate(db, stmt, params)
    tally = service.counts(db, [r.id for r in rows])
    items = [_point(r, *tally.get(r.id, (0, 0))) for r in rows]
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post(
    "/risk-points", response_model=RiskPointRead, status_code=201, responses=errors(404, 409)
)
def create_point(
    body: RiskPointIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> RiskPointRead:
    _require_keep(principal, body.enterprise_code.upper())
    point = service.create_point(db, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return _point(point)


@router.get("/risk-points/{point_id}", response_model=RiskPointDetail, responses=errors(404))
def get_point(
    point_id: RowId, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> RiskPointDetail:
    point = _visible_point(db, principal, point_id)
    sources = service.sources(db, point.id)
    controls = service.controls(db, point.id)
    history = service.assessments(db, point.id)
    latest = (
        _assessment(
            history[0], service.is_confirmed(db, history[0].rule_kind, history[0].rule_version)
        )
        if history
        else None
    )
    return RiskPointDetail(
        **_point(point, len(sources), sum(c.active for c in controls)).model_dump(),
        hazard_sources=[HazardSourceRead.model_validate(s) for s in sources],
        control_measures=[ControlRead.model_validate(c) for c in controls],
        latest=latest,
    )


@router.patch("/risk-points/{point_id}", response_model=RiskPointRead, responses=errors(404))
def update_point(
    point_id: RowId,
    body: RiskPointPatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> RiskPointRead:
    point = _visible_point(db, principal, point_id)
    _require_keep(principal, point.enterprise_code)
    point = service.update_point(
        db, point, changes=body.model_dump(exclude_unset=True), actor=principal.actor, now=utcnow()
    )
    db.commit()
    return _point(point)


@router.post(
    "/risk-points/{point_id}/assessments",
    response_model=AssessmentRead,
    status_code=201,
    responses=errors(404),
)
def assess(
    point_id: RowId,
    body: AssessmentIn = Body(...),
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> AssessmentRead:
    """Assess by LEC (D = L×E×C), LS (R = L×S) or direct judgement; the latest is the colour."""
    point = _visible_point(db, principal, point_id)
    _require_keep(principal, point.enterprise_code)
    row, confirmed = service.assess(
        db, point, body=body.model_dump(), actor=principal.actor, now=utcnow()
    )
    db.commit()
    ent = directory.get(db, point.enterprise_code)
    return _assessment(row, confirmed, ent.risk_colour if ent else None)


@router.get(
    "/risk-points/{point_id}/assessments",
    response_model=list[AssessmentRead],
    responses=errors(404),
)
def list_assessments(
    point_id: RowId, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> list[AssessmentRead]:
    """Every assessment kept, newest first, each with the rule version it used."""
    point = _visible_point(db, principal, point_id)
    history = service.assessments(db, point.id)
    # one lookup per rule version used, not per assessment
    confirmed = {
        (k, v): service.is_confirmed(db, k, v)
        for k, v in {(a.rule_kind, a.rule_version) for a in history}
    }
    return [_assessment(a, confirmed[(a.rule_kind, a.rule_version)]) for a in history]


@router.get(
    "/risk-points/{point_id}/controls", response_model=list[ControlRead], responses=errors(404)
)
def list_controls(
    point_id: RowId, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> list[ControlRead]:
    point = _visible_point(db, principal, point_id)
    return [ControlRead.model_validate(c) for c in service.controls(db, point.id)]


@router.post(
    "/risk-points/{point_id}/controls",
    response_model=ControlRead,
    status_code=201,
    responses=errors(404),
)
def add_control(
    point_id: RowId,
    body: ControlIn,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> ControlRead:
    """A control measure (管控措施); its level follows the point's colour unless given."""
    point = _visible_point(db, principal, point_id)
    _require_keep(principal, point.enterprise_code)
    row = service.add_control(db, point, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return ControlRead.model_validate(row)


@router.patch("/controls/{control_id}", response_model=ControlRead, responses=errors(404))
def update_control(
    control_id: RowId,
    body: ControlPatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> ControlRead:
    row = service.get_control(db, control_id)
    _visible_point(db, principal, row.risk_point_id)
    _require_keep(principal, row.enterprise_code)
    row = service.update_row(
        db, row, changes=body.model_dump(exclude_unset=True), actor=principal.actor,
        object_type="control_measure",
    )  # fmt: skip
    db.commit()
    return ControlRead.model_validate(row)


@router.get("/hazard-sources", response_model=list[HazardSourceRead], responses=errors(404))
def list_sources(
    risk_point_id: RowId = Query(...),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> list[HazardSourceRead]:
    """The hazard sources (危险源) identified in one risk point."""
    point = _visible_point(db, principal, risk_point_id)
    return [HazardSourceRead.model_validate(s) for s in service.sources(db, point.id)]


@router.post(
    "/hazard-sources", response_model=HazardSourceRead, status_code=201, responses=errors(404)
)
def add_source(
    body: HazardSourceIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> HazardSourceRead:
    point = _visible_point(db, principal, body.risk_point_id)
    _require_keep(principal, point.enterprise_code)
    data = body.model_dump(exclude={"risk_point_id"})
    row = service.add_source(
        db, point, data={**data, "risk_point_id": point.id}, actor=principal.actor
    )
    db.commit()
    return HazardSourceRead.model_validate(row)


@router.patch("/hazard-sources/{source_id}", response_model=HazardSourceRead, responses=errors(404))
def update_source(
    source_id: RowId,
    body: HazardSourcePatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> HazardSourceRead:
    row = service.get_source(db, source_id)
    _visible_point(db, principal, row.risk_point_id)
    _require_keep(principal, row.enterprise_code)
    row = service.update_row(
        db, row, changes=body.model_dump(exclude_unset=True), actor=principal.actor,
        object_type="hazard_source",
    )  # fmt: skip
    db.commit()
    return HazardSourceRead.model_validate(row)


@router.get("/risk-map", response_model=RiskMap)
def risk_map(
    enterprise_code: Text | None = Query(None, max_length=18),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> RiskMap:
    """The four-colour map (四色图) as GeoJSON: one enterprise's points, or the district's."""
    stmt = service.points_stmt(codes=_codes(db, principal), enterprise_code=enterprise_code)
    features, tally = service.risk_map(db, stmt)
    return RiskMap.model_validate({"features": features, "counts": tally})


def _rule_read(kind: str, table: ruleset.RuleTable) -> RuleTableRead:
    spec = ruleset.spec(kind)
    return RuleTableRead(
        kind=kind, title_zh=spec.title_zh, title_en=spec.title_en, version=table.version,
        effective_from=table.effective_from, confirmed=table.confirmed, source=table.source,
        body=table.body,
    )  # fmt: skip


@router.get("/rules", response_model=list[RuleTableRead], responses=errors(422))
def list_rules(_: Principal = Depends(READ), db: Session = Depends(get_db)) -> list[RuleTableRead]:
    """Every rule table in force today, with whether it is confirmed against its standard."""
    today = clock.local_date()
    return [_rule_read(k, ruleset.in_force(db, k, on=today)) for k in sorted(ruleset.specs())]


@router.get("/rules/{kind}", response_model=list[RuleTableRead])
def rule_history(
    kind: Kind, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> list[RuleTableRead]:
    """Every version of one table, oldest first."""
    return [_rule_read(kind, t) for t in ruleset.history(db, kind)]


@router.post("/rules/{kind}", response_model=RuleTableRead, status_code=201, responses=errors(409))
def publish_rule(
    kind: Kind,
    body: RuleTableIn,
    principal: Principal = Depends(ADMIN),
    db: Session = Depends(get_db),
) -> RuleTableRead:
    """A new version, effective today or later; earlier judgements keep the version they used."""
    spec = ruleset.spec(kind)
    try:
        row = ruleset.publish(
            db, kind=kind, body=body.body, effective_from=body.effective_from,
            confirmed=body.confirmed, source=body.source or spec.source, note=body.note,
            actor=principal.actor, today=clock.local_date(),
        )  # fmt: skip
    except ZhValueError as exc:
        raise invalid("body", exc.zh, str(exc)) from exc
    db.commit()
    return _rule_read(
        kind,
        ruleset.RuleTable(
            row.kind, row.version, row.effective_from, row.body, row.confirmed, row.source
        ),
    )
