"""Issue 13 through HTTP: one scene is one incident across channels and categories, the merge
policy by category (an admin edits it, the next report follows), everyday calls classified."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from yingji.audit.models import AuditEntry
from yingji.geo.distance import LocalFrame

from .conftest import report_body

URL = "/api/v1/reports"
POLICY = "/api/v1/intake/merge-policy"


def _at(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def test_three_channels_calls_about_one_crash_end_in_one_incident(client, token_for, spot):
    """120 (an injured person), 119 (a burning car) and 122 (a crash) at one crossroads within
    minutes, classified apart: one incident, the gravest category leads, each routes."""
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    duty = token_for("duty_officer")
    calls = [
        ("public", (0, 0), 9, "英雄山路与二环南路交叉口有人被撞倒在地，腿上流血，需要急救", None),
        ("alarm", (40, 30), 7, "二环南路英雄山路路口一辆轿车着火了，车起火冒黑烟", None),
        ("grid", (-60, 20), 6, "英雄山路二环南路交叉口两车相撞，交通事故", {"source": "cell"}),
    ]
    answers = []
    for channel, (dx, dy), ago, text, loc_extra in calls:
        plon, plat = frame.to_lonlat(dx, dy)
        body = report_body(plon, plat, text=text, channel=channel, occurred_at=_at(ago))
        if loc_extra:
            body["location"].update(loc_extra)
        r = client.post(URL, json=body, headers=duty)
        assert r.status_code == 201, r.text
        answers.append(r.json())
    assert len({a["incident_id"] for a in answers}) == 1
    assert [a["merged"] for a in answers] == [False, True, True]
    detail = client.get(f"/api/v1/incidents/{answers[0]['incident_id']}", headers=duty).json()
    codes = {detail["category"]["code"]} | {c["code"] for c in detail["secondary_categories"]}
    assert any(c.startswith("21B") for c in codes) and any(c.startswith("21C") for c in codes)
    # the lead is the gravest: a car fire before a crash before an injured person
    assert detail["category"]["code"].startswith("21C")
    routed = {(t["target_type"], t["target_code"]) for t in detail["routing"]}
    assert ("headquarters", "HQ-FIRE") in routed and ("headquarters", "HQ-SAFETY") in routed
    merged = [t for t in detail["timeline"] if t["kind"] == "merged"]
    assert len(merged) == 2
    # the reason names the rule, the distance and the time apart
    assert all("规则" in t["message"] and "米" in t["message"] for t in merged)
    assert all("发生时间相差" in t["message"] for t in merged)
    assert {t["data"]["distance_m"] is not None for t in merged} == {True}
    assert any(t["kind"] == "categories_changed" for t in detail["timeline"])


def test_two_falls_in_two_streets_an_hour_apart_stay_two(client, token_for, spot):
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    duty = token_for("duty_officer")
    text = "老人在经十路家门口摔倒了，起不来"
    first = client.post(
        URL, json=report_body(lon, lat, text=text, occurred_at=_at(70)), headers=duty
    ).json()
    second = client.post(
        URL,
        json=report_body(*frame.to_lonlat(250, 0), text="纬二路有人摔倒受伤", occurred_at=_at(8)),
        headers=duty,
    ).json()
    assert first["category_code"]["code"] == "91A02"
    assert second["category_code"]["code"] == "91A02"
    assert first["incident_id"] != second["incident_id"] and second["merged"] is False


def test_a_cell_position_widens_the_radius(client, token_for, spot):
    """Two crash calls 250 m apart: beyond a road accident's 150 m from GPS, within it when
    one position came from the cell network (a few hundred metres uncertain)."""
    duty = token_for("duty_officer")
    outcomes = []
    for source in ("gps", "cell"):
        _, lon, lat = spot()
        frame = LocalFrame.around(lon, lat)
        a = client.post(URL, json=report_body(lon, lat, text="两车追尾", occurred_at=_at(5)),
                        headers=duty).json()  # fmt: skip
        body = report_body(*frame.to_lonlat(250, 0), text="这里发生车祸", occurred_at=_at(3))
        body["location"]["source"] = source
        b = client.post(URL, json=body, headers=duty).json()
        outcomes.append(a["incident_id"] == b["incident_id"])
    assert outcomes == [False, True]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("我父亲突然胸口疼，呼吸困难", "91A01"),
        ("有个老人晕倒在公交站，叫不醒", "91A01"),
        ("奶奶在卫生间滑倒了，头磕破了", "91A02"),
        ("楼道里的烟感报警一直响，没看到烟也没有火", "92A01"),
        ("单元里闻到很浓的煤气味", "21D03"),
        ("电梯困人，有三个人被关在电梯里", "21D04"),
        ("整个小区停电了", "21D02"),
        ("路边水管爆了，路面冒水", "21D01"),
        ("大风把路边大树刮倒了，压住了一辆车", "93A01"),
        ("家里进了一条蛇", "94A01"),
        ("工地夜间施工噪音太大，吵得睡不着", "95A01"),
        ("老人走失了，穿蓝色外套", "99A99"),
    ],
)
def test_everyday_calls_are_classified_with_their_deciding_words(
    client, token_for, spot, text, code
):
    _, lon, lat = spot()
    duty = token_for("duty_officer")
    r = client.post(URL, json=report_body(lon, lat, text=text), headers=duty)
    assert r.status_code == 201, r.text
    category = r.json()["category_code"]
    assert category["code"] == code, category
    assert category["matched"] and 0 < category["confidence"] < 1
    assert category["emergency"] is (not code.startswith("9"))
    detail = client.get(f"/api/v1/incidents/{r.json()['incident_id']}", headers=duty).json()
    assert detail["routing"], "an everyday call still routes to a department"


def _policy(client, admin):  # type: ignore[no-untyped-def]
    r = client.get(POLICY, headers=admin)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_admin_edits_the_policy_and_the_next_report_follows_it(client, token_for, spot, demo):
    admin = token_for("admin")
    duty = token_for("duty_officer")
    before = _policy(client, admin)
    doc = before["policy"]
    edited = {**doc, "categories": [
        {**c, "radius_m": 400.0} if c["prefix"] == "91A" else c for c in doc["categories"]
    ]}  # fmt: skip
    try:
        r = client.put(POLICY, json={**edited, "reason": "跌倒求助常报在小区两头"}, headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["source"] == "database"
        assert r.json()["revision"] == before["revision"] + 1
        _, lon, lat = spot()
        frame = LocalFrame.around(lon, lat)
        a = client.post(URL, json=report_body(lon, lat, text="有人摔倒了"), headers=duty).json()
        b = client.post(URL, json=report_body(*frame.to_lonlat(300, 0), text="老人跌倒受伤"),
                        headers=duty).json()  # fmt: skip
        assert b["merged"] is True and b["incident_id"] == a["incident_id"]
        with demo.session() as s:
            entry = s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "intake.merge_policy.replace")
                .order_by(AuditEntry.id.desc())
            ).first()
        assert entry is not None and entry.reason == "跌倒求助常报在小区两头"
    finally:
        r = client.put(POLICY, json=doc, headers=admin)
        assert r.status_code == 200, r.text
    # restored: 300 m apart is two falls again
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    a = client.post(URL, json=report_body(lon, lat, text="有人摔倒了"), headers=duty).json()
    b = client.post(URL, json=report_body(*frame.to_lonlat(300, 0), text="老人跌倒受伤"),
                    headers=duty).json()  # fmt: skip
    assert b["merged"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["categories"][0].update(radius_m=0), "categories.0.radius_m"),
        (lambda d: d["categories"][0].update(radius_m=3000.5), "categories.0.radius_m"),
        (lambda d: d["categories"][0].update(window_s=73 * 3600), "categories.0.window_s"),
        (lambda d: d["categories"][0].update(prefix="77X"), "categories.0.prefix"),
        (lambda d: d["scenes"][0].update(b="A1"), "scenes.0.b"),
        (lambda d: d.update(categories=[*d["categories"], d["categories"][0]]), None),
        (lambda d: d.update(max_widening_m=-1), "max_widening_m"),
    ],
)
def test_bad_policy_input_is_refused_with_the_error_shape(client, token_for, change, field):
    admin = token_for("admin")
    before = _policy(client, admin)
    doc = before["policy"]
    change(doc)
    r = client.put(POLICY, json=doc, headers=admin)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] and body["message"] and body["message_en"]
    if field is not None:
        assert field in {e["field"] for e in body["errors"]}, body
    assert _policy(client, admin)["revision"] == before["revision"]


def test_only_an_admin_may_change_the_policy(client, token_for):
    duty = token_for("duty_officer")
    doc = client.get(POLICY, headers=duty).json()["policy"]
    r = client.put(POLICY, json=doc, headers=duty)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
