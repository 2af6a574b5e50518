"""Writing and reading the audit log. ``record`` joins the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.orm import Session

from yingji.audit.models import AuditEntry
from yingji.core.db import utcnow


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, an integration token, or the system itself (timers, imports)."""

    type: str
    id: str
    name: str = ""


SYSTEM = Actor(type="system", id="system", name="系统")


def jsonable(value: Any) -> Any:
    """A snapshot value as plain JSON (dates as ISO strings, enums as values)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def snapshot(obj: Any, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The column values of an ORM object, for ``before`` and ``after``."""
    return {
        col.key: jsonable(getattr(obj, col.key))
        for col in obj.__table__.columns
        if col.key not in exclude
    }


def record(
    db: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add one audit row to the current transaction; it commits or rolls back with the change."""
    entry = AuditEntry(
        actor_type=actor.type,
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
    )
    db.add(entry)
    return entry


@dataclass(frozen=True)
class Change:
    """One object's change, for :func:`record_many`."""

    action: str
    object_type: str
    object_id: str | int
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None


def record_many(db: Session, *, actor: Actor, changes: list[Change]) -> None:
    """One audit row per change, inserted together in the caller's transaction.

    For bulk operations (a ledger import of thousands of rows): one multi-row INSERT instead
    of an ORM object per row; the rows are the same as ``record`` writes.
    """
    if not changes:
        return
    at = utcnow()
    db.execute(
        insert(AuditEntry),
        [
            {
                "at": at,
                "actor_type": actor.type,
                "actor_id": actor.id,
                "actor_name": actor.name,
                "action": c.action,
                "object_type": c.object_type,
                "object_id": str(c.object_id),
                "before": jsonable(c.before) if c.before is not None else None,
                "after": jsonable(c.after) if c.after is not None else None,
                "reason": c.reason,
            }
            for c in changes
        ],
    )


def query(
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Any]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc())
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_id:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return stmt
