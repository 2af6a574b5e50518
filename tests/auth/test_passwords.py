"""The password policy: the rule at its boundaries, and through the API."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from yingji.auth import passwords


def test_ten_characters_pass_nine_do_not():
    assert passwords.problem("x7#kQ2mP9z", "someone") is None
    assert passwords.problem("x7#kQ2mP9", "someone")[0] == "password_too_short"


def test_the_username_inside_is_refused_whatever_the_case():
    assert passwords.problem("zhangwei-2026!", "zhangwei")[0] == "password_has_username"
    assert passwords.problem("ZhangWei-2026!", "zhangwei")[0] == "password_has_username"


def test_common_passwords_of_ten_or_more_are_refused():
    for common in ("1234567890", "qwertyuiop", "Password123", "iloveyou12"):
        if len(common) >= 10:
            assert passwords.problem(common, "someone")[0] == "password_too_common", common


def test_the_shipped_list_is_a_few_thousand_and_names_its_source():
    text = passwords.COMMON_LIST.read_text(encoding="utf-8")
    assert "Django" in text and "BSD-3-Clause" in text and "roycewilliams" in text
    assert 3000 <= len(passwords.common_passwords()) <= 10000


@given(st.text(min_size=10, max_size=40))
def test_a_refusal_always_names_a_rule(pw):
    found = passwords.problem(pw, "operator")
    if found is not None:
        assert found[0] in {
            "password_has_username",
            "password_too_common",
            "password_too_short",
            "password_too_long",
        }


def test_creating_an_account_with_a_common_password_is_a_422_naming_the_field(
    client, admin_headers
):
    name = f"pw{uuid.uuid4().hex[:8]}"
    resp = client.post(
        "/api/v1/users",
        json={"username": name, "password": "qwertyuiop", "role": "viewer"},
        headers=admin_headers,
    )
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["code"] == "password_too_common" and body["field"] == "password"
    assert body["message"] and body["message_en"]
    resp = client.post(
        "/api/v1/users",
        json={"username": name, "password": f"{name}-secret", "role": "viewer"},
        headers=admin_headers,
    )
    assert resp.status_code == 422 and resp.json()["code"] == "password_has_username"
    assert (
        client.get("/api/v1/users?limit=500", headers=admin_headers).json()["items"][-1]["username"]
        != name
    )


def test_changing_ones_password_follows_the_policy(client, token_for):
    headers = token_for("viewer")
    bad = client.post(
        "/api/v1/auth/password",
        json={"current_password": "test-password-1", "new_password": "1234567890"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "password_too_common"
    wrong = client.post(
        "/api/v1/auth/password",
        json={"current_password": "not-my-password", "new_password": "plum-kettle-harbour"},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
