"""Statutory reporting clocks of production-safety accidents on incidents."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from yingji.intake import service
from yingji.intake.models import Incident

from .conftest import report_body

URL = "/api/v1/reports"


def test_overdue_is_flagged_then_reports_are_recorded(client, token_for, spot, demo):
    duty = token_for("duty_officer")
    _, lon, lat = spot()
    inc = client.post(
        URL,
        json=report_body(lon, lat, text="工厂车间发生机械伤害事故", casualties={"deaths": 1}),
        headers=duty,
    ).json()
    iid = inc["incident_id"]
    with demo.session() as s:
        incident = s.get(Incident, iid)
        created = incident.created_at
        org = service.organisation(s)
        early = service.flag_overdue(s, org=org, now=created + timedelta(minutes=59))
        assert all(e["incident_id"] != iid for e in early)
        events = service.flag_overdue(s, org=org, now=created + timedelta(minutes=61))
        s.commit()
    mine = [e for e in events if e["incident_id"] == iid]
    assert mine and mine[0]["type"] == "incident.overdue"
    detail = client.get(f"/api/v1/incidents/{iid}", headers=duty).json()
    assert detail["overdue"] is True
    assert any(t["kind"] == "deadline_overdue" for t in detail["timeline"])
    # Times inside the messages read as Beijing time to the minute, never a raw ISO stamp;
    # the exact time travels in the entry's data.
    due = datetime.fromisoformat(detail["deadlines"][0]["due_at"])
    shown = due.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")
    for kind in ("deadlines_started", "deadline_overdue"):
        entry = next(t for t in detail["timeline"] if t["kind"] == kind)
        assert shown in entry["message"] and shown in entry["message_en"], entry
        assert "北京时间" in entry["message"] and "Beijing time" in entry["message_en"]
    started = next(t for t in detail["timeline"] if t["kind"] == "deadlines_started")
    assert started["data"]["deadlines"][0]["due_at"] == detail["deadlines"][0]["due_at"]
    iso = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
    assert not any(iso.search(t["message"] + t["message_en"]) for t in detail["timeline"])
    path = f"/api/v1/incidents/{iid}/deadlines"
    r = client.post(path, json={"step": "county", "note": "已电话报告区应急局"}, headers=duty)
    assert r.status_code == 200, r.text
    assert r.json()["deadlines_done"] == ["county"]
    again = client.post(path, json={"step": "county"}, headers=duty)
    assert again.status_code == 409
    assert client.post(path, json={"step": "state"}, headers=duty).status_code == 409
    assert client.post(path, json={"step": "city"}, headers=token_for("viewer")).status_code == 403


def test_no_deadlines_outside_production_safety(client, token_for, spot):
    duty = token_for("duty_officer")
    _, lon, lat = spot()
    inc = client.post(URL, json=report_body(lon, lat, text="暴雨"), headers=duty).json()
    detail = client.get(f"/api/v1/incidents/{inc['incident_id']}", headers=duty).json()
    assert detail["production_safety"] is False and detail["deadlines"] == []
