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


def _due(demo, iid: int) -> datetime | None:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return s.get(Incident, iid).deadline_due_at


def test_the_due_time_follows_the_reports_made_and_the_level(client, token_for, spot, demo):
    """``deadline_due_at`` is the earliest report not yet made: it moves on as reports are
    recorded and as the level rises, and the overdue check reads incidents past it only."""
    duty = token_for("duty_officer")
    _, lon, lat = spot()
    body = report_body(lon, lat, text="工厂车间发生机械伤害事故", casualties={"deaths": 1})
    iid = client.post(URL, json=body, headers=duty).json()["incident_id"]
    detail = client.get(f"/api/v1/incidents/{iid}", headers=duty).json()
    county, city = (datetime.fromisoformat(d["due_at"]) for d in detail["deadlines"])
    assert _due(demo, iid) == county
    path = f"/api/v1/incidents/{iid}/deadlines"
    assert client.post(path, json={"step": "county"}, headers=duty).status_code == 200
    assert _due(demo, iid) == city
    with demo.session() as s:  # past the county deadline, which was met: nothing to flag
        org = service.organisation(s)
        assert all(
            e["incident_id"] != iid
            for e in service.flag_overdue(s, org=org, now=county + timedelta(minutes=1))
        )
        s.rollback()
    # a graver accident reported on the same spot raises the level: the clocks reach higher
    graver = report_body(lon, lat, text="工厂车间发生机械伤害事故", casualties={"deaths": 4})
    assert client.post(URL, json=graver, headers=duty).json()["incident_id"] == iid
    detail = client.get(f"/api/v1/incidents/{iid}", headers=duty).json()
    assert [d["step"] for d in detail["deadlines"]] == ["county", "city", "province"]
    assert _due(demo, iid) == city  # county made, city still the earliest pending
    for step in ("city", "province"):
        assert client.post(path, json={"step": step}, headers=duty).status_code == 200
    assert _due(demo, iid) is None  # every report made: never read by the check again
    with demo.session() as s:
        late = service.flag_overdue(s, org=org, now=city + timedelta(days=30))
        assert all(e["incident_id"] != iid for e in late)
        s.rollback()


def test_the_overdue_check_reads_only_incidents_past_their_due_time(demo, spot):
    """The check's query goes through the due-time index, not every open incident."""
    from sqlalchemy import event

    seen: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    with demo.session() as s:
        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            service.flag_overdue(s, org=service.organisation(s), now=datetime.now(ZoneInfo("UTC")))
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        s.rollback()
    query = next(q for q in seen if "FROM intake_incident" in q)
    assert "deadline_due_at <" in query
