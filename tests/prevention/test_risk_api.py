"""Risk points through HTTP: assessments by LEC, LS and direct judgement, the enterprise's
colour rolled up, controls, the four-colour map, scope, and the versioned rule tables."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from tests.enterprise.test_enterprises_api import BUREAU, body
from yingji.audit.models import AuditEntry
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE
from yingji.prevention.risk.models import RiskAssessment

P = "/api/v1/prevention"


@pytest.fixture
def enterprise(client, token_for):
    demo = client.get(f"/api/v1/enterprises/{DEMO_ENTERPRISE_CODE}", headers=token_for(*BUREAU))
    made = client.post("/api/v1/enterprises", json=body(demo.json()), headers=token_for(*BUREAU))
    assert made.status_code == 201, made.text
    return made.json()


def new_point(client, headers, code, **over):
    resp = client.post(
        f"{P}/risk-points",
        json={
            "enterprise_code": code,
            "code": f"RP{random.randrange(10**6)}",
            "name": "储罐区",
            "kind": "facility",
            "lon": 117.0,
            "lat": 36.6,
        }
        | over,
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_an_enterprise_assesses_its_points_and_its_colour_follows(client, token_for, enterprise):
    own = token_for("enterprise_user", enterprise["code"])
    a = new_point(client, own, enterprise["code"])
    b = new_point(client, own, enterprise["code"], name="装卸作业", kind="activity")
    assert a["colour"] is None and a["tag"].startswith("YJ-")
    lec = client.post(
        f"{P}/risk-points/{a['id']}/assessments",
        json={"method": "LEC", "l": 10, "e": 1, "c": 7},
        headers=own,
    )
    assert lec.status_code == 201, lec.text
    got = lec.json()
    assert (got["score"], got["colour"], got["level"]) == (70, "yellow", "一般风险")
    assert (got["rule_kind"], got["rule_version"], got["enterprise_colour"]) == (
        "lec_bands",
        1,
        "yellow",
    )
    ls = client.post(
        f"{P}/risk-points/{b['id']}/assessments", json={"method": "LS", "l": 4, "s": 4}, headers=own
    )
    assert ls.json()["colour"] == "orange" and ls.json()["rule_confirmed"] is False
    assert ls.json()["enterprise_colour"] == "orange"
    judged = {"method": "direct", "items": ["major_hazard_source"]}
    direct = client.post(f"{P}/risk-points/{a['id']}/assessments", json=judged, headers=own)
    assert direct.json()["colour"] == "red" and direct.json()["score"] is None
    ent = client.get(f"/api/v1/enterprises/{enterprise['code']}", headers=own).json()
    assert ent["risk_colour"] == "red" and ent["risk_label"] == "重大风险"
    history = client.get(f"{P}/risk-points/{a['id']}/assessments", headers=own).json()
    assert [h["method"] for h in history] == ["direct", "LEC"]
    detail = client.get(f"{P}/risk-points/{a['id']}", headers=own).json()
    assert detail["colour"] == "red" and detail["control_level"] == "company"
    assert detail["latest"]["method"] == "direct"
    # the red point retired: the enterprise is orange again
    client.patch(f"{P}/risk-points/{a['id']}", json={"active": False}, headers=own)
    ent = client.get(f"/api/v1/enterprises/{enterprise['code']}", headers=own).json()
    assert ent["risk_colour"] == "orange"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"method": "LEC", "l": 4, "e": 6, "c": 7}, "l"),
        ({"method": "LEC", "l": 3, "e": 5, "c": 7}, "e"),
        ({"method": "LEC", "l": 3, "e": 6, "c": 8}, "c"),
        ({"method": "LS", "l": 6, "s": 1}, "l"),
        ({"method": "LS", "l": 2, "s": 0}, "s"),
        ({"method": "direct", "items": ["no_such_item"]}, "items"),
        ({"method": "direct", "items": []}, "items"),
        ({"method": "AHP"}, "method"),
    ],
)
def test_factors_outside_their_sets_are_refused_and_nothing_written(
    client, token_for, enterprise, session, payload, field
):
    own = token_for("enterprise_user", enterprise["code"])
    point = new_point(client, own, enterprise["code"])
    before = session.scalar(select(func.count()).select_from(RiskAssessment))
    resp = client.post(f"{P}/risk-points/{point['id']}/assessments", json=payload, headers=own)
    assert resp.status_code == 422, resp.text
    err = resp.json()
    assert field in {e["field"].split(".")[-1] for e in err["errors"]} | {err["field"]}
    assert err["message"] and err["message_en"]
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(RiskAssessment)) == before
    assert client.get(f"{P}/risk-points/{point['id']}", headers=own).json()["colour"] is None


def test_another_enterprises_points_are_out_of_reach(client, token_for, enterprise, session):
    own = token_for("enterprise_user", enterprise["code"])
    point = new_point(client, own, enterprise["code"])
    stranger = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    assert client.get(f"{P}/risk-points/{point['id']}", headers=stranger).status_code == 403
    refused = client.post(
        f"{P}/risk-points/{point['id']}/assessments",
        json={"method": "LS", "l": 1, "s": 1},
        headers=stranger,
    )
    assert refused.status_code == 403
    other = client.post(
        f"{P}/risk-points",
        json={"enterprise_code": enterprise["code"], "code": "X1", "name": "x", "kind": "site"},
        headers=stranger,
    )
    assert other.status_code == 403
    mine = client.get(f"{P}/risk-points", params={"limit": 5000}, headers=stranger).json()
    assert {p["enterprise_code"] for p in mine["items"]} == {DEMO_ENTERPRISE_CODE}


def test_the_demo_district_is_assessed_and_mapped(client, token_for):
    page = client.get(f"{P}/risk-points", params={"limit": 1}, headers=token_for("viewer")).json()
    assert page["total"] >= 7207
    reds = client.get(
        f"{P}/risk-points", params={"colour": "none", "limit": 1}, headers=token_for("viewer")
    ).json()
    assert reds["total"] == 0 or reds["total"] < 100  # every demo point has an assessment
    own = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    m = client.get(f"{P}/risk-map", params={"enterprise_code": DEMO_ENTERPRISE_CODE}, headers=own)
    data = m.json()
    assert data["type"] == "FeatureCollection" and data["features"]
    assert sum(data["counts"].values()) == len(data["features"])
    assert {f["properties"]["colour"] for f in data["features"]} <= {
        "red",
        "orange",
        "yellow",
        "blue",
    }


def test_controls_follow_the_colour_by_default(client, token_for, enterprise):
    own = token_for("enterprise_user", enterprise["code"])
    point = new_point(client, own, enterprise["code"])
    client.post(
        f"{P}/risk-points/{point['id']}/assessments",
        json={"method": "LEC", "l": 6, "e": 6, "c": 15},
        headers=own,
    )
    made = client.post(
        f"{P}/risk-points/{point['id']}/controls",
        json={
            "kind": "engineering",
            "content": "可燃气体检测报警与通风联锁",
            "responsible_name": "李敏",
        },
        headers=own,
    )
    assert made.status_code == 201 and made.json()["control_level"] == "company"
    ppe = {
        "kind": "ppe",
        "content": "佩戴防毒面具",
        "control_level": "post",
        "responsible_name": "张伟",
    }
    set_by_hand = client.post(f"{P}/risk-points/{point['id']}/controls", json=ppe, headers=own)
    assert set_by_hand.json()["control_level"] == "post"
    off = client.patch(f"{P}/controls/{made.json()['id']}", json={"active": False}, headers=own)
    assert off.json()["active"] is False
    source = client.post(
        f"{P}/hazard-sources",
        json={"risk_point_id": point["id"], "name": "储罐泄漏", "hazard_types": ["火灾", "爆炸"]},
        headers=own,
    )
    assert source.status_code == 201
    listed = client.get(f"{P}/hazard-sources", params={"risk_point_id": point["id"]}, headers=own)
    assert [s["name"] for s in listed.json()] == ["储罐泄漏"]


def test_rule_tables_are_versioned_and_only_an_admin_publishes(client, token_for, session):
    tables = {t["kind"]: t for t in client.get(f"{P}/rules", headers=token_for("viewer")).json()}
    assert tables["ls_bands"]["confirmed"] is False and tables["lec_bands"]["version"] >= 1
    future = {
        "body": tables["lec_bands"]["body"],
        "effective_from": "2999-01-01",
        "confirmed": True,
        "source": "test",
    }
    assert (
        client.post(f"{P}/rules/lec_bands", json=future, headers=token_for(*BUREAU)).status_code
        == 403
    )
    made = client.post(f"{P}/rules/lec_bands", json=future, headers=token_for("admin"))
    assert made.status_code == 201, made.text
    history = client.get(f"{P}/rules/lec_bands", headers=token_for("viewer")).json()
    assert history[-1]["effective_from"] == "2999-01-01" and len(history) >= 2
    # today's table is unchanged: what was judged stays judged by the version it used
    today = {t["kind"]: t for t in client.get(f"{P}/rules", headers=token_for("viewer")).json()}
    assert today["lec_bands"]["version"] == tables["lec_bands"]["version"]
    past = client.post(
        f"{P}/rules/lec_bands",
        json=future | {"effective_from": "2020-01-01"},
        headers=token_for("admin"),
    )
    assert past.status_code == 409
    overlap = client.post(
        f"{P}/rules/ls_bands",
        json={
            "body": [
                {"colour": "red", "low": 10, "low_inclusive": True},
                {"colour": "blue", "high": 12, "high_inclusive": True},
            ],
            "effective_from": "2999-01-01",
        },
        headers=token_for("admin"),
    )
    assert overlap.status_code == 422 and "重叠" in overlap.json()["message"]
    audited = session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.object_type == "rule_table")
    )
    assert audited >= 1
