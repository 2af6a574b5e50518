"""The audit log is kept at least six months (网络安全法 第二十一条); the purge is the only
deletion, deletes nothing younger, and is itself audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from tests.auth.helpers import app_with
from yingji.audit import retention
from yingji.audit.models import AuditEntry
from yingji.config import Settings
from yingji.core.db import utcnow


def test_retention_below_184_days_is_refused():
    with pytest.raises(ValidationError):
        Settings(audit_retention_days=183)
    assert Settings(audit_retention_days=184).audit_retention_days == 184
    assert Settings().audit_retention_days == 365


def test_cutoff_never_less_than_the_floor():
    now = utcnow()
    assert retention.cutoff(now, 10) == now - timedelta(days=184)
    assert retention.cutoff(now, 400) == now - timedelta(days=400)


def _add(session, tag: str, age: timedelta) -> None:
    session.execute(
        insert(AuditEntry).values(
            at=utcnow() - age,
            actor_type="system",
            actor_id="test",
            actor_name="",
            action="probe",
            object_type="retention_probe",
            object_id=tag,
        )
    )


def _count(session, tag: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.object_id == tag)
    )


def test_the_database_refuses_to_delete_or_change_younger_rows(demo):
    tag = uuid.uuid4().hex
    with demo.session() as s:
        _add(s, tag, timedelta(days=183, hours=23))
        s.commit()
    with demo.session() as s, pytest.raises(DBAPIError):
        s.execute(delete(AuditEntry).where(AuditEntry.object_id == tag))
        s.commit()
    with demo.session() as s, pytest.raises(DBAPIError):
        s.execute(update(AuditEntry).where(AuditEntry.object_id == tag).values(action="x"))
        s.commit()
    with demo.session() as s:
        assert _count(s, tag) == 1


def test_purge_deletes_only_rows_past_retention_and_audits_itself(settings, demo, admin_headers):
    from fastapi.testclient import TestClient

    tag_old, tag_mid, tag_new = (uuid.uuid4().hex for _ in range(3))
    with demo.session() as s:
        _add(s, tag_old, timedelta(days=400))
        _add(s, tag_mid, timedelta(days=300))  # past the floor, inside 365 days
        _add(s, tag_new, timedelta(days=1))
        s.commit()
    c = TestClient(app_with(settings, demo, audit_retention_days=365))
    resp = c.post("/api/v1/audit/purge", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["retention_days"] == 365 and resp.json()["deleted"] >= 1
    with demo.session() as s:
        assert (_count(s, tag_old), _count(s, tag_mid), _count(s, tag_new)) == (0, 1, 1)
    entries = c.get(
        "/api/v1/audit", params={"action": "purge", "limit": 5}, headers=admin_headers
    ).json()["items"]
    assert entries[0]["object_type"] == "audit_log"
    assert entries[0]["after"]["deleted"] == resp.json()["deleted"]
    # with the floor as the retention, the 300-day row goes too; the 1-day row stays
    c184 = TestClient(app_with(settings, demo, audit_retention_days=184))
    assert c184.post("/api/v1/audit/purge", headers=admin_headers).status_code == 200
    with demo.session() as s:
        assert (_count(s, tag_mid), _count(s, tag_new)) == (0, 1)


def test_only_an_admin_purges(client, token_for):
    assert client.post("/api/v1/audit/purge", headers=token_for("duty_officer")).status_code == 403
