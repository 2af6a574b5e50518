"""Command on the shared scheduler: overdue tasks escalate to the office then the committee,
each timer once; a completed task cancels its timers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from yingji.command.models import Task
from yingji.scheduling import timers
from yingji.scheduling.models import Timer


@pytest.fixture
def one_task(client, token_for, make_incident, plan_id):  # type: ignore[no-untyped-def]
    inc = make_incident(text="城区一处住宅楼起火，浓烟很大", category_code="21C01")
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/activations",
        json={"plan_id": plan_id("PLAN-URBAN-FIRE")}, headers=token_for("duty_officer"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return inc, r.json()["tasks"]


def test_overdue_task_escalates_to_office_then_committee(client, token_for, one_task, demo):  # type: ignore[no-untyped-def]
    inc, tasks = one_task
    task = next(t for t in tasks if t["party"]["code"] == "DEPT-FIRE")
    other = next(t for t in tasks if t["party"]["code"] == "DEPT-HEALTH")
    duty = token_for("duty_officer")
    # the health bureau arrives in time: its deadline timer must not escalate it
    assert client.post(f"/api/v1/tasks/{other['id']}/status", json={"to": "on_scene"},
                       headers=duty).status_code == 200  # fmt: skip
    with demo.session() as s:
        due = s.scalar(select(Task.deadline_at).where(Task.id == task["id"]))
    timers.run_due(demo, worker="t", now=due + timedelta(seconds=1))
    first = client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()
    assert first["escalation_stage"] == 1
    assert client.get(f"/api/v1/tasks/{other['id']}", headers=duty).json()[
        "escalation_stage"] == 0  # fmt: skip
    timers.run_due(demo, worker="t", now=due + timedelta(minutes=31))
    second = client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()
    assert second["escalation_stage"] == 2
    timeline = client.get(f"/api/v1/incidents/{inc['id']}", headers=duty).json()["timeline"]
    esc = [e for e in timeline if e["kind"] == "task_escalated"
           and e["data"]["task_id"] == task["id"]]  # fmt: skip
    assert [e["data"]["stage"] for e in esc] == [1, 2]
    assert "城市消防指挥部办公室" in esc[0]["message"] and "应急管理委员会" in esc[1]["message"]
    assert all(e["result"] == "overdue" for e in esc)
    # firing again changes nothing: each timer fired once
    timers.run_due(demo, worker="t2", now=due + timedelta(hours=5))
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()[
        "escalation_stage"] == 2  # fmt: skip


def test_completed_task_cancels_its_timers(client, token_for, one_task, demo):  # type: ignore[no-untyped-def]
    _inc, tasks = one_task
    task = tasks[-1]
    duty = token_for("duty_officer")
    client.post(f"/api/v1/tasks/{task['id']}/status", json={"to": "completed"}, headers=duty)
    with demo.session() as s:
        rows = list(s.scalars(select(Timer).where(Timer.ref_id == task["id"],
                                                  Timer.kind.like("task_%"))))  # fmt: skip
    assert rows and all(r.outcome == "cancelled" and r.fired_at is not None for r in rows)
