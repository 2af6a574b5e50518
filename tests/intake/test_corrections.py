"""A duty officer's corrections through the API, as an officer uses them: merge incidents,
split a report out, move a report, re-classify, re-locate; each audited, on the timeline
and the stream, kept as a labelled example and exported in the corpus format."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.intake.models import Correction, Routing, StreamEvent
from yingji.intake.schemas import ReportIn

from .conftest import report_body

FIRE = "幸福小区3号楼着火了，浓烟很大"

pytestmark = pytest.mark.usefixtures("retire_new_incidents")


@pytest.fixture
def duty(token_for):  # type: ignore[no-untyped-def]
    return token_for("duty_officer")


def _report(client, duty, lon, lat, text=FIRE, **over):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/reports", json=report_body(lon, lat, text=text, **over), headers=duty)
    assert r.status_code == 201, r.text
    return r.json()


def _detail(client, duty, incident_id):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=duty)
    assert r.status_code == 200, r.text
    return r.json()


def _kinds(detail) -> list[str]:  # type: ignore[no-untyped-def]
    return [t["kind"] for t in detail["timeline"]]


def _events(demo, incident_id, after=0):  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return [
            (e.type, e.headquarters_code, e.subdistrict_code, e.payload)
            for e in s.scalars(
                select(StreamEvent)
                .where(StreamEvent.incident_id == incident_id, StreamEvent.id > after)
                .order_by(StreamEvent.id)
            )
        ]


def _last_event(demo) -> int:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return int(s.scalar(select(func.max(StreamEvent.id))) or 0)


def _audits(demo, incident_id, action) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return list(
            s.scalars(
                select(AuditEntry).where(
                    AuditEntry.object_type == "incident",
                    AuditEntry.object_id == str(incident_id),
                    AuditEntry.action == action,
                )
            )
        )


def test_merge_moves_reports_never_doubles_counts_and_the_level_only_rises(
    client, duty, quiet_spot, demo
):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon1, lat1, casualties={"injuries": 2})["incident_id"]
    _report(client, duty, lon1 + 0.0003, lat1, casualties={"injuries": 1})  # joins A
    b = _report(client, duty, lon2, lat2, casualties={"injuries": 3, "deaths": 3})["incident_id"]
    assert a != b
    assert _detail(client, duty, a)["report_count"] == 2
    assert _detail(client, duty, b)["level"] == "III"  # 3 deaths: 较大
    after = _last_event(demo)
    r = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [a, b], "lead_id": a, "reason": "同一火灾，119 与 12345 各报一次"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    lead = out["incident"]
    assert lead["id"] == a
    assert lead["report_count"] == 3  # 2 + 1: every report once
    assert lead["casualties"]["injuries"] == 3  # the larger count stands, not 2 + 1 + 3
    assert lead["casualties"]["deaths"] == 3
    assert lead["level"] == "III"  # rose to the graver of the two
    (other,) = out["others"]
    assert other["id"] == b and other["status"] == "merged" and other["merged_into_id"] == a
    assert other["report_count"] == 0
    assert out["correction"]["kind"] == "merge"
    assert out["correction"]["actor"]["name"]
    detail = _detail(client, duty, a)
    assert len(detail["reports"]) == 3
    assert "incidents_merged" in _kinds(detail)
    merged_step = next(t for t in detail["timeline"] if t["kind"] == "incidents_merged")
    assert merged_step["data"]["reason"].startswith("同一火灾")
    assert "merged_into" in _kinds(_detail(client, duty, b))
    assert next(e[0] for e in _events(demo, a, after)) == "incident.combined"
    away = [e for e in _events(demo, b, after) if e[0] == "incident.merged_away"]
    assert away and away[0][3]["merged_into"] == a and away[0][3]["status"] == "merged"
    assert _audits(demo, a, "merge") and _audits(demo, b, "merged_into")
    assert _audits(demo, a, "merge")[0].reason.startswith("同一火灾")
    # the merged-away incident leaves the open lists; nothing can be merged into it again
    listed = client.get("/api/v1/incidents", params={"status": "reported"}, headers=duty).json()
    assert b not in [i["id"] for i in listed["items"]]
    again = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [a, b], "lead_id": b, "reason": "再合并"},
        headers=duty,
    )
    assert again.status_code == 409 and again.json()["code"] == "incident_merged"


def test_merge_keeps_the_level_an_officer_set(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon1, lat1)["incident_id"]
    b = _report(client, duty, lon2, lat2)["incident_id"]
    r = client.post(
        f"/api/v1/incidents/{b}/level", json={"level": "II", "reason": "周边学校"}, headers=duty
    )
    assert r.status_code == 200, r.text
    r = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [b, a], "lead_id": a, "reason": "同一事件"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    lead = r.json()["incident"]
    assert lead["level"] == "II" and lead["level_floor"] == "II"
    # routed to the committee now that the lead is II
    routes = _detail(client, duty, a)["routing"]
    assert any(x["target_type"] == "committee" and x["withdrawn_at"] is None for x in routes)


def test_split_a_report_out_recounts_both(client, duty, quiet_spot, demo):  # type: ignore[no-untyped-def]
    _, lon, lat = quiet_spot()
    a = _report(client, duty, lon, lat, casualties={"injuries": 1})["incident_id"]
    second = _report(client, duty, lon + 0.0004, lat, casualties={"deaths": 3})
    assert second["incident_id"] == a and second["merged"]
    assert _detail(client, duty, a)["level"] == "III"
    after = _last_event(demo)
    r = client.post(
        f"/api/v1/incidents/{a}/reports/{second['report_id']}/split",
        json={"reason": "另一栋楼的火情，不是同一起"},
        headers=duty,
    )
    assert r.status_code == 201, r.text
    out = r.json()
    new, (old,) = out["incident"], out["others"]
    assert new["id"] != a and new["report_count"] == 1
    assert new["casualties"]["deaths"] == 3 and new["level"] == "III"
    assert new["subdistrict"] is not None and new["status"] == "reported"
    assert old["id"] == a and old["report_count"] == 1
    assert old["casualties"]["deaths"] is None and old["casualties"]["injuries"] == 1
    assert old["level"] == "IV"  # the deaths left with the report, and no officer set III
    old_detail = _detail(client, duty, a)
    assert [x["id"] for x in old_detail["reports"]] != [second["report_id"]]
    assert "report_split_out" in _kinds(old_detail) and "level_lowered" in _kinds(old_detail)
    new_detail = _detail(client, duty, new["id"])
    assert [x["id"] for x in new_detail["reports"]] == [second["report_id"]]
    assert "split_from" in _kinds(new_detail)
    # the report's pipeline record went with it
    assert all(t["report_id"] != second["report_id"] for t in old_detail["timeline"])
    assert any(t["kind"] == "routed" for t in new_detail["timeline"])
    types = [e[0] for e in _events(demo, a, after)]
    assert "incident.split" in types
    assert next(e[0] for e in _events(demo, new["id"], after)) == "incident.created"
    assert out["correction"]["kind"] == "split" and out["correction"]["report_ids"] == [
        second["report_id"]
    ]


def test_split_never_goes_below_the_level_an_officer_set(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon, lat = quiet_spot()
    a = _report(client, duty, lon, lat)["incident_id"]
    second = _report(client, duty, lon + 0.0004, lat, casualties={"deaths": 12})
    assert _detail(client, duty, a)["level"] == "II"
    r = client.post(
        f"/api/v1/incidents/{a}/level", json={"level": "I", "reason": "研判"}, headers=duty
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/incidents/{a}/reports/{second['report_id']}/split",
        json={"reason": "不是同一起"},
        headers=duty,
    )
    assert r.status_code == 201, r.text
    assert r.json()["others"][0]["level"] == "I"


def test_move_a_report_to_another_incident(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon1, lat1)["incident_id"]
    moving = _report(client, duty, lon1 + 0.0004, lat1, casualties={"serious_injuries": 12})
    b = _report(client, duty, lon2, lat2, channel="grid")["incident_id"]
    r = client.post(
        f"/api/v1/incidents/{a}/reports/{moving['report_id']}/move",
        json={"to_incident_id": b, "reason": "报告人说的是另一处火情"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    target, (source,) = r.json()["incident"], r.json()["others"]
    assert target["id"] == b and target["report_count"] == 2
    assert set(target["channels"]) == {"grid", "public"}
    assert target["level"] == "III"  # 12 seriously injured: 较大
    assert source["report_count"] == 1 and source["level"] == "IV"
    assert "report_moved_in" in _kinds(_detail(client, duty, b))
    assert "report_moved_out" in _kinds(_detail(client, duty, a))


def test_reclassify_moves_routing_and_tells_who_lost_and_who_gained(client, duty, quiet_spot, demo):  # type: ignore[no-untyped-def]
    _, lon, lat = quiet_spot()
    a = _report(client, duty, lon, lat)["incident_id"]
    before = _detail(client, duty, a)
    old_hq = before["headquarters"]["code"]
    after = _last_event(demo)
    r = client.post(
        f"/api/v1/incidents/{a}/category",
        json={"category_code": "21A03", "reason": "现场核实为危化品泄漏"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    inc = r.json()["incident"]
    assert inc["category"]["code"] == "21A03" and inc["category"]["source"] == "officer"
    assert inc["headquarters"]["code"] != old_hq
    routes = _detail(client, duty, a)["routing"]
    withdrawn = {x["target_code"] for x in routes if x["withdrawn_at"]}
    assert old_hq in withdrawn
    assert any(
        x["target_code"] == inc["headquarters"]["code"] and not x["withdrawn_at"] for x in routes
    )
    events = _events(demo, a, after)
    kinds = {e[0]: e for e in events}
    assert kinds["incident.reclassified"][1] == inc["headquarters"]["code"]
    lost = kinds["incident.routing_withdrawn"]
    assert lost[1] == old_hq  # the headquarters that lost it hears it on its own stream
    assert old_hq in [t["code"] for t in lost[3]["routing"]["lost"]]
    assert "reclassified" in _kinds(_detail(client, duty, a))
    with demo.session() as s:
        assert s.scalar(
            select(func.count(Routing.id)).where(
                Routing.incident_id == a, Routing.withdrawn_at.is_(None),
                Routing.target_code == old_hq,
            )
        ) == 0  # fmt: skip
    # a stream filtered by the old headquarters carries the withdrawal
    r = client.get(f"/api/v1/incidents/{a}", headers=duty)
    assert r.json()["category"]["code"] == "21A03"


def test_relocate_on_the_map_moves_subdistrict_routing_and_nearby(client, duty, spots, quiet_spot):  # type: ignore[no-untyped-def]
    sub1, lon, lat = quiet_spot()
    a = _report(client, duty, lon, lat)["incident_id"]
    sub2, lon2, lat2 = next(s for s in spots if s[0] != sub1)
    r = client.post(
        f"/api/v1/incidents/{a}/location",
        json={"lon": lon2, "lat": lat2, "reason": "报警人说错了路口"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    inc = r.json()["incident"]
    assert inc["subdistrict"]["code"] == sub2
    assert inc["location"]["source"] == "manual"
    assert abs(inc["lon"] - lon2) < 1e-6 and abs(inc["lat"] - lat2) < 1e-6
    routes = _detail(client, duty, a)["routing"]
    forces = {
        x["target_code"]: x["withdrawn_at"] for x in routes if x["target_type"] == "local_force"
    }
    assert forces[sub1] is not None and forces[sub2] is None
    near = client.get("/api/v1/resources/nearby", params={"incident_id": str(a)}, headers=duty)
    assert near.status_code == 200, near.text
    center = near.json()["center"]
    assert abs(center["lon"] - lon2) < 1e-6 and abs(center["lat"] - lat2) < 1e-6
    assert "relocated" in _kinds(_detail(client, duty, a))


def test_relocate_by_address(client, duty, quiet_spot, demo):  # type: ignore[no-untyped-def]
    from yingji.grid.models import GridPoint

    _, lon, lat = quiet_spot()
    a = _report(client, duty, lon, lat)["incident_id"]
    with demo.session() as s:
        point = s.scalars(select(GridPoint).order_by(GridPoint.code).limit(1)).one()
    r = client.post(
        f"/api/v1/incidents/{a}/location",
        json={"address": f"{point.name}门口", "reason": "电话核实地址"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    inc = r.json()["incident"]
    assert inc["address"] == f"{point.name}门口"
    assert inc["subdistrict"]["code"] == point.subdistrict_code


def test_corrections_are_listed_and_exported_in_the_corpus_format(client, duty, quiet_spot, demo):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon1, lat1)["incident_id"]
    second = _report(client, duty, lon1 + 0.0004, lat1)
    b = _report(client, duty, lon2, lat2)["incident_id"]
    r = client.post(
        f"/api/v1/incidents/{a}/reports/{second['report_id']}/split",
        json={"reason": "两起"}, headers=duty,
    )  # fmt: skip
    new = r.json()["incident"]["id"]
    r = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [new, b], "lead_id": b, "reason": "同一起"}, headers=duty,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/incidents/{b}/category",
        json={"category_code": "21C01", "reason": "住宅火灾"}, headers=duty,
    )  # fmt: skip
    assert r.status_code == 200, r.text
    listed = client.get("/api/v1/screening/corrections", params={"incident": b}, headers=duty)
    assert listed.status_code == 200
    assert {c["kind"] for c in listed.json()["items"]} >= {"merge", "reclassify"}
    r = client.get("/api/v1/screening/corrections/export.jsonl", headers=duty)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(x) for x in r.text.splitlines()]
    by_report = {}
    for line in lines:
        ReportIn.model_validate(line["report"])  # a body POST /api/v1/reports takes
        assert set(line["label"]) == {"scene", "category", "split", "note"}
        assert line["label"]["split"] == "tuning"
        by_report[line["report"]["source_id"]] = line["label"]
    with demo.session() as s:
        from yingji.intake.models import Report

        src = {
            r.id: r.source_id
            for r in s.scalars(select(Report).where(Report.incident_id.in_([a, b])))
        }
    scenes = {by_report[sid]["scene"] for sid in src.values()}
    assert len(scenes) == 2  # what was split apart is two scenes; what was merged, one
    b_labels = [by_report[sid] for rid, sid in src.items() if by_report[sid]["scene"] == f"C{b}"]
    assert len(b_labels) == 2 and all(x["category"] == "21C01" for x in b_labels)
    a_label = next(by_report[sid] for sid in src.values() if by_report[sid]["scene"] == f"C{a}")
    assert a_label["category"] is None  # no officer said which category incident A is
    occurred = [line["report"]["occurred_at"] for line in lines]
    assert occurred == sorted(occurred)


def test_export_corrections_cli(settings, demo, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from yingji.cli import app
    from yingji.config import get_settings

    monkeypatch.setenv("YINGJI_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    try:
        out = tmp_path / "c.jsonl"
        result = CliRunner().invoke(app, ["screening", "export-corrections", "-o", str(out)])
        assert result.exit_code == 0, result.output
        with demo.session() as s:
            assert s.scalar(select(func.count(Correction.id)))  # earlier tests corrected
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines and all(json.loads(x)["label"]["scene"].startswith("C") for x in lines)
    finally:
        get_settings.cache_clear()


def test_the_categories_an_officer_may_pick(client, duty, token_for):  # type: ignore[no-untyped-def]
    r = client.get("/api/v1/screening/categories", headers=duty)
    assert r.status_code == 200
    by_code = {c["code"]: c for c in r.json()}
    assert by_code["21A03"]["display"].startswith("事故灾难")
    assert (
        client.get("/api/v1/screening/categories", headers=token_for("viewer")).status_code == 403
    )


def _routed(detail, types=("headquarters", "department")) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        x["target_code"]
        for x in detail["routing"]
        if x["target_type"] in types and not x["withdrawn_at"]
    }


def _codes(inc) -> list[str]:  # type: ignore[no-untyped-def]
    return [inc["category"]["code"], *(c["code"] for c in inc["secondary_categories"])]


def test_a_merge_keeps_every_category_and_each_still_routes(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    """Issue 13 item 1 (review D4): the fire of a crash merged by hand stays on the lead as a
    secondary category and the fire's department still has the incident."""
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    crash = _report(client, duty, lon1, lat1, text="两车相撞，有人受伤", category_code="21B01")
    fire = _report(client, duty, lon2, lat2, text="轿车撞后冒烟起火", category_code="21C02")
    a, b = crash["incident_id"], fire["incident_id"]
    assert a != b
    wanted = _routed(_detail(client, duty, a)) | _routed(_detail(client, duty, b))
    r = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [a, b], "lead_id": a, "reason": "同一车祸，119 与 122 各报一次"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    lead = _detail(client, duty, a)
    assert sorted(_codes(lead)) == ["21B01", "21C02"]
    assert len(lead["secondary_categories"]) == 1
    assert wanted <= _routed(lead)  # each category's headquarters and departments
    assert "categories_changed" in _kinds(lead)


