"""Tasks: each party sees and moves its own; refusal, reassignment, resources, closing."""

from __future__ import annotations

import pytest


@pytest.fixture
def activated(client, token_for, make_incident, plan_id):  # type: ignore[no-untyped-def]
    inc = make_incident()
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/activations",
        json={"plan_id": plan_id("PLAN-HAZCHEM")}, headers=token_for("duty_officer"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return inc, r.json()["tasks"]


def _move(client, headers, task_id: int, to: str, **extra):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/tasks/{task_id}/status", json={"to": to, **extra}, headers=headers)


def test_each_party_sees_only_its_own_tasks(client, token_for, activated) -> None:
    inc, tasks = activated
    fire = token_for("department_operator", "DEPT-FIRE")
    mine = client.get("/api/v1/tasks", params={"incident_id": inc["id"]}, headers=fire).json()
    assert mine["total"] == 2
    assert all(t["scope"]["code"] == "DEPT-FIRE" for t in mine["items"])
    sub = token_for("subdistrict_operator", inc["subdistrict"])
    theirs = client.get("/api/v1/tasks", params={"incident_id": inc["id"]}, headers=sub).json()
    assert theirs["total"] == 2 and {t["party"]["type"] for t in theirs["items"]} == {"subdistrict"}
    water_task = next(t for t in tasks if t["party"]["code"] == "DEPT-WATER")
    assert client.get(f"/api/v1/tasks/{water_task['id']}", headers=fire).status_code == 403
    assert _move(client, fire, water_task["id"], "accepted").status_code == 403
    assert client.get("/api/v1/tasks", headers=token_for("grid_worker", "370103003")).status_code \
        == 403  # fmt: skip


def test_progress_accept_en_route_on_scene_completed(client, token_for, activated, demo) -> None:
    inc, tasks = activated
    fire = token_for("department_operator", "DEPT-FIRE")
    task = next(t for t in tasks if t["party"]["code"] == "DEPT-FIRE")
    for to in ("accepted", "en_route", "on_scene"):
        r = _move(client, fire, task["id"], to)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == to and r.json()[f"{to}_at"]
    done = _move(client, fire, task["id"], "completed", report="警戒区已划定")
    assert done.json()["status"] == "completed" and done.json()["report"] == "警戒区已划定"
    back = _move(client, fire, task["id"], "accepted")
    assert back.status_code == 409 and back.json()["code"] == "illegal_transition"
    timeline = client.get(
        f"/api/v1/incidents/{inc['id']}", headers=token_for("duty_officer")
    ).json()["timeline"]
    kinds = [
        e["kind"]
        for e in timeline
        if e["data"].get("task_id") == task["id"] or task["id"] in e["data"].get("task_ids", [])
    ]
    assert kinds == ["task_assigned", "task_accepted", "task_en_route", "task_on_scene",
                     "task_completed"]  # fmt: skip
    from sqlalchemy import select

    from yingji.audit.models import AuditEntry
    from yingji.scheduling.models import Timer

    with demo.session() as s:
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "task", AuditEntry.object_id == str(task["id"]))
                .order_by(AuditEntry.id)
            )
        )
        timer = s.scalar(  # the table is shared: the task's deadline timer
            select(Timer).where(Timer.ref_id == task["id"], Timer.kind == "task_deadline")
        )
    assert actions == ["create", "task:accepted", "task:en_route", "task:on_scene",
                       "task:completed"]  # fmt: skip
    assert timer.outcome == "cancelled"  # the deadline (on scene) was met: no escalation


def test_skipping_forward_stamps_acceptance_only(client, token_for, activated) -> None:
    inc, tasks = activated
    sub = token_for("subdistrict_operator", inc["subdistrict"])
    task = next(t for t in tasks if t["party"]["type"] == "subdistrict")
    r = _move(client, sub, task["id"], "on_scene")
    assert r.status_code == 200
    assert r.json()["accepted_at"] == r.json()["on_scene_at"]
    assert r.json()["en_route_at"] is None  # not claimed when not reported


def test_refuse_needs_a_reason_then_reassign(client, token_for, activated) -> None:
    _inc, tasks = activated
    agri = token_for("department_operator", "DEPT-AGRI")
    task = next(t for t in tasks if t["party"]["code"] == "DEPT-AGRI")
    assert _move(client, agri, task["id"], "refused").status_code == 422
    r = _move(client, agri, task["id"], "refused", reason="无土壤检测设备")
    assert r.status_code == 200 and r.json()["refused_reason"] == "无土壤检测设备"
    assert client.post(
        f"/api/v1/tasks/{task['id']}/reassign",
        json={"party_type": "department", "party_code": "DEPT-ECO", "reason": "改由生态环境"},
        headers=agri,
    ).status_code == 403  # fmt: skip
    new = client.post(
        f"/api/v1/tasks/{task['id']}/reassign",
        json={"party_type": "department", "party_code": "DEPT-ECO", "reason": "改由生态环境"},
        headers=token_for("duty_officer"),
    )  # fmt: skip
    assert new.status_code == 201, new.text
    assert new.json()["party"]["code"] == "DEPT-ECO" and new.json()["reassigned_from"] == task["id"]
    old = client.get(f"/api/v1/tasks/{task['id']}", headers=token_for("duty_officer")).json()
    assert old["status"] == "reassigned"
    eco = token_for("department_operator", "DEPT-ECO")
    assert _move(client, eco, new.json()["id"], "accepted").status_code == 200


