"""Statutory reporting clocks of production-safety accidents on incidents."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event

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


def _accident(client, duty, spot, deaths: int = 1) -> tuple[int, float, float]:  # type: ignore[no-untyped-def]
    _, lon, lat = spot()
    body = report_body(lon, lat, text="工厂车间发生机械伤害事故", casualties={"deaths": deaths})
    return client.post(URL, json=body, headers=duty).json()["incident_id"], lon, lat


def _dues(client, duty, iid: int) -> list[datetime]:  # type: ignore[no-untyped-def]
    detail = client.get(f"/api/v1/incidents/{iid}", headers=duty).json()
    return [datetime.fromisoformat(d["due_at"]) for d in detail["deadlines"]]


def test_the_due_time_follows_the_reports_made(client, token_for, spot, demo):
    """``deadline_due_at`` is the earliest report not yet made, and none once all are."""
    duty = token_for("duty_officer")
    iid, _, _ = _accident(client, duty, spot)
    county, city = _dues(client, duty, iid)
    assert _due(demo, iid) == county
    path = f"/api/v1/incidents/{iid}/deadlines"
    assert client.post(path, json={"step": "county"}, headers=duty).status_code == 200
    assert _due(demo, iid) == city
    assert client.post(path, json={"step": "city"}, headers=duty).status_code == 200
    assert _due(demo, iid) is None  # never read by the check again
    with demo.session() as s:
        late = service.flag_overdue(s, org=service.organisation(s), now=city + timedelta(days=30))
        assert all(e["incident_id"] != iid for e in late)
        s.rollback()


def test_a_level_raised_by_merging_watches_the_new_report(client, token_for, spot, demo):
    """Every report of a level-IV accident made, a graver report merged in raises it to III:
    the province must now be told, and the check watches for it."""
    duty = token_for("duty_officer")
    iid, lon, lat = _accident(client, duty, spot)
    path = f"/api/v1/incidents/{iid}/deadlines"
    for step in ("county", "city"):
        assert client.post(path, json={"step": step}, headers=duty).status_code == 200
    assert _due(demo, iid) is None
    graver = report_body(lon, lat, text="工厂车间发生机械伤害事故", casualties={"deaths": 4})
    assert client.post(URL, json=graver, headers=duty).json()["incident_id"] == iid
    *_, province = _dues(client, duty, iid)
    assert _due(demo, iid) == province


def test_a_level_raised_by_hand_watches_the_new_report(client, token_for, spot, demo):
    duty = token_for("duty_officer")
    iid, _, _ = _accident(client, duty, spot)
    path = f"/api/v1/incidents/{iid}/deadlines"
    for step in ("county", "city"):
        assert client.post(path, json={"step": step}, headers=duty).status_code == 200
    raised = client.post(
        f"/api/v1/incidents/{iid}/level", json={"level": "II", "reason": "伤亡扩大"}, headers=duty
    )
    assert raised.status_code == 200, raised.text
    *_, province, state = _dues(client, duty, iid)
    assert _due(demo, iid) == province < state


def test_flagged_and_ended_incidents_are_not_watched(client, token_for, spot, demo):
    duty = token_for("duty_officer")
    flagged, _, _ = _accident(client, duty, spot)
    (county, city) = _dues(client, duty, flagged)
    with demo.session() as s:
        events = service.flag_overdue(
            s, org=service.organisation(s), now=county + timedelta(minutes=1)
        )
        s.commit()
    assert any(e["incident_id"] == flagged for e in events)
    assert _due(demo, flagged) is None  # flagged: nothing more to flag until a report is made
    path = f"/api/v1/incidents/{flagged}/deadlines"
    assert client.post(path, json={"step": "county"}, headers=duty).status_code == 200
    assert _due(demo, flagged) == city  # made late, no longer overdue: the next one is watched
    ended, _, _ = _accident(client, duty, spot)
    moved = client.post(
        f"/api/v1/incidents/{ended}/transitions", json={"to": "false_alarm"}, headers=duty
    )
    assert moved.status_code == 200, moved.text
    assert _due(demo, ended) is None


def test_incidents_written_without_a_due_time_are_watched_again_at_start(
    client, token_for, spot, demo
):
    """A process of an older version (during an upgrade) writes no due time; the next start
    gives those incidents theirs."""
    duty = token_for("duty_officer")
    iid, _, _ = _accident(client, duty, spot)
    county, _ = _dues(client, duty, iid)
    with demo.session() as s:
        s.get(Incident, iid).deadline_due_at = None
        s.commit()
    with demo.session() as s:
        assert service.watch_unwatched_deadlines(s) >= 1
        s.commit()
    assert _due(demo, iid) == county


def test_the_overdue_check_is_a_range_of_the_due_time_index(demo):
    """Its query goes through the due-time index, not every open incident (SQLite's
    planner preferred the status index when the status was in the query)."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM intake_incident" in statement and "deadline_due_at" in statement:
            seen.append((statement, parameters))

    with demo.session() as s:
        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            service.flag_overdue(s, org=service.organisation(s), now=datetime.now(UTC))
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        s.rollback()
        statement, parameters = seen[0]
        cursor = s.connection().connection.driver_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "ix_intake_incident_deadline_due_at (deadline_due_at<?)" in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
            plan = " ".join(str(row[0]) for row in cursor.fetchall())
            assert "ix_intake_incident_deadline_due_at" in plan, plan
        s.rollback()
