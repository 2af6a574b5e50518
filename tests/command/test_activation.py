"""Activation: suggestions, the frozen snapshot, tasks created at once, level raises."""

from __future__ import annotations

from yingji.command.activation import service as activation_service

YAML = "application/yaml"


def _activate(client, headers, incident_id: int, plan: int, **extra):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/incidents/{incident_id}/activations", json={"plan_id": plan, **extra},
        headers=headers,
    )  # fmt: skip


def test_suggestions_rank_the_hazchem_plan_first(client, token_for, make_incident) -> None:
    inc = make_incident()
    r = client.get(
        f"/api/v1/incidents/{inc['id']}/plans/suggested", headers=token_for("duty_officer")
    )
    assert r.status_code == 200, r.text
    best = r.json()[0]
    assert best["plan"]["code"] == "PLAN-HAZCHEM"
    assert best["response_level"] == "IV"
    assert "危险化学品泄漏" in best["conditions_met"]
    assert best["task_count"] == 13
    codes = [s["plan"]["code"] for s in r.json()]
    assert "PLAN-FLOOD" not in codes  # other categories do not apply


def test_activation_creates_every_task_and_puts_it_on_the_timeline(
    client, token_for, make_incident, plan_id
) -> None:
    inc = make_incident()
    duty = token_for("duty_officer")
    r = _activate(client, duty, inc["id"], plan_id("PLAN-HAZCHEM"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["response_level"] == "IV" and body["plan_version"] >= 1
    tasks = body["tasks"]
    assert len(tasks) == 13
    parties = {(t["party"]["type"], t["party"]["code"]) for t in tasks}
    assert ("subdistrict", inc["subdistrict"]) in parties  # "the incident's sub-district"
    assert ("team", "TEAM-SOC-05") in parties and ("expert", "specialty:危化") in parties
    fire = [t for t in tasks if t["party"]["code"] == "DEPT-FIRE"]
    assert [t["title"] for t in fire] == [
        "赶赴现场，划定警戒区",
        "对泄漏的低浓度氨水稀释排放并堵漏",
    ]
    assert all(t["status"] == "assigned" and t["deadline_at"] for t in tasks)
    drone = next(t for t in tasks if t["party"]["code"] == "TEAM-SOC-05")
    assert drone["scope"]["type"] == "department"  # a social team is organised by the office
    detail = client.get(f"/api/v1/incidents/{inc['id']}", headers=duty).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "plan_activated" in kinds and kinds.count("task_assigned") == len(parties)
    assigned = [e for e in detail["timeline"] if e["kind"] == "task_assigned"]
    assert sorted(i for e in assigned for i in e["data"]["task_ids"]) == sorted(
        t["id"] for t in tasks
    )
    assert detail["status"] == "responding"


def test_snapshot_is_frozen_against_later_edits(
    client, token_for, admin_headers, make_incident, plan_id
) -> None:
    pid = plan_id("PLAN-GEOHAZARD")
    inc = make_incident(text="山体滑坡，道路被埋", category_code="12B02")
    r = _activate(client, token_for("duty_officer"), inc["id"], pid)
    assert r.status_code == 201, r.text
    activation = r.json()
    exported = client.get(f"/api/v1/plans/{pid}/yaml", headers=admin_headers).text
    edited = exported.replace("地质灾害应急调查，划定危险区", "修订后的调查任务")
    assert edited != exported
    saved = client.post(
        "/api/v1/plans:import", content=edited.encode(),
        headers={**admin_headers, "Content-Type": YAML},
    )  # fmt: skip
    assert saved.json()["version"] == activation["plan_version"] + 1
    snap = client.get(
        f"/api/v1/activations/{activation['id']}/snapshot", headers=admin_headers
    ).json()
    titles = [
        a["title"] for r in snap["response_levels"] for p in r["parties"] for a in p["actions"]
    ]
    assert "地质灾害应急调查，划定危险区" in titles and "修订后的调查任务" not in titles
    # raising the level adds level III's tasks from the frozen version, not the new one
    raised = client.post(
        f"/api/v1/activations/{activation['id']}/level", json={"level": "III"},
        headers=token_for("duty_officer"),
    )  # fmt: skip
    assert raised.status_code == 200, raised.text
    assert raised.json()["response_level"] == "III"
    assert {t["party"]["code"] for t in raised.json()["tasks"]} == {
        "DEPT-HOUSING", "DEPT-TRANSPORT"
    }  # fmt: skip
    listed = client.get(
        "/api/v1/tasks", params={"incident_id": inc["id"]}, headers=admin_headers
    ).json()
    assert listed["total"] == 6
    assert all("修订后" not in t["title"] for t in listed["items"])


def test_level_raised_in_intake_moves_the_response(
    client, token_for, make_incident, plan_id, demo
) -> None:
    inc = make_incident()
    duty = token_for("duty_officer")
    a = _activate(client, duty, inc["id"], plan_id("PLAN-HAZCHEM")).json()
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/level", json={"level": "II", "reason": "发现中毒人员"},
        headers=duty,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    with demo.session() as s:
        from yingji.core.db import utcnow

        activation_service.sync_levels(s, now=utcnow())
        s.commit()
    acts = client.get(f"/api/v1/incidents/{inc['id']}/activations", headers=duty).json()
    assert acts[0]["id"] == a["id"] and acts[0]["response_level"] == "II"
    listed = client.get("/api/v1/tasks", params={"incident_id": inc["id"]}, headers=duty).json()
    assert listed["total"] == 13 + 4 + 2  # IV, III and II parties


def test_who_may_activate(client, token_for, make_incident, plan_id) -> None:
    pid = plan_id("PLAN-HAZCHEM")
    inc = make_incident()
    assert _activate(client, token_for("department_operator", "DEPT-FIRE"), inc["id"], pid)\
        .status_code == 403  # fmt: skip
    assert _activate(client, token_for("hq_commander", "HQ-FLOOD"), inc["id"], pid)\
        .status_code == 403  # fmt: skip
    ok = _activate(client, token_for("hq_commander", "HQ-SAFETY"), inc["id"], pid)
    assert ok.status_code == 201, ok.text
    again = _activate(client, token_for("duty_officer"), inc["id"], pid)
    assert again.status_code == 409 and again.json()["code"] == "plan_already_active"


def test_unverified_incident_cannot_start_a_plan(client, token_for, make_incident, plan_id) -> None:
    inc = make_incident(verify=False)
    r = _activate(client, token_for("duty_officer"), inc["id"], plan_id("PLAN-HAZCHEM"))
    assert r.status_code == 409 and r.json()["code"] == "incident_not_verified"
    missing = _activate(client, token_for("duty_officer"), 99_999_999, plan_id("PLAN-HAZCHEM"))
    assert missing.status_code == 404
