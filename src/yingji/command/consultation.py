"""Consultation (会商研判) in the incident room: messages, decisions and attachments, live.

Everyone in the room sees every message: the commanders, and the departments and
sub-districts that hold a task on the incident. Each message goes out on the incident's
stream; a decision also goes on the timeline, since it is part of the record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command import incidents
from yingji.command.access import COMMAND_ROLES
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Message, Task
from yingji.core.errors import forbidden

Events = list[dict[str, Any]]


def in_room(db: Session, principal: Principal, incident: IncidentRef) -> bool:
    """Commanders, viewers, and the units with a task on the incident are in its room."""
    if principal.role in COMMAND_ROLES or principal.role == Role.viewer:
        return True
    if principal.role == Role.subdistrict_operator and principal.scope_code == (
        incident.subdistrict_code
    ):
        return True
    scope = {
        Role.department_operator: "department",
        Role.subdistrict_operator: "subdistrict",
    }.get(principal.role)  # type: ignore[arg-type]  # a user's role; None only for integrations, which get nothing
    if scope is None:
        return False
    return bool(
        db.scalar(
            select(
                exists().where(
                    Task.incident_id == incident.id,
                    Task.scope_type == scope,
                    Task.scope_code == principal.scope_code,
                )
            )
        )
    )


def require_room(db: Session, principal: Principal, incident: IncidentRef) -> None:
    if not in_room(db, principal, incident):
        raise forbidden("您不在该事件的会商室", "You are not in this incident's room")


def read(m: Message) -> dict[str, Any]:
    return {
        "id": m.id, "incident_id": m.incident_id, "kind": m.kind, "at": m.at,
        "author": {"id": m.author_id, "name": m.author_name, "scope": m.author_scope},
        "text": m.text, "attachments": m.attachments,
    }  # fmt: skip


def post(
    db: Session,
    *,
    incident: IncidentRef,
    kind: str,
    text: str,
    attachments: list[dict[str, Any]],
    principal: Principal,
    now: datetime,
) -> tuple[Message, Events]:
    require_room(db, principal, incident)
    if kind == "decision" and principal.role not in COMMAND_ROLES:
        raise forbidden("只有指挥人员可以作出决定", "Only commanders record decisions")
    if principal.role == Role.viewer:
        raise forbidden("只读用户不能发言", "Viewers cannot post")
    msg = Message(
        incident_id=incident.id, kind=kind, at=now, author_id=str(principal.id),
        author_name=principal.name, author_scope=principal.scope_code or "", text=text,
        attachments=attachments,
    )  # fmt: skip
    db.add(msg)
    db.flush()
    audit.record(
        db, actor=principal.actor, action=f"consult:{kind}", object_type="message",
        object_id=msg.id, after=audit.snapshot(msg),
    )  # fmt: skip
    short = text if len(text) <= 120 else text[:119] + "…"
    note = Note(
        "decision" if kind == "decision" else "consultation",
        f"会商决定：{short}" if kind == "decision" else f"{principal.name}：{short}",
        f"decision: {short}" if kind == "decision" else f"{principal.name}: {short}",
        {"message_id": msg.id, "attachments": len(attachments)},
        CommandEvent.CONSULT_DECISION if kind == "decision" else CommandEvent.CONSULT_MESSAGE,
        {"message": {**read(msg), "at": now.isoformat()}},
    )
    return msg, incidents.note(
        db, incident_id=incident.id, notes=[note], actor=principal.actor, now=now
    )


def list_stmt(incident_id: int, *, kind: str | None = None, after_id: int = 0) -> Select[Any]:
    stmt = (
        select(Message)
        .where(Message.incident_id == incident_id, Message.id > after_id)
        .order_by(Message.id)
    )
    if kind:
        stmt = stmt.where(Message.kind == kind)
    return stmt
