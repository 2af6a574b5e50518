"""The proof: the 18 August ammonia-water tanker leak at the 殷家林 interchange, replayed
through the API with a clock the test controls.

Two reports (the 12345 hotline and a passing driver) merge into one incident, classified a
hazardous-chemicals accident and routed to 生产安全; the duty officer verifies it and starts
the hazardous-chemicals plan: tasks go to 消防, 水务, 生态环境, 农业农村 and the sub-district,
plus the drone watch and the experts; the surroundings are warned; every task is done in
time, the aftermath listed, the incident closed inside 3 hours, and the review's measured
times match the replayed clock to the second.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from lxml import etree

from tests.conftest import SHARED
from yingji.scheduling import clock as command_clock

BJT = timedelta(hours=8)
DAY = datetime(2026, 8, 18, tzinfo=UTC)


def bj(hh: int, mm: int, ss: int = 0) -> datetime:
    """A Beijing wall-clock time on 18 August as an aware UTC datetime."""
    return DAY + timedelta(hours=hh, minutes=mm, seconds=ss) - BJT


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def replay_clock(app, monkeypatch):  # type: ignore[no-untyped-def]
    """One clock for intake (writer and transitions) and command (views and timers)."""
    fake = Clock(bj(10, 0))
    monkeypatch.setattr(command_clock, "now", fake)
    monkeypatch.setattr("yingji.intake.views.utcnow", fake)
    monkeypatch.setattr(app.state.intake.writer, "clock", fake)
    return fake


def test_18_august_ammonia_tanker_leak(client, token_for, spots, replay_clock) -> None:
    clock = replay_clock
    duty = token_for("duty_officer")
    sub_code, lon, lat = spots[3]

    def at(hh: int, mm: int, ss: int = 0) -> None:
        clock.at = bj(hh, mm, ss)

    # 10:04 the 12345 hotline; 10:06 a passing driver, 110 m away: one incident
    at(10, 4)
    hotline = client.post("/api/v1/reports", headers=duty, json={
        "channel": "public", "source_id": f"12345-{uuid.uuid4().hex[:8]}",
        "occurred_at": bj(10, 0).isoformat(), "reported_at": bj(10, 4).isoformat(),
        "title": "殷家林立交罐车泄漏",
        "text": "京台高速殷家林立交一辆氨水罐车发生泄漏，现场有刺鼻气味",
        "location": {"lon": lon, "lat": lat, "crs": "wgs84"},
        "reporter": {"name": "12345 热线", "phone": "12345"},
    })  # fmt: skip
    assert hotline.status_code == 201, hotline.text
    at(10, 6, 30)
    driver = client.post("/api/v1/reports", headers=duty, json={
        "channel": "public", "source_id": f"driver-{uuid.uuid4().hex[:8]}",
        "occurred_at": bj(10, 1).isoformat(),
        "text": "我开车路过殷家林立交，看到一辆罐车在漏液体，氨味很大",
        "location": {"lon": lon, "lat": lat + 0.001, "crs": "wgs84"},
        "reporter": {"name": "过路司机", "phone": "13800001111"},
    })  # fmt: skip
    assert driver.status_code == 201, driver.text
    first, second = hotline.json(), driver.json()
    incident_id = first["incident_id"]
    assert second["incident_id"] == incident_id and second["merged"] is True
    assert first["category_code"]["code"] == "21A03"  # 危险化学品事故
    assert first["headquarters"]["code"] == "HQ-SAFETY"  # 生产安全

    # 10:09 verified by the duty officer
    at(10, 9)
    v = client.post(f"/api/v1/incidents/{incident_id}/transitions",
                    json={"to": "verified", "reason": "电话回访核实"}, headers=duty)  # fmt: skip
    assert v.status_code == 200, v.text

    # 10:12 the plan: suggested first, activated, 13 tasks at once
    at(10, 12)
    suggested = client.get(f"/api/v1/incidents/{incident_id}/plans/suggested", headers=duty)
    plan = suggested.json()[0]
    assert plan["plan"]["code"] == "PLAN-HAZCHEM" and plan["response_level"] == "IV"
    act = client.post(f"/api/v1/incidents/{incident_id}/activations",
                      json={"plan_id": plan["plan"]["id"]}, headers=duty)  # fmt: skip
    assert act.status_code == 201, act.text
    tasks = act.json()["tasks"]
    parties = {t["party"]["code"] for t in tasks}
    assert {"DEPT-FIRE", "DEPT-WATER", "DEPT-ECO", "DEPT-AGRI", sub_code} <= parties
    assert {"TEAM-SOC-05", "specialty:危化", "specialty:环境"} <= parties  # drone, experts

    def task(code: str, n: int = 0) -> dict:  # type: ignore[type-arg]
        return [t for t in tasks if t["party"]["code"] == code][n]

    def move(code: str, to: str, n: int = 0, who: dict | None = None, **extra) -> None:  # type: ignore[no-untyped-def, type-arg]
        r = client.post(f"/api/v1/tasks/{task(code, n)['id']}/status",
                        json={"to": to, **extra}, headers=who or duty)  # fmt: skip
        assert r.status_code == 200, (code, to, r.text)

    fire = token_for("department_operator", "DEPT-FIRE")
    water = token_for("department_operator", "DEPT-WATER")
    eco = token_for("department_operator", "DEPT-ECO")
    agri = token_for("department_operator", "DEPT-AGRI")
    em = token_for("department_operator", "DEPT-EM")
    street = token_for("subdistrict_operator", sub_code)

    at(10, 13)
    move("DEPT-FIRE", "accepted", who=fire)
    at(10, 14)
    move("DEPT-FIRE", "en_route", who=fire)
    warn = client.post(f"/api/v1/incidents/{incident_id}/warnings", headers=duty, json={
        "colour": "orange", "event": "危险化学品泄漏", "headline": "殷家林立交氨水泄漏预警",
        "description": "京台高速殷家林立交氨水罐车泄漏，正在处置。",
        "instruction": "周边 1 公里内村民关闭门窗，远离现场，听从指挥。",
        "area_desc": "殷家林立交周边 1 公里", "area": {"circle": {"radius_m": 1000}},
    })  # fmt: skip
    assert warn.status_code == 201, warn.text
    move("DEPT-EM", "completed", n=0, who=em, report="已发布周边预警")
    at(10, 15)
    move("DEPT-WATER", "accepted", who=water)
    at(10, 16)
    move(sub_code, "en_route", who=street)
    at(10, 24)
    move(sub_code, "on_scene", who=street)  # the first force on the scene
    at(10, 26)
    move("DEPT-FIRE", "on_scene", who=fire, report="已划定警戒区")
    move("DEPT-FIRE", "completed", who=fire)
    at(10, 27)
    move("TEAM-SOC-05", "on_scene", who=em, report="无人机升空，画面回传指挥中心")
    at(10, 30)
    msg = client.post(f"/api/v1/incidents/{incident_id}/messages", headers=duty, json={
        "kind": "decision", "text": "消防稀释低浓度氨水后排放；水务抽运罐内剩余氨水"})  # fmt: skip
    assert msg.status_code == 201
    at(10, 40)
    move("DEPT-ECO", "on_scene", n=0, who=eco)
    at(10, 45)
    move("specialty:危化", "completed", who=em, report="建议稀释排放")
    at(10, 50)
    move("DEPT-WATER", "on_scene", who=water)
    at(10, 55)
    move("DEPT-ECO", "completed", n=0, who=eco)
    at(11, 0)
    move("DEPT-EM", "completed", n=1, who=em, report="已向市应急局报告")
    at(11, 5)
    move("specialty:环境", "completed", who=em)
    at(11, 35)
    move("DEPT-FIRE", "completed", n=1, who=fire, report="泄漏氨水已稀释排放，罐体已堵漏")
    at(12, 5)
    move("DEPT-WATER", "completed", who=water, report="剩余氨水已抽调运离")
    at(12, 20)
    move("TEAM-SOC-05", "completed", who=em)
    at(12, 30)
    move("DEPT-ECO", "completed", n=1, who=eco, report="稀释液体排放不超标")
    at(12, 35)
    move("DEPT-AGRI", "completed", who=agri, report="周边土地未受污染")
    at(12, 38)
    move(sub_code, "completed", n=0, who=street)
    move(sub_code, "completed", n=1, who=street, report="周边村民情绪稳定")

    # 12:40 controlled, warning lifted; 12:45 aftermath listed; 12:50 closed
    at(12, 40)
    ctl = client.post(f"/api/v1/incidents/{incident_id}/transitions", headers=duty,
                      json={"to": "controlled", "reason": "泄漏已控制"})  # fmt: skip
    assert ctl.status_code == 200, ctl.text
    at(12, 41)
    lifted = client.post(f"/api/v1/warnings/{warn.json()['id']}/lift", headers=duty,
                         json={"reason": "险情解除"})  # fmt: skip
    assert lifted.status_code == 200
    at(12, 45)
    aftermath = client.post(f"/api/v1/incidents/{incident_id}/aftermath", headers=duty)
    assert aftermath.status_code == 201 and len(aftermath.json()) == 3
    at(12, 50)
    closed = client.post(f"/api/v1/incidents/{incident_id}/close", headers=duty,
                         json={"reason": "处置完毕"})  # fmt: skip
    assert closed.status_code == 200, closed.text

    # the review: measured from the replayed clock, to the second
    at(13, 10)
    saved = client.put(f"/api/v1/incidents/{incident_id}/review", headers=duty, json={
        "summary": "整个应急处置 3 小时内完成。",
        "lessons": [{"text": "无人机应在启动预案后 15 分钟内升空", "plan_id": plan["plan"]["id"]}],
    })  # fmt: skip
    assert saved.status_code == 200, saved.text
    m = saved.json()["measured"]
    assert m["report_to_verified_s"] == 5 * 60  # 10:04 → 10:09
    assert m["verified_to_activated_s"] == 3 * 60  # 10:09 → 10:12
    assert m["activated_to_first_on_scene_s"] == 12 * 60  # 10:12 → 10:24 (sub-district)
    assert m["total_s"] == 2 * 3600 + 46 * 60  # 10:04 → 12:50
    assert m["total_s"] < 3 * 3600
    assert m["tasks_total"] == 13 and m["tasks_completed"] == 13 and m["tasks_late"] == 0
    by_party = {p["party_code"]: p for p in m["per_party"]}
    assert by_party["DEPT-FIRE"]["to_on_scene_s"] == 14 * 60  # 10:12 → 10:26
    assert by_party["DEPT-FIRE"]["to_complete_s"] == 83 * 60  # 10:12 → 11:35
    assert by_party["DEPT-WATER"]["to_accept_s"] == 3 * 60
    assert by_party["DEPT-AGRI"]["to_complete_s"] == 143 * 60

    # a lesson opens a plan revision, tracked to the version that answers it
    rev = client.post(f"/api/v1/incidents/{incident_id}/review/lessons/0/revision", headers=duty)
    assert rev.status_code == 201 and rev.json()["status"] == "open"
    admin = token_for("admin")
    text = client.get(f"/api/v1/plans/{plan['plan']['id']}/yaml", headers=admin).text
    revised = text.replace("启动无人机空中监测", "15 分钟内启动无人机空中监测")
    assert revised != text
    new = client.post(
        "/api/v1/plans:import", headers={**admin, "Content-Type": "application/yaml"},
        content=revised.encode(),
    )  # fmt: skip
    assert new.status_code == 201, new.text
    revisions = client.get(f"/api/v1/plans/{plan['plan']['id']}/revisions", headers=duty).json()
    mine = next(r for r in revisions if r["id"] == rev.json()["id"])
    assert mine["status"] == "done" and mine["to_version"] == new.json()["version"]

    # the record: timeline, no escalation (every deadline met), CAP valid, PDF rendered
    detail = client.get(f"/api/v1/incidents/{incident_id}", headers=duty).json()
    assert detail["status"] == "closed" and detail["report_count"] == 2
    kinds = [e["kind"] for e in detail["timeline"]]
    for k in ("plan_activated", "task_assigned", "task_completed", "warning_issued",
              "warning_lifted", "decision", "aftermath_listed", "review"):  # fmt: skip
        assert k in kinds, k
    assert "task_escalated" not in kinds
    schema = etree.XMLSchema(etree.parse(str(SHARED / "data" / "cap" / "cap12.xsd")))
    for mtype in ("Alert", "Cancel"):
        ident = next(x["identifier"] for x in lifted.json()["messages"] if x["msg_type"] == mtype)
        xml = client.get(f"/api/v1/warnings/{warn.json()['id']}/cap",
                         params={"identifier": ident}, headers=duty).content  # fmt: skip
        assert schema.validate(etree.fromstring(xml))
        assert f"_20260818{'1014' if mtype == 'Alert' else '1241'}00" in ident
    pdf = client.get(f"/api/v1/incidents/{incident_id}/report.pdf", headers=duty)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content and len(pdf.content) > 5000
