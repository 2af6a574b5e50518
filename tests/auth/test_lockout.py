"""Repeated failed logins slow down, then lock out, per account and per client address,
in the platform's error shape with Retry-After; every process on the database agrees."""

from __future__ import annotations

import pytest

from tests.auth.helpers import Clock, app_with, client_from, new_user

RIGHT = "right-horse-battery"
FAST = {
    "login_account_delay_after": 2,
    "login_account_lockout_after": 4,
    "login_address_delay_after": 50,
    "login_address_lockout_after": 100,
    "login_max_delay_s": 30,
    "login_lockout_s": 600,
    "login_window_s": 3600,
}


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr("yingji.auth.views.utcnow", c)
    return c


@pytest.fixture(scope="module")
def fast_app(settings, demo):
    return app_with(settings, demo, **FAST)


def _login(client, username, password):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _audit(client, admin_headers, **query):
    return client.get(
        "/api/v1/audit", params={**query, "limit": 100}, headers=admin_headers
    ).json()["items"]


def test_account_slows_down_then_locks_then_opens_again(
    fast_app, demo, client, admin_headers, clock
):
    name = new_user(demo)
    c = client_from(fast_app)
    assert _login(c, name, "wrong-1").status_code == 401
    assert _login(c, name, "wrong-2").status_code == 401
    # two failures: the next attempt must wait a second, even with the right password
    slow = _login(c, name, RIGHT)
    assert slow.status_code == 429
    assert slow.headers["Retry-After"] == "1"
    body = slow.json()
    assert body["code"] == "login_throttled" and "秒" in body["message"] and body["message_en"]
    clock.advance(1)
    assert _login(c, name, "wrong-3").status_code == 401  # three: 2 s now
    clock.advance(1)
    assert _login(c, name, RIGHT).headers["Retry-After"] == "1"
    clock.advance(1)
    assert _login(c, name, "wrong-4").status_code == 401  # the fourth locks
    locked = _login(c, name, RIGHT)
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    assert locked.headers["Retry-After"] == "600"
    clock.advance(599)
    assert _login(c, name, RIGHT).headers["Retry-After"] == "1"
    clock.advance(1)
    ok = _login(c, name, RIGHT)
    assert ok.status_code == 200, ok.text
    # the success forgave the account: a new failure does not hold it back
    assert _login(c, name, "wrong-5").status_code == 401
    assert _login(c, name, RIGHT).status_code == 200

    failed = _audit(client, admin_headers, action="login_failed", object_id=name)
    assert len(failed) == 5
    assert {e["after"]["reason"] for e in failed} == {"password"}
    lockouts = _audit(client, admin_headers, action="lockout", object_id=name)
    assert len(lockouts) == 1 and lockouts[0]["object_type"] == "login_account"
    assert lockouts[0]["after"]["failures"] == 4
    logins = [e for e in _audit(client, admin_headers, action="login") if e["actor_name"] == name]
    assert len(logins) == 2


def test_a_client_address_is_limited_across_accounts(settings, demo, client, admin_headers, clock):
    application = app_with(
        settings,
        demo,
        **{**FAST, "login_address_delay_after": 3, "login_address_lockout_after": 5},
    )
    c = client_from(application, "192.0.2.77")
    for i in range(3):  # three different accounts, one failure each: no account limit hit
        assert _login(c, f"nobody-{i}-x", "guess").status_code == 401
    assert _login(c, "nobody-3-x", "guess").status_code == 429
    # another address is not held back
    assert _login(client_from(application, "192.0.2.78"), "nobody-9-x", "guess").status_code == 401
    clock.advance(1)
    assert _login(c, "nobody-4-x", "guess").status_code == 401
    clock.advance(2)
    assert _login(c, "nobody-5-x", "guess").status_code == 401  # fifth: address locked
    name = new_user(demo)
    refused = _login(c, name, RIGHT)
    assert refused.status_code == 429 and refused.json()["code"] == "login_locked"
    lockouts = _audit(client, admin_headers, action="lockout", object_id="192.0.2.77")
    assert [e["object_type"] for e in lockouts] == ["login_address"]


def test_two_processes_on_one_database_count_the_same_failures(settings, demo, clock):
    """Failures counted by one server process hold back an attempt on another."""
    first = client_from(app_with(settings, demo, **FAST))
    second = client_from(app_with(settings, demo, **FAST))
    name = new_user(demo)
    assert _login(first, name, "wrong-1").status_code == 401
    assert _login(second, name, "wrong-2").status_code == 401
    assert _login(first, name, RIGHT).status_code == 429
    assert _login(second, name, RIGHT).status_code == 429


def test_the_defaults_are_the_documented_ones(settings):
    from yingji.config import Settings

    d = Settings()
    assert (d.login_account_delay_after, d.login_account_lockout_after) == (3, 10)
    assert (d.login_address_delay_after, d.login_address_lockout_after) == (20, 100)
    assert (d.login_window_s, d.login_lockout_s, d.login_max_delay_s) == (900, 900, 60)