def test_attach_recommended_resources(client, token_for, activated, make_incident, plan_id) -> None:
    inc, tasks = activated
    duty = token_for("duty_officer")
    rec = client.get(f"/api/v1/incidents/{inc['id']}/recommendations", headers=duty)
    assert rec.status_code == 200, rec.text
    teams = rec.json()["results"]["teams"]
    assert teams, rec.json()
    task = next(t for t in tasks if t["party"]["code"] == "DEPT-FIRE")
    r = client.post(
        f"/api/v1/tasks/{task['id']}/resources",
        json={"items": [{"kind": "teams", "id": teams[0]["id"], "name": teams[0]["name"]}]},
        headers=duty,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["attached"][0]["id"] == teams[0]["id"]
    # 出动: the team left standby for this incident; it cannot be sent twice
    team = client.get(f"/api/v1/resources/teams/{teams[0]['id']}", headers=duty).json()
    assert team["status"] == "deployed"
    other = next(t for t in tasks if t["party"]["code"] == "DEPT-WATER")
    again = client.post(
        f"/api/v1/tasks/{other['id']}/resources",
        json={"items": [{"kind": "teams", "id": teams[0]["id"]}]}, headers=duty,
    )  # fmt: skip
    assert again.status_code == 200  # the same incident: already out for it, not re-sent
    busy_incident = make_incident()
    busy = client.post(
        f"/api/v1/incidents/{busy_incident['id']}/activations",
        json={"plan_id": plan_id("PLAN-HAZCHEM")}, headers=duty,
    ).json()["tasks"][0]  # fmt: skip
    refused = client.post(
        f"/api/v1/tasks/{busy['id']}/resources",
        json={"items": [{"kind": "teams", "id": teams[0]["id"]}]}, headers=duty,
    )  # fmt: skip
    assert refused.status_code == 409 and refused.json()["code"] == "team_status"


def test_close_needs_aftermath_and_finished_tasks(client, token_for, activated) -> None:
    inc, tasks = activated
    duty = token_for("duty_officer")
    url = f"/api/v1/incidents/{inc['id']}/transitions"
    ctl = client.post(url, json={"to": "controlled", "reason": "已控制"}, headers=duty)
    assert ctl.status_code == 200, ctl.text
    r = client.post(f"/api/v1/incidents/{inc['id']}/close", json={"reason": "处置完毕"},
                    headers=duty)  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "aftermath_missing"
    # intake's own lifecycle endpoint asks the same question
    via_intake = client.post(url, json={"to": "closed", "reason": "结案"}, headers=duty)
    assert via_intake.status_code == 409 and via_intake.json()["code"] == "aftermath_missing"
    team = client.get(
        f"/api/v1/incidents/{inc['id']}/recommendations", params={"kinds": "teams"},
        headers=duty,
    ).json()["results"]["teams"][0]  # fmt: skip
    sent = client.post(
        f"/api/v1/tasks/{tasks[0]['id']}/resources",
        json={"items": [{"kind": "teams", "id": team["id"]}]}, headers=duty,
    )  # fmt: skip
    assert sent.status_code == 200, sent.text
    after = client.post(f"/api/v1/incidents/{inc['id']}/aftermath", headers=duty)
    assert after.status_code == 201, after.text
    assert {t["phase"] for t in after.json()} == {"aftermath"} and len(after.json()) == 3
    again = client.post(f"/api/v1/incidents/{inc['id']}/aftermath", headers=duty)
    assert again.json() == []  # listed once
    r = client.post(f"/api/v1/incidents/{inc['id']}/close", json={"reason": "处置完毕"},
                    headers=duty)  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "tasks_open"
    for t in tasks:
        assert _move(client, duty, t["id"], "completed").status_code == 200
    r = client.post(f"/api/v1/incidents/{inc['id']}/close", json={"reason": "处置完毕"},
                    headers=duty)  # fmt: skip
    assert r.status_code == 200, r.text
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=duty).json()
    assert detail["status"] == "closed"
    acts = client.get(f"/api/v1/incidents/{inc['id']}/activations", headers=duty).json()
    assert all(a["status"] == "ended" for a in acts)
    back = client.get(f"/api/v1/resources/teams/{team['id']}", headers=duty).json()
    assert back["status"] == "standby"  # 收队 with the incident


def test_closing_through_intake_settles_the_response(client, token_for, activated, demo) -> None:
    inc, tasks = activated
    duty = token_for("duty_officer")
    team = client.get(
        f"/api/v1/incidents/{inc['id']}/recommendations", params={"kinds": "teams"},
        headers=duty,
    ).json()["results"]["teams"][0]  # fmt: skip
    client.post(f"/api/v1/tasks/{tasks[0]['id']}/resources",
                json={"items": [{"kind": "teams", "id": team["id"]}]}, headers=duty)  # fmt: skip
    for t in tasks:
        client.post(f"/api/v1/tasks/{t['id']}/status", json={"to": "completed"}, headers=duty)
    client.post(f"/api/v1/incidents/{inc['id']}/aftermath", headers=duty)
    url = f"/api/v1/incidents/{inc['id']}/transitions"
    assert client.post(url, json={"to": "controlled"}, headers=duty).status_code == 200
    closed = client.post(url, json={"to": "closed", "reason": "结案"}, headers=duty)
    assert closed.status_code == 200, closed.text  # allowed now: aftermath listed, tasks done
    from yingji.command.activation import service as activation_service
    from yingji.core.db import utcnow

    with demo.session() as s:  # what the timer loop runs every few seconds
        activation_service.sync_levels(s, now=utcnow())
        s.commit()
    acts = client.get(f"/api/v1/incidents/{inc['id']}/activations", headers=duty).json()
    assert [a["status"] for a in acts] == ["ended"]
    back = client.get(f"/api/v1/resources/teams/{team['id']}", headers=duty).json()
    assert back["status"] == "standby"
