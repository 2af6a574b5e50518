"""Consultation in the incident room, live; joint duty rosters, handovers and sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from yingji.command import duty as duty_rules
from yingji.command.models import DutyShift


def test_room_messages_decisions_and_attachments(
    client, token_for, make_incident, plan_id, demo
) -> None:
    inc = make_incident()
    duty = token_for("duty_officer")
    client.post(f"/api/v1/incidents/{inc['id']}/activations",
                json={"plan_id": plan_id("PLAN-HAZCHEM")}, headers=duty)  # fmt: skip
    eco = token_for("department_operator", "DEPT-ECO")
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/messages",
        json={"text": "下游 500 米采样氨氮 12 mg/L，建议继续稀释",
              "attachments": [{"name": "采样报告.pdf", "url": "https://files.example/1.pdf",
                               "content_type": "application/pdf"}]},
        headers=eco,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["attachments"][0]["name"] == "采样报告.pdf"
    # a department cannot decide; a commander can
    no = client.post(f"/api/v1/incidents/{inc['id']}/messages",
                     json={"kind": "decision", "text": "x"}, headers=eco)  # fmt: skip
    assert no.status_code == 403
    d = client.post(f"/api/v1/incidents/{inc['id']}/messages",
                    json={"kind": "decision", "text": "稀释后排放，水务抽运剩余氨水"},
                    headers=duty)  # fmt: skip
    assert d.status_code == 201
    # a department with no task on the incident is not in the room
    housing = token_for("department_operator", "DEPT-HOUSING")
    assert client.get(f"/api/v1/incidents/{inc['id']}/messages", headers=housing).status_code \
        == 403  # fmt: skip
    listed = client.get(f"/api/v1/incidents/{inc['id']}/messages", headers=eco).json()
    assert [m["kind"] for m in listed["items"]] == ["message", "decision"]
    decisions = client.get(f"/api/v1/incidents/{inc['id']}/messages",
                           params={"kind": "decision"}, headers=eco).json()  # fmt: skip
    assert decisions["total"] == 1
    timeline = client.get(f"/api/v1/incidents/{inc['id']}", headers=duty).json()["timeline"]
    assert any(e["kind"] == "decision" and "稀释后排放" in e["message"] for e in timeline)
    # live: the messages are stream events, readable from the database on reconnect
    from yingji.intake import service as intake

    with demo.session() as s:
        events = intake.read_events(s, after_id=0, limit=100_000)
    mine = [e for e in events if e["incident_id"] == inc["id"] and e["type"].startswith("consult")]
    assert [e["type"] for e in mine] == ["consult.message", "consult.decision"]
    assert mine[0]["payload"]["message"]["text"].startswith("下游 500 米")
    json.dumps(mine[0])  # serialisable for SSE


def test_on_duty_rule() -> None:
    t0 = datetime(2026, 7, 1, 0, tzinfo=UTC)
    shifts = [
        DutyShift(department_code="DEPT-EM", starts_at=t0, ends_at=t0 + timedelta(hours=8),
                  person_name="甲"),
        DutyShift(department_code="DEPT-EM", starts_at=t0 + timedelta(hours=8),
                  ends_at=t0 + timedelta(hours=16), person_name="乙"),
    ]  # fmt: skip
    assert [s.person_name for s in duty_rules.on_duty(shifts, t0)["DEPT-EM"]] == ["甲"]
    at8 = duty_rules.on_duty(shifts, t0 + timedelta(hours=8))
    assert [s.person_name for s in at8["DEPT-EM"]] == ["乙"]  # the end is exclusive
    assert duty_rules.on_duty(shifts, t0 + timedelta(hours=16)) == {}


def test_roster_now_handover_and_joint_session(client, token_for) -> None:
    now = datetime.now(UTC)
    water = token_for("department_operator", "DEPT-WATER")
    shifts = [
        {"department_code": "DEPT-WATER", "shift_name": "白班", "person_name": "王水务",
         "phone": "13700000001", "starts_at": (now - timedelta(hours=2)).isoformat(),
         "ends_at": (now + timedelta(hours=6)).isoformat()},
        {"department_code": "DEPT-WATER", "shift_name": "夜班", "person_name": "赵水务",
         "starts_at": (now + timedelta(hours=6)).isoformat(),
         "ends_at": (now + timedelta(hours=18)).isoformat()},
    ]  # fmt: skip
    r = client.post("/api/v1/duty/shifts", json={"shifts": shifts}, headers=water)
    assert r.status_code == 201, r.text
    other = client.post(
        "/api/v1/duty/shifts",
        json={"shifts": [{**shifts[0], "department_code": "DEPT-FIRE"}]}, headers=water,
    )  # fmt: skip
    assert other.status_code == 403
    bad = client.post("/api/v1/duty/shifts", json={"shifts": [{**shifts[0],
                      "ends_at": shifts[0]["starts_at"]}]}, headers=water)  # fmt: skip
    assert bad.status_code == 422
    board = client.get("/api/v1/duty/now", headers=token_for("viewer")).json()
    row = next(d for d in board if d["department"]["code"] == "DEPT-WATER")
    assert [p["person_name"] for p in row["on_duty"]] == ["王水务"]
    later = client.get("/api/v1/duty/now", params={"at": (now + timedelta(hours=7)).isoformat()},
                       headers=token_for("viewer")).json()  # fmt: skip
    assert [
        p["person_name"]
        for p in next(d for d in later if d["department"]["code"] == "DEPT-WATER")["on_duty"]
    ] == ["赵水务"]
    handover = {
        "department_code": "DEPT-WATER", "from_person": "王水务", "to_person": "赵水务",
        "notes": "经十路下穿积水已排完", "open_items": ["泵车 3 号待修"],
    }  # fmt: skip
    h = client.post("/api/v1/duty/handovers", json=handover, headers=water)
    assert h.status_code == 201 and h.json()["open_items"] == ["泵车 3 号待修"]
    duty = token_for("duty_officer")
    s = client.post("/api/v1/duty/sessions", json={
        "title": "汛期联合值守", "department_codes": ["DEPT-EM", "DEPT-WATER", "DEPT-FIRE"]},
        headers=duty)  # fmt: skip
    assert s.status_code == 201, s.text
    sid = s.json()["id"]
    assert client.post("/api/v1/duty/sessions", json={"title": "x", "department_codes": ["NOPE"]},
                       headers=duty).status_code == 422  # fmt: skip
    client.post(f"/api/v1/duty/sessions/{sid}/log", json={"text": "水务：全区积水点 3 处"},
                headers=water)  # fmt: skip
    client.post(f"/api/v1/duty/sessions/{sid}/log", json={"text": "已推送属地力量"}, headers=duty)
    eco = token_for("department_operator", "DEPT-ECO")
    assert client.post(f"/api/v1/duty/sessions/{sid}/log", json={"text": "x"},
                       headers=eco).status_code == 403  # fmt: skip
    ended = client.post(f"/api/v1/duty/sessions/{sid}/end", headers=duty).json()
    assert ended["ended_at"] and [e["text"] for e in ended["log"]] == [
        "水务：全区积水点 3 处", "已推送属地力量"]  # fmt: skip
    assert client.post(f"/api/v1/duty/sessions/{sid}/log", json={"text": "late"},
                       headers=duty).status_code == 409  # fmt: skip
