"""The audit log records every change through the API and cannot be altered."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.conftest import TEST_PASSWORD


def test_creating_a_user_is_audited_with_actor_and_after(client, admin_headers):
    name = f"aud{uuid.uuid4().hex[:6]}"
    created = client.post(
        "/api/v1/users",
        json={"username": name, "password": TEST_PASSWORD, "role": "viewer"},
        headers=admin_headers,
    ).json()
    entries = client.get(
        f"/api/v1/audit?object_type=user&object_id={created['id']}", headers=admin_headers
    ).json()
    assert entries["total"] == 1
    entry = entries["items"][0]
    assert entry["action"] == "create"
    assert entry["actor_type"] == "user"
    assert entry["before"] is None
    assert entry["after"]["username"] == name
    assert "password_hash" not in entry["after"]


def test_audit_filters_by_actor(client, admin_headers):
    me = client.get("/api/v1/auth/me", headers=admin_headers).json()
    client.post(
        "/api/v1/integration-tokens",
        json={"name": "传感网关", "channels": ["sensor"]},
        headers=admin_headers,
    )
    page = client.get(f"/api/v1/audit?actor_id={me['id']}", headers=admin_headers).json()
    assert page["total"] >= 1
    assert all(e["actor_id"] == str(me["id"]) for e in page["items"])


def test_only_admins_read_the_audit_log(client, token_for):
    assert client.get("/api/v1/audit", headers=token_for("duty_officer")).status_code == 403


def test_audit_rows_cannot_be_updated_or_deleted(demo, client, admin_headers):
    client.post(
        "/api/v1/integration-tokens",
        json={"name": "append-only probe", "channels": ["notice"]},
        headers=admin_headers,
    )
    with demo.engine.connect() as conn:
        with pytest.raises(DatabaseError):
            conn.execute(text("UPDATE audit_log SET actor_name = 'x'"))
        conn.rollback()
        with pytest.raises(DatabaseError):
            conn.execute(text("DELETE FROM audit_log"))
        conn.rollback()
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar() > 0
