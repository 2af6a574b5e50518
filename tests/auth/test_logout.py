"""Logout revokes the token: its id is refused until it expires. Token lifetime a setting."""

from __future__ import annotations

import jwt

from tests.auth.helpers import app_with, client_from, new_user

RIGHT = "right-horse-battery"


def _token(client, name):
    resp = client.post("/api/v1/auth/token", data={"username": name, "password": RIGHT})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_logout_revokes_that_token_and_only_that_one(client, demo, admin_headers):
    name = new_user(demo)
    one, two = _token(client, name), _token(client, name)
    h1 = {"Authorization": f"Bearer {one['access_token']}"}
    h2 = {"Authorization": f"Bearer {two['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=h1).status_code == 200
    out = client.post("/api/v1/auth/logout", headers=h1)
    assert out.status_code == 200, out.text
    claims = jwt.decode(one["access_token"], options={"verify_signature": False})
    assert out.json()["revoked"] is True
    refused = client.get("/api/v1/auth/me", headers=h1)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthorized"
    assert client.post("/api/v1/auth/logout", headers=h1).status_code == 401
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 200
    entries = client.get(
        "/api/v1/audit", params={"action": "logout", "limit": 200}, headers=admin_headers
    ).json()["items"]
    assert any(e["after"]["jti"] == claims["jti"] for e in entries)


def test_another_process_refuses_a_revoked_token(settings, demo, client):
    """The revocation is in the database: a second process (no shared cache) refuses it."""
    name = new_user(demo)
    token = _token(client, name)["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    other = client_from(app_with(settings, demo))
    assert other.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_token_lifetime_is_the_setting(settings, demo):
    c = client_from(app_with(settings, demo, access_token_ttl_s=600))
    name = new_user(demo)
    answer = _token(c, name)
    claims = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert answer["expires_in"] == 600 and claims["exp"] - claims["iat"] == 600
    assert len(claims["jti"]) == 32


def test_a_token_without_jti_is_refused(client, settings, demo):
    from yingji.auth.models import User

    with demo.session() as s:
        user_id = s.query(User.id).first()[0]
    old = jwt.encode(
        {"sub": str(user_id), "exp": 4102444800, "typ": "access"},
        settings.secret_key,
        algorithm="HS256",
    )
    resp = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {old}"})
    assert resp.status_code == 401
