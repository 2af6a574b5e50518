"""Command's records follow an incident a duty officer merges into another: tasks, the plan's
activation, warnings and consultation move to the lead; two incidents that each run a plan
are not merged."""

from __future__ import annotations

from sqlalchemy import func, select

from yingji.command.models import Activation, Task


def _activate(client, duty, incident_id, plan):  # type: ignore[no-untyped-def]
    r = client.post(
        f"/api/v1/incidents/{incident_id}/activations", json={"plan_id": plan}, headers=duty
    )
    assert r.status_code == 201, r.text
    return r.json()


def _merge(client, duty, ids, lead):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": ids, "lead_id": lead, "reason": "同一起泄漏"},
        headers=duty,
    )


def test_two_incidents_each_running_a_plan_are_not_merged(  # type: ignore[no-untyped-def]
    client, token_for, make_incident, plan_id, demo
) -> None:
    duty = token_for("duty_officer")
    a, b = make_incident(), make_incident()
    _activate(client, duty, a["id"], plan_id("PLAN-HAZCHEM"))
    _activate(client, duty, b["id"], plan_id("PLAN-HAZCHEM"))
    with demo.session() as s:
        tasks_before = dict(
            s.execute(
                select(Task.incident_id, func.count(Task.id))
                .where(Task.incident_id.in_([a["id"], b["id"]]))
                .group_by(Task.incident_id)
            ).all()
        )
    r = _merge(client, duty, [a["id"], b["id"]], a["id"])
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["code"] == "plans_running"
    assert "预案" in body["message"] and "plan" in body["message_en"]
    detail = client.get(f"/api/v1/incidents/{b['id']}", headers=duty).json()
    assert detail["status"] == "responding" and detail["merged_into_id"] is None
    with demo.session() as s:
        tasks_after = dict(
            s.execute(
                select(Task.incident_id, func.count(Task.id))
                .where(Task.incident_id.in_([a["id"], b["id"]]))
                .group_by(Task.incident_id)
            ).all()
        )
    assert tasks_after == tasks_before


def test_tasks_plan_warnings_and_messages_follow_the_lead(  # type: ignore[no-untyped-def]
    client, token_for, make_incident, plan_id, demo
) -> None:
    duty = token_for("duty_officer")
    lead, merged = make_incident(), make_incident()
    act = _activate(client, duty, merged["id"], plan_id("PLAN-HAZCHEM"))
    n_tasks = len(act["tasks"])
    assert n_tasks
    w = client.post(
        f"/api/v1/incidents/{merged['id']}/warnings",
        json={
            "colour": "orange", "event": "危险化学品泄漏", "headline": "周边注意防护",
            "description": "泄漏", "area_desc": "周边 1 公里",
            "area": {"circle": {"radius_m": 1000}},
        },
        headers=duty,
    )  # fmt: skip
    assert w.status_code == 201, w.text
    m = client.post(
        f"/api/v1/incidents/{merged['id']}/messages", json={"text": "消防已到场"}, headers=duty
    )
    assert m.status_code == 201, m.text
    r = _merge(client, duty, [lead["id"], merged["id"]], lead["id"])
    assert r.status_code == 200, r.text
    tasks = client.get("/api/v1/tasks", params={"incident_id": lead["id"]}, headers=duty).json()
    assert tasks["total"] == n_tasks
    left = client.get("/api/v1/tasks", params={"incident_id": merged["id"]}, headers=duty).json()
    assert left["total"] == 0
    acts = client.get(f"/api/v1/incidents/{lead['id']}/activations", headers=duty).json()
    assert [x["id"] for x in acts] == [act["id"]]
    warnings = client.get("/api/v1/warnings", headers=duty).json()
    items = warnings["items"] if isinstance(warnings, dict) else warnings
    mine = next(x for x in items if x["id"] == w.json()["id"])
    assert mine["incident_id"] == lead["id"]
    msgs = client.get(f"/api/v1/incidents/{lead['id']}/messages", headers=duty).json()
    msgs = msgs["items"] if isinstance(msgs, dict) else msgs
    assert any(x["text"] == "消防已到场" for x in msgs)
    detail = client.get(f"/api/v1/incidents/{lead['id']}", headers=duty).json()
    followed = next(t for t in detail["timeline"] if t["kind"] == "records_followed")
    assert followed["data"]["moved"]["tasks"] == n_tasks
    with demo.session() as s:
        assert (
            s.scalar(select(Activation.incident_id).where(Activation.id == act["id"]))
            == (lead["id"])
        )
