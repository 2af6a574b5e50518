"""Keeping the audit log (日志留存): at least six months, then an audited purge.

网络安全法 第二十一条（三）: network operators shall "采取监测、记录网络运行状态、网络安全事件
的技术措施，并按照规定留存相关的网络日志不少于六个月". GB/T 22239-2019 8.1.4.3 c) also asks
that audit records be protected from unexpected deletion.

The log is append-only: database triggers refuse every UPDATE and TRUNCATE, and every DELETE
of a row younger than 184 days (the longest six calendar months). The purge below is the one
deletion the platform makes: it removes rows older than ``YINGJI_AUDIT_RETENTION_DAYS``
(at least 184, checked when the settings load) and writes an audit row saying how many, up
to when, and who asked, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yingji.audit.models import AuditEntry
from yingji.audit.service import Actor, record

RETENTION_FLOOR_DAYS = 184


@dataclass(frozen=True)
class Purged:
    cutoff: datetime
    deleted: int


def cutoff(now: datetime, retention_days: int) -> datetime:
    """Rows strictly older than this may go; never less than the floor before ``now``."""
    return now - timedelta(days=max(retention_days, RETENTION_FLOOR_DAYS))


def purge(db: Session, *, now: datetime, retention_days: int, actor: Actor) -> Purged:
    """Delete the rows past retention and audit the purge (the caller commits)."""
    before = cutoff(now, retention_days)
    count = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.at < before))
    deleted = 0
    if count:
        result = db.execute(delete(AuditEntry).where(AuditEntry.at < before))
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]  # CursorResult
    record(
        db,
        actor=actor,
        action="purge",
        object_type="audit_log",
        object_id="retention",
        after={
            "deleted": deleted,
            "older_than": before,
            "retention_days": max(retention_days, RETENTION_FLOOR_DAYS),
        },
    )
    return Purged(cutoff=before, deleted=deleted)
