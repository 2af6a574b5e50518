"""HTTP API of warnings to the surroundings, their CAP messages and the feed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import incidents
from yingji.command.config import get_command_settings
from yingji.command.schemas import AreaIn, LiftIn, WarningIn, WarningRead, WarningUpdateIn
from yingji.command.warnings import service
from yingji.core.deps import get_db
from yingji.core.errors import invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, content, errors
from yingji.core.validators import BigRowId, Text
from yingji.scheduling import clock

router = APIRouter(prefix="/api/v1", tags=["warnings 周边预警"], route_class=TypedRoute)
WARN = allow(Role.admin, Role.duty_officer, Role.hq_commander, Role.committee)
READ = allow(*tuple(Role), integrations=True)
CAP_TYPE = "application/cap+xml"


def _area(a: AreaIn) -> dict[str, Any]:
    if (a.circle is None) == (a.polygon is None):
        raise invalid("area", "请给出圆形或多边形之一", "Give either a circle or a polygon")
    return a.model_dump(exclude_none=True)


def _aware(field: str, value: Any) -> None:
    if value is not None and value.tzinfo is None:
        raise invalid(field, "时间须带时区", f"{field} needs a timezone")


def _publish(request: Request, db: Session, events: list[dict[str, Any]]) -> None:
    db.commit()
    if events:
        request.app.state.bus.publish(events)


@router.post(
    "/incidents/{incident_id}/warnings",
    status_code=201,
    response_model=WarningRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def issue_warning(
    incident_id: BigRowId,
    body: WarningIn,
    request: Request,
    principal: Principal = Depends(WARN),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Warn the surroundings of an incident; published as a CAP 1.2 Alert."""
    _aware("expires_at", body.expires_at)
    incident = incidents.load(db, incident_id, territory=principal.territory())
    w, _msg, events = service.issue(
        db, incident=incident, colour=body.colour, event=body.event, headline=body.headline,
        description=body.description, instruction=body.instruction, area_desc=body.area_desc,
        area=_area(body.area), expires_at=body.expires_at, actor=principal.actor,
        now=clock.now(), settings=get_command_settings(),
    )  # fmt: skip
    _publish(request, db, events)
    return service.read(w, service.messages(db, w))


@router.get("/warnings", response_model=Page[WarningRead], response_model_exclude_unset=True)
def list_warnings(
    incident_id: BigRowId | None = Query(None),
    status: Text | None = Query(None, description="active | lifted"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    rows, total = paginate(db, service.list_stmt(incident_id=incident_id, status=status), page)
    return {"items": [service.read(w) for w in rows], "total": total, **page.model_dump()}


@router.get(
    "/warnings/feed",
    response_class=Response,
    responses=content("application/atom+xml", "Atom 1.0 订阅 / Atom feed", binary=False),
)
def warnings_feed(
    request: Request,
    limit: int = Query(100, ge=1, le=1000),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Response:
    """Atom feed of warnings, newest first, each linking its latest CAP 1.2 message."""
    text = service.atom_feed(
        service.feed_rows(db, limit=limit), base_url=str(request.base_url).rstrip("/"),
        settings=get_command_settings(), now=clock.now(),
    )  # fmt: skip
    return Response(text, media_type="application/atom+xml; charset=utf-8")


@router.get(
    "/warnings/{warning_id}",
    response_model=WarningRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def get_warning(
    warning_id: BigRowId, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> dict[str, Any]:
    w = service.get(db, warning_id)
    return service.read(w, service.messages(db, w))


@router.get(
    "/warnings/{warning_id}/cap",
    response_class=Response,
    responses={
        **content("application/cap+xml", "CAP 1.2 消息 / CAP 1.2 message", binary=False),
        **errors(404),
    },
)
def warning_cap(
    warning_id: BigRowId,
    identifier: Text | None = Query(None, description="某一条消息；默认最新"),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Response:
    """The warning's CAP 1.2 message (the latest, or the one with ``identifier``)."""
    msgs = service.messages(db, service.get(db, warning_id))
    if identifier:
        msgs = [m for m in msgs if m.identifier == identifier]
        if not msgs:
            raise invalid("identifier", "没有该标识的消息", "No message with that identifier")
    return Response(msgs[-1].xml, media_type=f"{CAP_TYPE}; charset=utf-8")


@router.patch(
    "/warnings/{warning_id}",
    response_model=WarningRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def update_warning(
    warning_id: BigRowId,
    body: WarningUpdateIn,
    request: Request,
    principal: Principal = Depends(WARN),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Change colour, text, area or expiry: a CAP Update referencing the earlier messages."""
    _aware("expires_at", body.expires_at)
    w = service.get(db, warning_id)
    incident = incidents.load(db, w.incident_id, territory=principal.territory())
    changes = body.model_dump(exclude_unset=True)
    if "area" in changes:
        changes["area"] = _area(body.area) if body.area else None
    if not changes or any(v is None for k, v in changes.items() if k != "expires_at"):
        raise invalid("body", "请给出要修改的内容", "Give what to change")
    _msg, events = service.update(
        db, w=w, incident=incident, changes=changes, actor=principal.actor, now=clock.now(),
        settings=get_command_settings(),
    )  # fmt: skip
    _publish(request, db, events)
    return service.read(w, service.messages(db, w))


@router.post(
    "/warnings/{warning_id}/lift",
    response_model=WarningRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def lift_warning(
    warning_id: BigRowId,
    body: LiftIn,
    request: Request,
    principal: Principal = Depends(WARN),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Lift (解除) the warning: a CAP Cancel."""
    w = service.get(db, warning_id)
    incident = incidents.load(db, w.incident_id, territory=principal.territory())
    _msg, events = service.lift(
        db, w=w, incident=incident, reason=body.reason, actor=principal.actor, now=clock.now(),
        settings=get_command_settings(),
    )  # fmt: skip
    _publish(request, db, events)
    return service.read(w, service.messages(db, w))
