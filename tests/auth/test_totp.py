"""Two-factor login (RFC 6238 TOTP) with recovery codes, required per role by an admin."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pyotp
import pytest

from tests.auth.helpers import Clock, app_with, client_from, new_user
from yingji.audit.service import SYSTEM
from yingji.auth import service as auth
from yingji.auth import totp
from yingji.auth.roles import Role
from yingji.org import service as org

RIGHT = "right-horse-battery"
NOW = datetime(2026, 12, 2, 8, 0, 10, tzinfo=UTC)  # 10 s into a step


def test_codes_of_the_step_before_at_and_after_are_accepted_and_never_twice():
    secret = totp.new_secret()
    t = pyotp.TOTP(secret)
    step = totp.step_of(NOW)
    for offset in (-1, 0, 1):
        code = t.at((step + offset) * 30)
        assert totp.accepted_step(secret, code, NOW, last_step=0) == step + offset
    assert totp.accepted_step(secret, t.at((step - 2) * 30), NOW, 0) is None
    assert totp.accepted_step(secret, t.at((step + 2) * 30), NOW, 0) is None
    # a step at or before the last one used is refused (replay)
    assert totp.accepted_step(secret, t.at(step * 30), NOW, last_step=step) is None
    assert totp.accepted_step(secret, t.at((step + 1) * 30), NOW, last_step=step) == step + 1
    assert totp.accepted_step(secret, "12345", NOW, 0) is None
    assert totp.accepted_step(secret, "abcdef", NOW, 0) is None


def test_recovery_codes_are_ten_distinct_and_hashed():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 11 and c[5] == "-" for c in codes)
    hashes = totp.hash_recovery_codes(codes[:2])
    assert all(h.startswith("$argon2") and codes[0] not in h for h in hashes)
    assert totp.matching_recovery_hash(hashes, codes[1].upper()) == hashes[1]
    assert totp.matching_recovery_hash(hashes, codes[2]) is None


def _login(c, name, password=RIGHT, otp=None):
    data = {"username": name, "password": password}
    if otp is not None:
        data["otp"] = otp
    return c.post("/api/v1/auth/token", data=data)


def _code(secret, offset=0):
    return pyotp.TOTP(secret).at(time.time() + 30 * offset)


@pytest.fixture
def policy(client, admin_headers):
    """Restore the per-role requirement after the test."""
    before = client.get("/api/v1/auth/policy", headers=admin_headers).json()
    yield
    client.put("/api/v1/auth/policy", json=before, headers=admin_headers)


def test_a_required_role_enrols_at_login_then_logs_in_with_codes(
    client, demo, admin_headers, policy
):
    name = f"cmd_{uuid.uuid4().hex[:8]}"
    with demo.session() as s:
        hq = sorted(org.scope_codes(s)["headquarters"])[0]
        auth.create_user(
            s,
            username=name,
            password=RIGHT,
            role=Role.hq_commander,
            scope_code=hq,
            known_scope_codes=None,
            actor=SYSTEM,
        )
        s.commit()
    put = client.put(
        "/api/v1/auth/policy",
        json={"totp_required_roles": ["admin", "hq_commander"]},
        headers=admin_headers,
    )
    assert put.status_code == 200 and put.json()["totp_required_roles"] == ["admin", "hq_commander"]

    first = _login(client, name)
    assert first.status_code == 200
    assert first.json()["totp_enrolment_required"] is True
    enrol_headers = {"Authorization": f"Bearer {first.json()['access_token']}"}
    # the enrolment token opens nothing else
    assert client.get("/api/v1/auth/me", headers=enrol_headers).status_code == 401
    assert client.get("/api/v1/incidents", headers=enrol_headers).status_code == 401

    enrolment = client.post("/api/v1/auth/totp/enrol", headers=enrol_headers)
    assert enrolment.status_code == 200, enrolment.text
    secret = enrolment.json()["secret"]
    uri = enrolment.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and name in uri
    assert enrolment.json()["qr_svg"].startswith("data:image/svg+xml")

    # a code that is valid in no step around now (so the refusal cannot be luck)
    valid = {pyotp.TOTP(secret).at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    bad = next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in valid
    )
    wrong = client.post("/api/v1/auth/totp/confirm", json={"code": bad}, headers=enrol_headers)
    assert wrong.status_code == 422
    assert wrong.json()["field"] == "code"
    confirmed_at = time.time()
    used = pyotp.TOTP(secret).at(confirmed_at)
    done = client.post("/api/v1/auth/totp/confirm", json={"code": used}, headers=enrol_headers)
    assert done.status_code == 200, done.text
    recovery = done.json()["recovery_codes"]
    assert len(recovery) == 10
    full = {"Authorization": f"Bearer {done.json()['access_token']}"}
    me = client.get("/api/v1/auth/me", headers=full).json()
    assert me["totp_enabled"] is True and me["totp_required"] is True

    # next login: the password alone is not enough, and says so
    ask = _login(client, name)
    assert ask.status_code == 401 and ask.json()["code"] == "otp_required"
    valid = {pyotp.TOTP(secret).at(time.time() + 30 * k) for k in (-1, 0, 1)}
    bad = _login(
        client,
        name,
        otp=next(c for c in ("999999", "888888", "777777", "666666") if c not in valid),
    )
    assert bad.status_code == 401 and bad.json()["code"] == "bad_otp"
    # the code confirmed at enrolment cannot be replayed; the next step's can be used
    again = _login(client, name, otp=used)
    assert again.status_code == 401
    ok = _login(client, name, otp=pyotp.TOTP(secret).at(confirmed_at + 30))
    assert ok.status_code == 200 and ok.json()["totp_enrolment_required"] is False
    # a recovery code works once
    assert _login(client, name, otp=recovery[0]).status_code == 200
    assert _login(client, name, otp=recovery[0]).status_code == 401

    audit = client.get(
        "/api/v1/audit", params={"object_type": "totp", "limit": 50}, headers=admin_headers
    ).json()["items"]
    assert {"enable", "use_recovery_code"} <= {e["action"] for e in audit}
    policy_rows = client.get(
        "/api/v1/audit", params={"object_type": "auth_policy", "limit": 5}, headers=admin_headers
    ).json()["items"]
    assert policy_rows[0]["after"]["totp_required_roles"] == ["admin", "hq_commander"]

    # an admin resets it (a lost phone): the next login enrols again
    users = client.get("/api/v1/users?limit=500", headers=admin_headers).json()["items"]
    user_id = next(u["id"] for u in users if u["username"] == name)
    assert client.delete(f"/api/v1/users/{user_id}/totp", headers=admin_headers).status_code == 200
    assert _login(client, name).json()["totp_enrolment_required"] is True


def test_a_voluntary_second_factor_is_asked_even_when_not_required(client, demo):
    name = new_user(demo)
    token = _login(client, name).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    secret = client.post("/api/v1/auth/totp/enrol", headers=headers).json()["secret"]
    assert (
        client.post(
            "/api/v1/auth/totp/confirm", json={"code": _code(secret)}, headers=headers
        ).json()["access_token"]
        is None
    )
    again = client.post("/api/v1/auth/totp/enrol", headers=headers)
    assert again.status_code == 409 and again.json()["code"] == "totp_enrolled"
    assert _login(client, name).json()["code"] == "otp_required"


def test_only_an_admin_sets_the_policy(client, token_for):
    resp = client.put(
        "/api/v1/auth/policy",
        json={"totp_required_roles": []},
        headers=token_for("duty_officer"),
    )
    assert resp.status_code == 403


def test_wrong_codes_count_as_failed_logins(settings, demo, monkeypatch):
    monkeypatch.setattr("yingji.auth.views.utcnow", Clock())  # held still: no second passes
    c = client_from(app_with(settings, demo, login_account_delay_after=2, login_max_delay_s=30))
    name = new_user(demo)
    token = _login(c, name).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    secret = c.post("/api/v1/auth/totp/enrol", headers=headers).json()["secret"]
    c.post("/api/v1/auth/totp/confirm", json={"code": _code(secret)}, headers=headers)
    wrong = "111111" if _code(secret, 1) != "111111" else "222222"
    assert _login(c, name, otp=wrong).status_code == 401
    assert _login(c, name, otp=wrong).status_code == 401
    assert _login(c, name, otp=_code(secret, 1)).status_code == 429


def test_the_requirement_is_off_by_default(settings, tmp_path):
    """A fresh database requires no second factor: the demo accounts log in with a password."""
    from yingji.auth import sessions
    from yingji.core import migrate
    from yingji.core.db import Database

    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate.upgrade(db.engine)
    with db.session() as s:
        assert sessions.required_roles(s) == set()
    db.dispose()
