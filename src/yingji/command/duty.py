"""Joint duty (联合值守): rosters per department and shift, who is on duty now, handovers,
and joint-duty sessions (several departments in the command centre) with their log."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command.models import DutyLogEntry, DutySession, DutyShift, Handover
from yingji.core.errors import conflict, forbidden, invalid, not_found
from yingji.org import service as org_service

ROSTER_ROLES = frozenset({Role.admin, Role.duty_officer, Role.department_operator})


def on_duty(shifts: Iterable[DutyShift], at: datetime) -> dict[str, list[DutyShift]]:
    """Pure: the shifts covering ``at``, by department (a shift is [starts_at, ends_at))."""
    out: dict[str, list[DutyShift]] = {}
    for s in shifts:
        if s.starts_at <= at < s.ends_at:
            out.setdefault(s.department_code, []).append(s)
    return out


def _may_write(principal: Principal, department_code: str) -> None:
    if principal.role not in ROSTER_ROLES:
        raise forbidden("您的角色无权编排值班", "Your role may not edit duty rosters")
    if principal.role == Role.department_operator and principal.scope_code != department_code:
        raise forbidden("只能编排本部门的值班", "Only your own department's roster")


def _known_department(db: Session, code: str, field: str) -> None:
    if code not in {d.code for d in org_service.list_departments(db)}:
        raise invalid(field, f"未知的部门：{code}", f"Unknown department: {code}")


def add_shifts(db: Session, *, rows: list[dict[str, Any]], principal: Principal) -> list[DutyShift]:
    created = []
    departments = {d.code for d in org_service.list_departments(db)}
    for i, r in enumerate(rows):
        if r["department_code"] not in departments:
            raise invalid(
                f"shifts.{i}.department_code", f"未知的部门：{r['department_code']}",
                f"Unknown department: {r['department_code']}",
            )  # fmt: skip
        if r["ends_at"] <= r["starts_at"]:
            raise invalid(f"shifts.{i}.ends_at", "结束时间须晚于开始时间", "ends_at <= starts_at")
        _may_write(principal, r["department_code"])
        shift = DutyShift(**r)
        db.add(shift)
        created.append(shift)
    db.flush()
    audit.record_many(
        db, actor=principal.actor,
        changes=[audit.Change("create", "duty_shift", s.id, after=audit.snapshot(s))
                 for s in created],
    )  # fmt: skip
    return created


def shifts_stmt(
    *, department: str | None, since: datetime | None, until: datetime | None
) -> Select[Any]:
    stmt = select(DutyShift).order_by(DutyShift.starts_at, DutyShift.department_code)
    if department:
        stmt = stmt.where(DutyShift.department_code == department)
    if since:
        stmt = stmt.where(DutyShift.ends_at > since)
    if until:
        stmt = stmt.where(DutyShift.starts_at < until)
    return stmt


def now_on_duty(db: Session, *, at: datetime) -> list[dict[str, Any]]:
    """Every department with who is on duty at ``at`` (an empty list where nobody is)."""
    shifts = db.scalars(select(DutyShift).where(DutyShift.starts_at <= at, DutyShift.ends_at > at))
    covering = on_duty(shifts, at)
    return [
        {
            "department": {"code": d.code, "name": d.name, "duty_phone": d.duty_phone},
            "on_duty": [shift_read(s) for s in covering.get(d.code, [])],
        }
        for d in org_service.list_departments(db)
    ]


def shift_read(s: DutyShift) -> dict[str, Any]:
    return {
        "id": s.id, "department_code": s.department_code, "shift_name": s.shift_name,
        "starts_at": s.starts_at, "ends_at": s.ends_at, "person_name": s.person_name,
        "phone": s.phone, "post": s.post,
    }  # fmt: skip


def handover(db: Session, *, data: dict[str, Any], principal: Principal, now: datetime) -> Handover:
    _may_write(principal, data["department_code"])
    _known_department(db, data["department_code"], "department_code")
    row = Handover(**data, at=now, recorded_by=principal.name)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=principal.actor, action="create", object_type="duty_handover",
        object_id=row.id, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def handovers_stmt(*, department: str | None) -> Select[Any]:
    stmt = select(Handover).order_by(Handover.at.desc(), Handover.id.desc())
    if department:
        stmt = stmt.where(Handover.department_code == department)
    return stmt


def handover_read(h: Handover) -> dict[str, Any]:
    return {
        "id": h.id, "department_code": h.department_code, "from_person": h.from_person,
        "to_person": h.to_person, "at": h.at, "notes": h.notes, "open_items": h.open_items,
        "recorded_by": h.recorded_by,
    }  # fmt: skip


def start_session(
    db: Session, *, title: str, departments: list[str], principal: Principal, now: datetime
) -> DutySession:
    if principal.role not in (Role.admin, Role.duty_officer, Role.hq_commander, Role.committee):
        raise forbidden("只有指挥中心可以启动联合值守", "Only the command centre starts one")
    for i, code in enumerate(departments):
        _known_department(db, code, f"department_codes.{i}")
    s = DutySession(
        title=title, department_codes=departments, started_at=now, started_by=principal.name
    )
    db.add(s)
    db.flush()
    audit.record(
        db, actor=principal.actor, action="create", object_type="duty_session",
        object_id=s.id, after=audit.snapshot(s),
    )  # fmt: skip
    return s


def get_session(db: Session, session_id: int) -> DutySession:
    s = db.get(DutySession, session_id)
    if s is None:
        raise not_found("联合值守", "Joint-duty session", field="session_id")
    return s


def log(
    db: Session, *, session: DutySession, text: str, principal: Principal, now: datetime
) -> DutyLogEntry:
    if session.ended_at is not None:
        raise conflict("session_ended", "联合值守已结束", "The session has ended")
    dept = principal.scope_code if principal.role == Role.department_operator else None
    if dept is not None and dept not in session.department_codes:
        raise forbidden("本部门不在该联合值守中", "Your department is not in this session")
    entry = DutyLogEntry(
        session_id=session.id, at=now, department_code=dept, author=principal.name, text=text
    )
    db.add(entry)
    db.flush()
    audit.record(
        db, actor=principal.actor, action="create", object_type="duty_log", object_id=entry.id,
        after=audit.snapshot(entry),
    )  # fmt: skip
    return entry


def end_session(
    db: Session, *, session: DutySession, principal: Principal, now: datetime
) -> DutySession:
    if principal.role not in (Role.admin, Role.duty_officer, Role.hq_commander, Role.committee):
        raise forbidden()
    if session.ended_at is not None:
        raise conflict("session_ended", "联合值守已结束", "The session has ended")
    before = audit.snapshot(session)
    session.ended_at = now
    audit.record(
        db, actor=principal.actor, action="end", object_type="duty_session",
        object_id=session.id, before=before, after=audit.snapshot(session),
    )  # fmt: skip
    return session


def session_read(db: Session, s: DutySession, *, with_log: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.id, "title": s.title, "department_codes": s.department_codes,
        "started_at": s.started_at, "ended_at": s.ended_at, "started_by": s.started_by,
    }  # fmt: skip
    if with_log:
        out["log"] = [
            {"id": e.id, "at": e.at, "department_code": e.department_code, "author": e.author,
             "text": e.text}
            for e in db.scalars(
                select(DutyLogEntry).where(DutyLogEntry.session_id == s.id)
                .order_by(DutyLogEntry.id)
            )
        ]  # fmt: skip
    return out


def sessions_stmt(*, active: bool | None) -> Select[Any]:
    stmt = select(DutySession).order_by(DutySession.started_at.desc())
    if active is True:
        stmt = stmt.where(DutySession.ended_at.is_(None))
    elif active is False:
        stmt = stmt.where(DutySession.ended_at.is_not(None))
    return stmt