def test_reclassify_keeps_the_officers_code_as_lead_and_the_other_categories(
    client, duty, quiet_spot
):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon1, lat1, text="两车相撞，有人受伤", category_code="21B01")
    b = _report(client, duty, lon2, lat2, text="轿车撞后冒烟起火", category_code="21C02")
    a, b = a["incident_id"], b["incident_id"]
    by_code = {
        "21B01": _routed(_detail(client, duty, a)),
        "21C02": _routed(_detail(client, duty, b)),
    }
    client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [a, b], "lead_id": a, "reason": "同一现场"},
        headers=duty,
    ).raise_for_status()
    merged = _detail(client, duty, a)
    lead_before = merged["category"]["code"]
    secondary = next(c for c in _codes(merged) if c != lead_before)
    # the officer promotes the less grave one (by the policy): it leads, the other stays
    r = client.post(
        f"/api/v1/incidents/{a}/category",
        json={"category_code": secondary, "reason": "现场核实以此为主"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    inc = _detail(client, duty, a)
    assert inc["category"]["code"] == secondary and inc["category"]["source"] == "officer"
    assert inc["category"]["matched"] == []
    assert _codes(inc) == [secondary, lead_before]  # the officer's choice wins over severity
    assert _routed(merged) <= _routed(inc)  # both categories still route
    # a new code replaces the lead the officer calls wrong; the other category stays
    r = client.post(
        f"/api/v1/incidents/{a}/category",
        json={"category_code": "91A02", "reason": "以医疗救助为主"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    inc = _detail(client, duty, a)
    assert _codes(inc) == ["91A02", lead_before]
    assert by_code[lead_before] <= _routed(inc)  # the remaining category still routes


def test_a_split_recounts_the_secondary_categories(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon, lat = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _report(client, duty, lon, lat, text="两车相撞，有人受伤", category_code="21B01")
    b = _report(client, duty, lon2, lat2, text="轿车撞后冒烟起火", category_code="21C02")
    client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [a["incident_id"], b["incident_id"]], "lead_id": a["incident_id"],
              "reason": "同一现场"},
        headers=duty,
    ).raise_for_status()  # fmt: skip
    assert sorted(_codes(_detail(client, duty, a["incident_id"]))) == ["21B01", "21C02"]
    r = client.post(
        f"/api/v1/incidents/{a['incident_id']}/reports/{b['report_id']}/split",
        json={"reason": "起火是另一辆车"},
        headers=duty,
    )
    assert r.status_code == 201, r.text
    left = _detail(client, duty, a["incident_id"])
    assert _codes(left) == ["21B01"]  # the fire left with its report
    assert _codes(_detail(client, duty, r.json()["incident"]["id"])) == ["21C02"]


def test_relocate_refreshes_the_evidence_of_place_and_the_merge_key(client, duty, quiet_spot, demo):  # type: ignore[no-untyped-def]
    from yingji.grid.models import GridLine, GridPoint
    from yingji.intake.models import Incident

    with demo.session() as s:
        gp = s.scalars(select(GridPoint).order_by(GridPoint.id)).first()
        gl = s.scalars(select(GridLine).order_by(GridLine.id)).first()
        point = (gp.code, gp.lon, gp.lat)
        start = gl.geometry["coordinates"][0]
        if gl.geometry["type"] == "MultiLineString":
            start = start[0]
        line = (gl.code, start[0], start[1])
    _, lon, lat = quiet_spot()
    a = _report(
        client, duty, lon, lat, address="经十路与顺河街交叉口",
        location={"lon": lon, "lat": lat, "crs": "wgs84", "accuracy_m": 800, "source": "cell"},
    )["incident_id"]  # fmt: skip
    with demo.session() as s:
        before = s.get(Incident, a)
        assert before.accuracy_m == 800 and before.place_key
        old_key = before.merge_key
        evidence = (before.grid_point_code, before.line_code, before.line_offset_m)
    r = client.post(
        f"/api/v1/incidents/{a}/location",
        json={
            "lon": point[1],
            "lat": point[2],
            "address": "幸福小区5号楼",
            "reason": "报警人说错了地点",
        },
        headers=duty,
    )
    assert r.status_code == 200, r.text
    with demo.session() as s:
        inc = s.get(Incident, a)
        assert inc.accuracy_m is None  # a point picked on the map is precise
        assert inc.place_key == "@幸福小区#5"
        assert inc.merge_key != old_key and inc.merge_key.startswith(f"{inc.category_group}:")
        assert inc.grid_point_code == point[0]  # the grid point it now stands at
    # on a grid line: the line and how far along it (its start: 0 m)
    r = client.post(
        f"/api/v1/incidents/{a}/location",
        json={"lon": line[1], "lat": line[2], "reason": "在道路起点"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    with demo.session() as s:
        inc = s.get(Incident, a)
        assert inc.line_code == line[0] and inc.line_offset_m == 0
    # without an address the explicit place goes: the old address no longer says where it is
    r = client.post(
        f"/api/v1/incidents/{a}/location",
        json={"lon": lon, "lat": lat, "reason": "还是原来的位置"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    with demo.session() as s:
        inc = s.get(Incident, a)
        assert inc.place_key is None and inc.merge_key == old_key
        assert (inc.grid_point_code, inc.line_code, inc.line_offset_m) == evidence
        assert inc.accuracy_m is None
