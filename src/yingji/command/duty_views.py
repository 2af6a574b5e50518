"""HTTP API of joint duty (联合值守)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import duty
from yingji.command.schemas import (
    DutySessionRead,
    HandoverIn,
    HandoverRead,
    LogIn,
    OnDutyRead,
    SessionIn,
    ShiftRead,
    ShiftsIn,
)
from yingji.core.deps import get_db
from yingji.core.errors import invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors
from yingji.core.validators import RowId, Text
from yingji.scheduling import clock

router = APIRouter(prefix="/api/v1/duty", tags=["duty 联合值守"], route_class=TypedRoute)
READ = allow(
    Role.admin, Role.committee, Role.hq_commander, Role.duty_officer, Role.department_operator,
    Role.subdistrict_operator, Role.viewer,
)  # fmt: skip
WRITE = allow(
    Role.admin, Role.duty_officer, Role.department_operator, Role.hq_commander, Role.committee
)


def _aware(field: str, *values: datetime | None) -> None:
    if any(v is not None and v.tzinfo is None for v in values):
        raise invalid(field, "时间须带时区", f"{field} needs a timezone")


@router.post(
    "/shifts", status_code=201, response_model=list[ShiftRead], response_model_exclude_unset=True
)
def add_shifts(
    body: ShiftsIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> list[dict[str, Any]]:
    """Add roster rows (值班表); a department operator only for its own department."""
    for i, s in enumerate(body.shifts):
        _aware(f"shifts.{i}", s.starts_at, s.ends_at)
    rows = duty.add_shifts(db, rows=[s.model_dump() for s in body.shifts], principal=principal)
    db.commit()
    return [duty.shift_read(s) for s in rows]


@router.get("/shifts", response_model=Page[ShiftRead], response_model_exclude_unset=True)
def list_shifts(
    department: Text | None = Query(None),
    since: datetime | None = Query(None, alias="from"),
    until: datetime | None = Query(None, alias="to"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    _aware("from", since, until)
    rows, total = paginate(db, duty.shifts_stmt(department=department, since=since, until=until),
                           page)  # fmt: skip
    return {"items": [duty.shift_read(s) for s in rows], "total": total, **page.model_dump()}


@router.get("/now", response_model=list[OnDutyRead], response_model_exclude_unset=True)
def on_duty_now(
    at: datetime | None = Query(None, description="默认现在 / default now"),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> list[dict[str, Any]]:
    """Who is on duty now in each department."""
    _aware("at", at)
    return duty.now_on_duty(db, at=at or clock.now())


@router.post(
    "/handovers", status_code=201, response_model=HandoverRead, response_model_exclude_unset=True
)
def add_handover(
    body: HandoverIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> dict[str, Any]:
    row = duty.handover(db, data=body.model_dump(), principal=principal, now=clock.now())
    db.commit()
    return duty.handover_read(row)


@router.get("/handovers", response_model=Page[HandoverRead], response_model_exclude_unset=True)
def list_handovers(
    department: Text | None = Query(None),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    rows, total = paginate(db, duty.handovers_stmt(department=department), page)
    return {"items": [duty.handover_read(h) for h in rows], "total": total, **page.model_dump()}


@router.post(
    "/sessions", status_code=201, response_model=DutySessionRead, response_model_exclude_unset=True
)
def start_session(
    body: SessionIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """Start a joint-duty session (e.g. flood season: 应急、水务、消防 in the centre)."""
    s = duty.start_session(
        db, title=body.title, departments=body.department_codes, principal=principal,
        now=clock.now(),
    )  # fmt: skip
    db.commit()
    return duty.session_read(db, s, with_log=True)


@router.get("/sessions", response_model=Page[DutySessionRead], response_model_exclude_unset=True)
def list_sessions(
    active: bool | None = Query(None),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    rows, total = paginate(db, duty.sessions_stmt(active=active), page)
    return {"items": [duty.session_read(db, s) for s in rows], "total": total,
            **page.model_dump()}  # fmt: skip


@router.get(
    "/sessions/{session_id}",
    response_model=DutySessionRead,
    response_model_exclude_unset=True,
    responses=errors(404),
)
def get_session(
    session_id: RowId, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> dict[str, Any]:
    return duty.session_read(db, duty.get_session(db, session_id), with_log=True)


@router.post(
    "/sessions/{session_id}/log",
    status_code=201,
    response_model=DutySessionRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def add_log(
    session_id: RowId, body: LogIn, principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> dict[str, Any]:  # fmt: skip
    s = duty.get_session(db, session_id)
    duty.log(db, session=s, text=body.text, principal=principal, now=clock.now())
    db.commit()
    return duty.session_read(db, s, with_log=True)


@router.post(
    "/sessions/{session_id}/end",
    response_model=DutySessionRead,
    response_model_exclude_unset=True,
    responses=errors(404, 409),
)
def end_session(
    session_id: RowId, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> dict[str, Any]:
    s = duty.end_session(
        db, session=duty.get_session(db, session_id), principal=principal, now=clock.now()
    )
    db.commit()
    return duty.session_read(db, s, with_log=True)
