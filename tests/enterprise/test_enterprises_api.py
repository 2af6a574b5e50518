"""The enterprise ledger through HTTP: scope, the credit code's check, who may change what,
licences and units. Every refusal is checked to have written nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.core.creditcode import ALPHABET, with_check
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE
from yingji.enterprise.models import Enterprise

URL = "/api/v1/enterprises"
BUREAU = ("department_operator", "DEPT-EM")


def fresh_code(letter_check: bool | None = None) -> str:
    """A valid credit code no demo enterprise has, optionally with a letter check."""
    rng = random.Random()
    while True:
        code = with_check("91370103MA" + "".join(rng.choice(ALPHABET) for _ in range(7)))
        if letter_check is None or code[17].isalpha() == letter_check:
            return code


@pytest.fixture(scope="module")
def demo_ent(client, token_for):
    resp = client.get(f"{URL}/{DEMO_ENTERPRISE_CODE}", headers=token_for(*BUREAU))
    assert resp.status_code == 200, resp.text
    return resp.json()


def body(demo_ent, **over):
    return {
        "code": fresh_code(),
        "name": f"测试化工有限公司{random.randrange(10**8)}",
        "industry_code": "C2641",
        "kind": "危化品储存经营",
        "lon": demo_ent["lon"],
        "lat": demo_ent["lat"],
        "legal_rep_name": "王建国",
        "principal_name": "王建国",
        "principal_phone": "13905310001",
        "safety_manager_name": "李敏",
        "contacts": [{"name": "张伟", "role": "安全员", "phone": "13905310002"}],
        "employees": 40,
        "standardisation_grade": "三级",
        "standardisation_expiry": "2028-06-30",
    } | over


def count(session, model=Enterprise):
    return session.scalar(select(func.count()).select_from(model))


def people_audit(session):
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.actor_type != "system")
    )


def test_the_district_sees_235_reddest_first_and_filters_work(client, token_for):
    resp = client.get(URL, params={"limit": 300}, headers=token_for("duty_officer"))
    assert resp.status_code == 200
    page = resp.json()
    assert page["total"] >= 235
    first = page["items"][0]
    assert {"industry_label", "kind_label", "risk_label", "licences_expiring"} <= first.keys()
    stations = client.get(
        URL, params={"industry": "F5265"}, headers=token_for("duty_officer")
    ).json()
    assert stations["total"] >= 26 and all(e["industry_code"] == "F5265" for e in stations["items"])
    by_kind = client.get(URL, params={"kind": "规模以上工业"}, headers=token_for("viewer")).json()
    assert by_kind["total"] >= 120 and {e["kind"] for e in by_kind["items"]} == {"industrial"}
    bad = client.get(URL, params={"kind": "炼钢"}, headers=token_for("viewer"))
    assert bad.status_code == 422 and bad.json()["field"] == "kind"


def test_an_enterprise_user_sees_only_its_own(client, token_for, demo_ent):
    own = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    page = client.get(URL, headers=own).json()
    assert [e["code"] for e in page["items"]] == [DEMO_ENTERPRISE_CODE]
    other = client.get(URL, params={"limit": 2}, headers=token_for("viewer")).json()["items"]
    stranger = next(e["code"] for e in other if e["code"] != DEMO_ENTERPRISE_CODE)
    assert client.get(f"{URL}/{stranger}", headers=own).status_code == 403
    assert client.get(f"{URL}/{DEMO_ENTERPRISE_CODE}", headers=own).status_code == 200


def test_a_subdistrict_sees_its_own_enterprises_only(client, token_for, demo_ent):
    sub = demo_ent["subdistrict_code"]
    page = client.get(URL, params={"limit": 300}, headers=token_for("subdistrict_operator", sub))
    assert page.json()["total"] >= 1
    assert {e["subdistrict_code"] for e in page.json()["items"]} == {sub}
    elsewhere = "370103002" if sub != "370103002" else "370103003"
    resp = client.get(
        f"{URL}/{DEMO_ENTERPRISE_CODE}", headers=token_for("subdistrict_operator", elsewhere)
    )
    assert resp.status_code == 403


@pytest.mark.parametrize("letter", [True, False])
def test_the_bureau_registers_an_enterprise_with_either_kind_of_check(
    client, token_for, demo_ent, session, letter
):
    code = fresh_code(letter_check=letter)
    resp = client.post(URL, json=body(demo_ent, code=code.lower()), headers=token_for(*BUREAU))
    assert resp.status_code == 201, resp.text
    made = resp.json()
    assert made["code"] == code and made["kind"] == "hazchem_storage"
    assert made["standardisation_grade"] == "3" and made["subdistrict_code"]
    assert made["risk_colour"] is None and made["risk_label"] == "未评估"
    row = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "enterprise", AuditEntry.object_id == code
        )
    ).one()
    assert row.action == "create"


def test_a_wrong_check_character_is_refused_and_nothing_written(
    client, token_for, demo_ent, session
):
    good = fresh_code()
    bad = good[:17] + next(c for c in "0123456789" if c != good[17])
    before, audited = count(session), people_audit(session)
    resp = client.post(URL, json=body(demo_ent, code=bad), headers=token_for(*BUREAU))
    assert resp.status_code == 422
    err = resp.json()
    assert err["errors"][0]["field"] == "code"
    assert "校验位" in err["errors"][0]["message"] and "check" in err["errors"][0]["message_en"]
    session.expire_all()
    assert count(session) == before and people_audit(session) == audited


@pytest.mark.parametrize(
    ("over", "status", "field"),
    [
        ({"industry_code": "化工"}, 422, "industry_code"),
        ({"kind": "钢铁冶炼"}, 422, "kind"),
        ({"employees": -1}, 422, "employees"),
        ({"lon": 120.5, "lat": 31.2}, 422, None),  # far outside the district
        ({"grid_point_code": "NO-SUCH-POINT"}, 422, "grid_point_code"),
    ],
)
def test_bad_fields_are_refused(client, token_for, demo_ent, session, over, status, field):
    before = count(session)
    resp = client.post(URL, json=body(demo_ent, **over), headers=token_for(*BUREAU))
    assert resp.status_code == status, resp.text
    if field:
        assert field in {e["field"] for e in resp.json()["errors"]} | {resp.json()["field"]}
    session.expire_all()
    assert count(session) == before


def test_only_the_bureau_registers(client, token_for, demo_ent):
    roles = [
        ("subdistrict_operator", demo_ent["subdistrict_code"]),
        ("duty_officer",),
        ("enterprise_user", DEMO_ENTERPRISE_CODE),
        ("department_operator", "DEPT-WATER"),
    ]
    for role in roles:
        assert client.post(URL, json=body(demo_ent), headers=token_for(*role)).status_code == 403


def test_a_code_or_name_already_registered_is_a_conflict(client, token_for, demo_ent):
    dup = client.post(
        URL, json=body(demo_ent, code=DEMO_ENTERPRISE_CODE), headers=token_for(*BUREAU)
    )
    assert dup.status_code == 409 and dup.json()["code"] == "enterprise_exists"
    same_name = client.post(
        URL, json=body(demo_ent, name=demo_ent["name"]), headers=token_for(*BUREAU)
    )
    assert same_name.status_code == 409 and same_name.json()["field"] == "name"


def test_the_enterprise_keeps_its_people_but_not_what_the_bureau_decides(
    client, token_for, demo_ent, session
):
    own = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    url = f"{URL}/{DEMO_ENTERPRISE_CODE}"
    original = {"employees": demo_ent["employees"], "contacts": demo_ent["contacts"]}
    try:
        resp = client.patch(
            url,
            json={"employees": 77, "contacts": [{"name": "赵磊", "phone": "13905319999"}]},
            headers=own,
        )
        assert resp.status_code == 200, resp.text
        assert resp.json()["employees"] == 77 and resp.json()["contacts"][0]["role"] == ""
        audited = people_audit(session)
        changes = [
            {"kind": "industrial"},
            {"has_major_hazard": True},
            {"standardisation_grade": "一级"},
            {"lon": demo_ent["lon"] + 0.001},
        ]
        for change in changes:
            refused = client.patch(url, json=change, headers=own)
            assert refused.status_code == 403, change
            assert refused.json()["field"] == next(iter(change))
        assert client.patch(url, json={"employees": None}, headers=own).status_code == 422
        session.expire_all()
        assert people_audit(session) == audited
        assert session.get(Enterprise, DEMO_ENTERPRISE_CODE).kind == demo_ent["kind"]
    finally:
        assert client.patch(url, json=original, headers=token_for(*BUREAU)).status_code == 200


def test_licences_carry_their_status_and_dates_are_checked(client, token_for, demo_ent):
    made = client.post(URL, json=body(demo_ent), headers=token_for(*BUREAU)).json()
    url = f"{URL}/{made['code']}/licences"
    own = token_for("enterprise_user", made["code"])
    today = date.today()
    lapsed = client.post(
        url,
        json={
            "kind": "危险化学品经营许可证",
            "number": "鲁济危化经字〔2023〕001号",
            "issued_on": str(today - timedelta(days=1100)),
            "expires_on": str(today - timedelta(days=5)),
        },
        headers=own,
    )
    assert lapsed.status_code == 201, lapsed.text
    assert lapsed.json()["status"] == "expired" and lapsed.json()["kind"] == "hazchem_trade"
    soon = client.post(
        url,
        json={
            "kind": "safety_production",
            "number": "A-1",
            "expires_on": str(today + timedelta(days=20)),
        },
        headers=own,
    )
    assert soon.json()["status"] == "expiring"
    renewal = {"kind": "safety_production", "number": "A-1", "expires_on": str(today)}
    again = client.post(url, json=renewal, headers=own)
    assert again.status_code == 409
    backwards = client.post(
        url,
        json={
            "kind": "safety_production",
            "number": "A-2",
            "issued_on": str(today),
            "expires_on": str(today - timedelta(days=1)),
        },
        headers=own,
    )
    assert backwards.status_code == 422 and backwards.json()["field"] == "expires_on"
    ent = client.get(f"{URL}/{made['code']}", headers=own).json()
    assert (ent["licences_expired"], ent["licences_expiring"]) == (1, 1)
    assert [x["status"] for x in ent["licences"]] == ["expired", "expiring"]
    renewed = client.patch(
        f"{url}/{soon.json()['id']}",
        json={"expires_on": str(today + timedelta(days=900))},
        headers=own,
    )
    assert renewed.json()["status"] == "valid"
    listed = client.get(
        URL, params={"licence_expiring_days": 30, "q": made["name"]}, headers=token_for("viewer")
    ).json()
    assert [e["code"] for e in listed["items"]] == [made["code"]]
    gone = client.delete(f"{url}/{lapsed.json()['id']}", params={"reason": "录入错误"}, headers=own)
    assert gone.status_code == 204
    twice = client.delete(f"{url}/{lapsed.json()['id']}", params={"reason": "x"}, headers=own)
    assert twice.status_code == 404
    stranger = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    other = {"kind": "safety_production", "number": "B", "expires_on": str(today)}
    assert client.post(url, json=other, headers=stranger).status_code == 403


def test_units_for_the_monitoring_domain(client, token_for, demo_ent):
    made = client.post(URL, json=body(demo_ent), headers=token_for(*BUREAU)).json()
    url = f"{URL}/{made['code']}/units"
    resp = client.post(
        url, json={"code": "U01", "name": "1号罐区", "kind": "储存单元"}, headers=token_for(*BUREAU)
    )
    assert resp.status_code == 201 and resp.json()["kind"] == "storage"
    dup = client.post(
        url, json={"code": "U01", "name": "x", "kind": "production"}, headers=token_for(*BUREAU)
    )
    assert dup.status_code == 409
    bad = client.post(
        url, json={"code": "U02", "name": "x", "kind": "仓库"}, headers=token_for(*BUREAU)
    )
    assert bad.status_code == 422
    patched = client.patch(
        f"{url}/{resp.json()['id']}", json={"name": "1号储罐区"}, headers=token_for(*BUREAU)
    )
    assert patched.json()["name"] == "1号储罐区"
    assert [u["code"] for u in client.get(url, headers=token_for("viewer")).json()] == ["U01"]


def test_unknown_codes_are_404(client, token_for):
    resp = client.get(f"{URL}/91110000600037341L", headers=token_for("viewer"))
    assert resp.status_code == 404
    assert client.get(URL).status_code == 401


def test_a_unit_is_deleted_with_a_reason_and_audited(client, token_for, demo_ent, session):
    made = client.post(URL, json=body(demo_ent), headers=token_for(*BUREAU)).json()
    url = f"{URL}/{made['code']}/units"
    unit = client.post(url, json={"code": "U09", "name": "9号仓库", "kind": "storage"},
                       headers=token_for(*BUREAU)).json()  # fmt: skip
    # signed in before counting: a first login writes its own audit row
    stranger = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    before = people_audit(session)
    no_reason = client.delete(f"{url}/{unit['id']}", headers=token_for(*BUREAU))
    assert no_reason.status_code == 422 and people_audit(session) == before
    refused = client.delete(f"{url}/{unit['id']}", params={"reason": "x"}, headers=stranger)
    assert refused.status_code == 403 and people_audit(session) == before
    gone = client.delete(f"{url}/{unit['id']}", params={"reason": "录入错误"},
                         headers=token_for(*BUREAU))  # fmt: skip
    assert gone.status_code == 204 and people_audit(session) == before + 1
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "enterprise_unit")
        .order_by(AuditEntry.id.desc()).limit(1)
    ).one()  # fmt: skip
    assert entry.action == "delete" and entry.reason == "录入错误"
    assert client.get(url, headers=token_for("viewer")).json() == []
    again = client.delete(f"{url}/{unit['id']}", params={"reason": "x"}, headers=token_for(*BUREAU))
    assert again.status_code == 404
