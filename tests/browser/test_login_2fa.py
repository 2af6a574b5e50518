"""Two-factor login in the browser: an admin requires it of commanders; a commander enrols
at the login page (QR code, key, a code computed here), keeps the recovery codes, signs out,
and signs in again with a fresh code."""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot

pytestmark = pytest.mark.browser
PASSWORD = "commander-kettle-42"


def _send(server: LiveServer, method: str, path: str, token: str, body: object) -> object:
    req = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)


def test_a_commander_enrols_and_signs_in_with_a_code(new_page, live_server):
    admin = live_server.token("admin")
    hq = live_server.call("/api/v1/org/headquarters", admin)[0]["code"]
    name = f"cmdr_{uuid.uuid4().hex[:6]}"
    _send(
        live_server,
        "POST",
        "/api/v1/users",
        admin,
        {
            "username": name,
            "password": PASSWORD,
            "role": "hq_commander",
            "scope_code": hq,
            "display_name": "王指挥",
        },
    )
    before = live_server.call("/api/v1/auth/policy", admin)
    _send(
        live_server, "PUT", "/api/v1/auth/policy", admin, {"totp_required_roles": ["hq_commander"]}
    )
    try:
        page = new_page()
        page.goto(live_server.url + "/login")
        page.locator("input[name=username]").fill(name)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("[data-test=login-submit]").click()

        enrol = page.locator("[data-test=enrol]")
        expect(enrol).to_contain_text("绑定双因素认证")
        qr = page.locator("[data-test=enrol-qr]")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
        secret = page.locator("[data-test=enrol-secret]").inner_text().strip()
        assert re.fullmatch(r"[A-Z2-7]{32}", secret)
        screenshot(page, "login-2fa-enrol")
        totp = pyotp.TOTP(secret)
        page.locator("input[name=code]").fill(totp.now())
        page.locator("[data-test=enrol-submit]").click()

        codes = page.locator("[data-test=recovery-codes] li")
        expect(codes).to_have_count(10, timeout=60_000)  # ten argon2 hashes on a busy machine
        screenshot(page, "login-2fa-recovery")
        page.locator("[data-test=recovery-done]").click()
        expect(page).to_have_url(re.compile(r"/map$"))
        expect(page.locator("[data-test=role]")).to_have_text("指挥部指挥")

        page.locator("[data-test=logout]").click()
        expect(page).to_have_url(re.compile(r"/login"))
        page.locator("input[name=username]").fill(name)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("[data-test=login-submit]").click()
        expect(page.locator("[data-test=otp-hint]")).to_contain_text("双因素认证")
        screenshot(page, "login-2fa-code")
        # the code used at enrolment is spent: the next step's code (accepted for drift)
        page.locator("input[name=otp]").fill(totp.at(time.time() + 30))
        page.locator("[data-test=login-submit]").click()
        expect(page).to_have_url(re.compile(r"/map$"))
        expect(page.locator("[data-test=role]")).to_have_text("指挥部指挥")
    finally:
        _send(live_server, "PUT", "/api/v1/auth/policy", admin, before)
    # the sign-out revoked the first session's token on the server
    entries = live_server.call("/api/v1/audit?action=logout&limit=20", admin)["items"]
    assert any(e["actor_name"] == "王指挥" for e in entries)
