"""POST /api/v1/reports and friends, through the HTTP layer on the demo district."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yingji.audit.models import AuditEntry
from yingji.geo.distance import LocalFrame
from yingji.geo.transform import wgs84_to_gcj02
from yingji.intake.models import Report, TimelineEntry

from .conftest import counts, report_body

URL = "/api/v1/reports"


def test_one_report_becomes_a_located_classified_graded_routed_incident(client, token_for, spot):
    sub, lon, lat = spot()
    body = report_body(lon, lat, casualties={"deaths": 0, "serious_injuries": 2})
    raw = json.dumps(body, ensure_ascii=False, indent=1)  # kept exactly as sent
    r = client.post(URL, content=raw.encode(), headers=token_for("duty_officer"))
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["merged"] is False and out["replayed"] is False
    assert out["subdistrict"]["code"] == sub
    assert out["category_code"]["code"] == "21C01"
    assert out["category_code"]["display"].startswith("事故灾难 › 安全事故 › 火灾事故")
    assert out["headquarters"] == {"code": "HQ-FIRE", "name": out["headquarters"]["name"]}
    assert out["level"] == "IV" and out["needs_assessment"] is False
    detail = client.get(
        f"/api/v1/incidents/{out['incident_id']}", headers=token_for("duty_officer")
    ).json()
    kinds = [t["kind"] for t in detail["timeline"]]
    for kind in ("report_received", "located", "classified", "graded", "merge_checked",
                 "screening", "routed", "pushed"):  # fmt: skip
        assert kind in kinds, kinds
    assert all(t["duration_ms"] is not None for t in detail["timeline"])
    targets = {(x["target_type"], x["target_code"]) for x in detail["routing"]}
    assert ("headquarters", "HQ-FIRE") in targets
    assert ("department", "DEPT-FIRE") in targets
    assert ("local_force", sub) in targets
    assert detail["reports"][0]["raw_body"] == raw
    assert detail["status"] == "reported" and detail["production_safety"] is True
    assert [d["step"] for d in detail["deadlines"]] == ["county", "city"]


def test_a_reports_steps_are_one_record_shown_step_by_step(client, token_for, spot, demo):
    """A report's pipeline is stored as one timeline record and the API shows its steps in
    order, told apart by ``seq``; a later move (verify) is a record of its own."""
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    duty = token_for("duty_officer")
    first = client.post(URL, json=report_body(lon, lat), headers=duty).json()
    second = client.post(URL, json=report_body(*frame.to_lonlat(50, 0)), headers=duty).json()
    assert second["merged"] is True and second["incident_id"] == first["incident_id"]
    incident_id = first["incident_id"]
    path = f"/api/v1/incidents/{incident_id}"
    assert client.post(f"{path}/transitions", json={"to": "verified"}, headers=duty).is_success
    timeline = client.get(path, headers=duty).json()["timeline"]
    by_report: dict[int | None, list[str]] = {}
    for t in timeline:
        by_report.setdefault(t["report_id"], []).append(t["kind"])
    assert by_report[first["report_id"]] == [
        "report_received", "located", "classified", "graded", "merge_checked", "screening",
        "routed", "deadlines_started", "pushed",
    ]  # fmt: skip
    assert by_report[second["report_id"]] == ["report_received", "merged", "pushed"]
    assert timeline[-1]["kind"] == "screened" and timeline[-1]["report_id"] is None
    assert len({(t["id"], t["seq"]) for t in timeline}) == len(timeline)
    with demo.session() as s:
        rows = s.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident_id)
            .order_by(TimelineEntry.id)
        ).all()
    assert [(r.kind, r.report_id) for r in rows][:2] == [
        ("pipeline", first["report_id"]),
        ("pipeline", second["report_id"]),
    ]
    assert len(rows) == 3  # two pipeline records and the verification
    assert rows[0].message.startswith("收到") and "定位" in rows[0].message


def test_five_reports_of_one_fire_make_one_incident(client, token_for, spot, demo):
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    t0 = datetime.now(UTC) - timedelta(minutes=30)
    headers = token_for("duty_officer")
    ids, merged = set(), []
    for k, (dx, minutes, deaths) in enumerate(
        [(0, 0, None), (120, 10, 1), (-150, -20, 3), (60, 40, 2), (250, 5, None)]
    ):
        plon, plat = frame.to_lonlat(dx, dx / 2)
        extra = {"casualties": {"deaths": deaths}} if deaths is not None else {}
        body = report_body(
            plon, plat, occurred_at=(t0 + timedelta(minutes=minutes)).isoformat(), **extra
        )
        if k == 3:  # a GCJ-02 position from a web map
            glon, glat = wgs84_to_gcj02(plon, plat)
            body["location"] = {"lon": glon, "lat": glat, "crs": "gcj02"}
        r = client.post(URL, json=body, headers=headers)
        assert r.status_code == 201, r.text
        ids.add(r.json()["incident_id"])
        merged.append(r.json()["merged"])
    assert len(ids) == 1 and merged == [False, True, True, True, True]
    detail = client.get(f"/api/v1/incidents/{ids.pop()}", headers=headers).json()
    assert detail["report_count"] == 5
    assert detail["casualties"]["deaths"] == 3  # the maximum, not the sum
    assert detail["level"] == "III"  # 3 deaths: 较大; the level rose by merging
    reasons = [t["message"] for t in detail["timeline"] if t["kind"] == "merged"]
    assert len(reasons) == 4 and all("并入" in m and "米" in m for m in reasons)
    assert any(t["kind"] == "level_raised" for t in detail["timeline"])
    assert detail["occurred_at"].startswith((t0 - timedelta(minutes=20)).isoformat()[:16])


def test_far_or_late_or_other_category_reports_are_new_incidents(client, token_for, spot):
    _, lon, lat = spot()
    frame = LocalFrame.around(lon, lat)
    headers = token_for("duty_officer")
    first = client.post(URL, json=report_body(lon, lat), headers=headers).json()
    far = client.post(URL, json=report_body(*frame.to_lonlat(600, 0)), headers=headers).json()
    late = client.post(
        URL,
        json=report_body(
            lon, lat, occurred_at=(datetime.now(UTC) - timedelta(hours=4)).isoformat()
        ),
        headers=headers,
    ).json()
    other = client.post(
        URL, json=report_body(lon, lat, text="楼下广场舞噪音扰民"), headers=headers
    ).json()
    ids = {first["incident_id"], far["incident_id"], late["incident_id"], other["incident_id"]}
    assert len(ids) == 4


def test_replay_is_idempotent_and_a_reused_source_id_conflicts(client, token_for, spot, demo):
    _, lon, lat = spot()
    headers = token_for("duty_officer")
    body = report_body(lon, lat)
    first = client.post(URL, json=body, headers=headers)
    before = counts(demo)
    # same body, other spacing and key order: still the same report
    again = client.post(
        URL, content=json.dumps(dict(reversed(body.items())), indent=2), headers=headers
    )
    assert again.status_code == 200
    assert again.json()["report_id"] == first.json()["report_id"]
    assert again.json()["incident_id"] == first.json()["incident_id"]
    assert again.json()["replayed"] is True
    changed = client.post(URL, json={**body, "text": body["text"] + "！"}, headers=headers)
    assert changed.status_code == 409 and changed.json()["code"] == "source_id_reused"
    assert counts(demo) == before


def test_a_source_id_is_the_senders_own_per_channel(client, token_for, spot, demo):
    """Two channels may use the same ``source_id`` for different reports: a batch holding
    a replay on one channel and a new report under the same id on another answers the first
    as a replay and takes the second (the replay lookup asks for both lists at once)."""
    _, lon, lat = spot()
    headers = token_for("duty_officer")
    stored = report_body(lon, lat, channel="public")
    assert client.post(URL, json=stored, headers=headers).status_code == 201
    same_id_elsewhere = report_body(lon, lat, channel="grid", source_id=stored["source_id"])
    r = client.post(
        "/api/v1/reports:batch",
        json={"reports": [stored, same_id_elsewhere]},
        headers=token_for("admin"),
    )
    assert r.status_code == 200, r.text
    replay, new = r.json()["items"]
    assert replay["status"] == 200 and replay["result"]["replayed"] is True
    assert new["status"] == 201 and new["result"]["report_id"] != replay["result"]["report_id"]
    with demo.session() as s:
        kept = s.scalars(select(Report.channel).where(Report.source_id == stored["source_id"]))
        assert sorted(kept) == ["grid", "public"]


def test_trusted_notice_skips_screening(client, token_for, spot):
    _, lon, lat = spot()
    r = client.post(
        URL,
        json=report_body(lon, lat, channel="notice", category_code="11A02", text="市防指通知"),
        headers=token_for("duty_officer"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "verified"
    assert r.json()["category_code"]["source"] == "given"
    assert r.json()["headquarters"]["code"] == "HQ-FLOOD"


def test_address_without_coordinates_is_matched_to_the_grid(client, token_for, demo):
    from yingji.grid.models import GridPoint

    with demo.session() as s:
        point = s.scalars(select(GridPoint).order_by(GridPoint.code).limit(1)).one()
    body = report_body(0, 0, text="楼道里有人闻到煤气味")
    del body["location"]
    body["address"] = f"{point.name}门口"
    r = client.post(URL, json=body, headers=token_for("duty_officer"))
    assert r.status_code == 201, r.text
    assert r.json()["subdistrict"]["code"] == point.subdistrict_code
    body2 = {**body, "source_id": body["source_id"] + "x", "address": "不存在的地方甲乙丙"}
    bad = client.post(URL, json=body2, headers=token_for("duty_officer"))
    assert bad.status_code == 422 and bad.json()["code"] == "address_not_found"


def test_batch_answers_per_item(client, token_for, spot, demo):
    _, lon, lat = spot()
    good = report_body(lon, lat, text="山体滑坡，道路被堵")
    bad_channel = {**report_body(lon, lat), "channel": "fax"}
    outside = report_body(100.0, 30.0)
    r = client.post(
        "/api/v1/reports:batch",
        json={"reports": [good, bad_channel, outside, good]},
        headers=token_for("duty_officer"),
    )
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["status"] for i in items] == [201, 422, 422, 200]
    assert items[1]["error"]["field"] == "reports.1.channel"
    assert items[2]["error"]["code"] == "outside_district"
    assert items[3]["result"]["report_id"] == items[0]["result"]["report_id"]
    too_many = client.post(
        "/api/v1/reports:batch", json={"reports": [good] * 1001}, headers=token_for("admin")
    )
    assert too_many.status_code in (413, 422)


def test_integration_tokens_are_bound_to_their_channels(client, admin_headers, spot):
    _, lon, lat = spot()
    resp = client.post(
        "/api/v1/integration-tokens",
        json={"name": "12345 热线", "channels": ["public"]},
        headers=admin_headers,
    )
    machine = {"Authorization": f"Bearer {resp.json()['token']}"}
    ok = client.post(URL, json=report_body(lon, lat), headers=machine)
    assert ok.status_code == 201, ok.text
    wrong = client.post(URL, json=report_body(lon, lat, channel="sensor"), headers=machine)
    assert wrong.status_code == 403
    assert client.get("/api/v1/incidents", headers=machine).status_code == 403


def test_grid_worker_reports_only_on_the_grid_channel(client, token_for, spot):
    sub, lon, lat = spot()
    worker = token_for("grid_worker", sub)
    assert (
        client.post(URL, json=report_body(lon, lat, channel="grid"), headers=worker).status_code
        == 201
    )
    assert client.post(URL, json=report_body(lon, lat), headers=worker).status_code == 403


def test_lifecycle_roles_audit_and_illegal_moves(client, token_for, spot, demo):
    _, lon, lat = spot()
    duty = token_for("duty_officer")
    inc = client.post(URL, json=report_body(lon, lat, text="化工厂车间爆炸"), headers=duty).json()
    path = f"/api/v1/incidents/{inc['incident_id']}/transitions"
    viewer = client.post(path, json={"to": "verified"}, headers=token_for("viewer"))
    assert viewer.status_code == 403
    hq = client.post(path, json={"to": "verified"}, headers=token_for("hq_commander", "HQ-SAFETY"))
    assert hq.status_code == 403  # screening is the duty officer's
    skip = client.post(path, json={"to": "closed"}, headers=duty)
    assert skip.status_code == 409 and skip.json()["code"] == "illegal_transition"
    assert "已接报" in skip.json()["message"]
    for to in ("verified", "responding", "controlled", "closed"):
        r = client.post(path, json={"to": to, "reason": "现场核实"}, headers=duty)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == to
    after = client.post(path, json={"to": "responding"}, headers=duty)
    assert after.status_code == 409
    with demo.session() as s:
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(
                    AuditEntry.object_type == "incident",
                    AuditEntry.object_id == str(inc["incident_id"]),
                )
                .order_by(AuditEntry.id)
            )
        )
    assert actions == ["status:verified", "status:responding", "status:controlled", "status:closed"]
    unknown = client.post(path, json={"to": "exploded"}, headers=duty)
    assert unknown.status_code == 422


def test_false_alarm(client, token_for, spot):
    _, lon, lat = spot()
    duty = token_for("duty_officer")
    inc = client.post(URL, json=report_body(lon, lat), headers=duty).json()
    r = client.post(
        f"/api/v1/incidents/{inc['incident_id']}/transitions",
        json={"to": "false_alarm", "reason": "回访确认为烧烤烟雾"},
        headers=duty,
    )
    assert r.status_code == 200 and r.json()["status"] == "false_alarm"
    # a false alarm is closed: a new report there starts a new incident
    again = client.post(URL, json=report_body(lon, lat), headers=duty).json()
    assert again["incident_id"] != inc["incident_id"]


def test_level_raise_needs_a_reason_and_only_goes_up(client, token_for, spot):
    _, lon, lat = spot()
    duty = token_for("duty_officer")
    inc = client.post(URL, json=report_body(lon, lat, text="学校食堂集体腹泻"), headers=duty).json()
    path = f"/api/v1/incidents/{inc['incident_id']}/level"
    assert client.post(path, json={"level": "II"}, headers=duty).status_code == 422
    r = client.post(path, json={"level": "II", "reason": "涉及学生 60 余人"}, headers=duty)
    assert r.status_code == 200 and r.json()["level"] == "II"
    down = client.post(path, json={"level": "III", "reason": "降级"}, headers=duty)
    assert down.status_code == 409 and down.json()["code"] == "level_not_higher"
    detail = client.get(f"/api/v1/incidents/{inc['incident_id']}", headers=duty).json()
    assert ("committee", detail["routing"][-1]["target_code"]) == (
        detail["routing"][-1]["target_type"],
        detail["routing"][-1]["target_code"],
    )
    assert any(x["target_type"] == "committee" for x in detail["routing"])


def test_list_filters_and_territory(client, token_for, spot):
    sub, lon, lat = spot()
    duty = token_for("duty_officer")
    inc = client.post(
        URL, json=report_body(lon, lat, channel="internet", text="网传某地发生泥石流"), headers=duty
    ).json()
    got = client.get(
        "/api/v1/incidents",
        params={"category": "12B", "subdistrict": sub, "channel": "internet", "status": "reported"},
        headers=duty,
    ).json()
    assert inc["incident_id"] in [i["id"] for i in got["items"]]
    assert {i["category"]["code"][:3] for i in got["items"]} == {"12B"}
    none = client.get(
        "/api/v1/incidents", params={"channel": "cap", "subdistrict": sub}, headers=duty
    )
    assert inc["incident_id"] not in [i["id"] for i in none.json()["items"]]
    other = "370103001" if sub != "370103001" else "370103002"
    local = token_for("subdistrict_operator", other)
    assert client.get(f"/api/v1/incidents/{inc['incident_id']}", headers=local).status_code == 404
    mine = client.get("/api/v1/incidents", headers=token_for("subdistrict_operator", sub)).json()
    assert all(i["subdistrict"]["code"] == sub for i in mine["items"])
    assert client.get("/api/v1/incidents", params={"level": "V"}, headers=duty).status_code == 422


def test_concurrent_reports_never_lose_one(client, token_for, spot, demo):
    """Twenty reports of one event at once: one incident, twenty reports (group commit)."""
    _, lon, lat = spot()
    duty = token_for("duty_officer")
    bodies = [report_body(lon, lat, text="工地塔吊倒了，压到工棚") for _ in range(20)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda b: client.post(URL, json=b, headers=duty), bodies))
    assert all(r.status_code == 201 for r in results)
    assert len({r.json()["incident_id"] for r in results}) == 1
    with demo.session() as s:
        n = s.scalar(
            select(Report.id).where(Report.incident_id == results[0].json()["incident_id"]).limit(1)
        )
    assert n is not None


def test_reports_either_side_of_a_merge_cell_edge_merge(client, token_for, spot):
    """Candidates are read by merge cell: 200 m apart across a cell's edge is still one event."""
    from yingji.intake.merge import CELL_DEG, merge_key

    _, lon, lat = spot()
    edge = round(lon / CELL_DEG) * CELL_DEG
    west, east = edge - 0.0009, edge + 0.0013  # about 80 m and 115 m from the edge at 36.6° N
    assert merge_key("21C", west, lat) != merge_key("21C", east, lat)
    duty = token_for("duty_officer")
    first = client.post(URL, json=report_body(west, lat), headers=duty)
    second = client.post(URL, json=report_body(east, lat), headers=duty)
    assert first.status_code == 201 and second.status_code == 201, second.text
    assert second.json()["merged"] is True
    assert second.json()["incident_id"] == first.json()["incident_id"]
