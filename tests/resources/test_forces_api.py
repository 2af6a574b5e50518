"""Teams, experts, stations and video feeds through the API, at the demo's scale."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.resources.conftest import API


def _all(client: TestClient, headers, path: str, **params) -> list[dict]:
    resp = client.get(f"{API}/{path}", params={"limit": 500, **params}, headers=headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_demo_teams_at_the_seed_reports_scale(client: TestClient, admin_headers) -> None:
    flood = _all(client, admin_headers, "teams", kind="flood")
    assert len(flood) == 28
    assert sum(t["members"] for t in flood) >= 1300
    assert len(_all(client, admin_headers, "teams", kind="social")) == 7
    enterprise = _all(client, admin_headers, "teams", kind="enterprise")
    assert len(enterprise) == 4 and all(t["agreement_until"] for t in enterprise)
    assert len(_all(client, admin_headers, "teams", kind="professional")) >= 3
    hazmat = _all(client, admin_headers, "teams", skill="危化")
    assert hazmat and all(any("危化" in s for s in t["skills"]) for t in hazmat)
    page = client.get(
        f"{API}/teams", params={"limit": 5, "offset": 5}, headers=admin_headers
    ).json()
    assert len(page["items"]) == 5 and page["total"] == 44


def test_team_members_paginated_with_phones_skills_certificates(client, admin_headers) -> None:
    team = _all(client, admin_headers, "teams", kind="flood")[0]
    page = client.get(
        f"{API}/teams/{team['id']}/members", params={"limit": 10}, headers=admin_headers
    ).json()
    assert page["total"] == team["members"] and len(page["items"]) == 10
    assert all(len(m["phone"]) == 11 for m in page["items"])
    assert page["items"][0]["role"] == "队长"


def test_dispatch_and_release_keep_the_status_current(client, admin_headers, token_for) -> None:
    team = _all(client, admin_headers, "teams", kind="social")[0]
    duty = token_for("duty_officer")
    out = client.post(
        f"{API}/teams/{team['id']}/dispatch", json={"incident_ref": "INC-42"}, headers=duty
    )
    assert out.status_code == 200, out.text
    assert (out.json()["status"], out.json()["status_incident_ref"]) == ("deployed", "INC-42")
    twice = client.post(
        f"{API}/teams/{team['id']}/dispatch", json={"incident_ref": "INC-43"}, headers=duty
    )
    assert twice.status_code == 409
    assert team["id"] in {t["id"] for t in _all(client, admin_headers, "teams", status="deployed")}
    back = client.post(f"{API}/teams/{team['id']}/release", headers=duty)
    assert back.json()["status"] == "standby" and back.json()["status_incident_ref"] is None
    viewer = token_for("viewer")
    assert (
        client.post(
            f"{API}/teams/{team['id']}/dispatch", json={"incident_ref": "X"}, headers=viewer
        ).status_code
        == 403
    )


def test_a_member_phone_that_is_not_a_phone_number_is_refused(client, admin_headers) -> None:
    team = _all(client, admin_headers, "teams", kind="flood")[1]
    before = team["members"]
    for phone in ("12345", "1391234567a", "02112345678"):
        resp = client.post(
            f"{API}/teams/{team['id']}/members",
            json={"name": "赵六", "phone": phone},
            headers=admin_headers,
        )
        assert resp.status_code == 422, phone
        assert resp.json()["field"] == "phone"
    assert (
        client.get(f"{API}/teams/{team['id']}", headers=admin_headers).json()["members"] == before
    )
    ok = client.post(
        f"{API}/teams/{team['id']}/members",
        json={"name": "赵六", "phone": "+86 139 1234 5678", "certificates": ["救生员证"]},
        headers=admin_headers,
    )
    assert ok.status_code == 201 and ok.json()["phone"] == "13912345678"


def test_experts_by_specialty_and_only_the_bureau_edits_them(
    client, admin_headers, token_for, anchor
) -> None:
    experts = _all(client, admin_headers, "experts")
    assert len(experts) >= 60
    specialties = {s for e in experts for s in e["specialties"]}
    assert {"危化", "防汛", "地质", "消防", "医疗", "建筑", "环境"} <= specialties
    hazmat = _all(client, admin_headers, "experts", specialty="危化")
    assert hazmat and all("危化" in e["specialties"] for e in hazmat)
    body = {
        "code": f"EXP-T{uuid.uuid4().hex[:6]}",
        "name": "钱七",
        "specialties": ["危化"],
        "phone": "0531-86123456",
        "lon": anchor["lon"],
        "lat": anchor["lat"],
    }
    assert (
        client.post(
            f"{API}/experts", json=body, headers=token_for("department_operator", "DEPT-WATER")
        ).status_code
        == 403
    )
    created = client.post(
        f"{API}/experts", json=body, headers=token_for("department_operator", "DEPT-EM")
    )
    assert created.status_code == 201, created.text
    bad = client.post(
        f"{API}/experts",
        json={**body, "code": "EXP-BAD", "phone": "not a phone"},
        headers=admin_headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "phone"


def test_a_station_per_subdistrict_with_vehicles_and_sessions(
    client, admin_headers, token_for
) -> None:
    stations = _all(client, admin_headers, "stations")
    subs = client.get(
        "/api/v1/subdistricts", params={"kind": "subdistrict"}, headers=admin_headers
    ).json()["items"]
    assert sorted(s["subdistrict_code"] for s in stations) == sorted(s["code"] for s in subs)
    kinds = {v["kind"] for s in stations for v in s["vehicles"]}
    assert {"patrol_car", "fire_motorcycle"} <= kinds
    station = next(s for s in stations if s["subdistrict_code"] == "370103003")
    op = token_for("subdistrict_operator", "370103003")
    resp = client.post(
        f"{API}/stations/{station['id']}/sessions",
        json={
            "kind": "drill",
            "title": "消防疏散演练",
            "held_on": "2026-06-01",
            "participants": 80,
        },
        headers=op,
    )
    assert resp.status_code == 201
    other = next(s for s in stations if s["subdistrict_code"] != "370103003")
    refused = client.post(
        f"{API}/stations/{other['id']}/sessions",
        json={"kind": "training", "title": "x", "held_on": "2026-06-01"},
        headers=op,
    )
    assert refused.status_code == 403
    after = client.get(f"{API}/stations/{station['id']}", headers=admin_headers).json()
    assert after["drills"] == station["drills"] + 1


def test_sixteen_video_feeds_of_the_six_owners(client, admin_headers, token_for, anchor) -> None:
    videos = _all(client, admin_headers, "videos")
    assert len(videos) == 16
    assert {v["owner_department_code"] for v in videos} == {
        "DEPT-EM",
        "DEPT-PS",
        "DEPT-HEALTH",
        "DEPT-MARKET",
        "DEPT-WATER",
        "DEPT-FOREST",
    }
    assert {v["stream_kind"] for v in videos} == {"hls", "rtsp", "snapshot"}
    assert all(v["stream_url"].endswith(".m3u8") for v in videos if v["stream_kind"] == "hls")
    body = {
        "code": f"CAM-T{uuid.uuid4().hex[:5]}",
        "name": "测试摄像头",
        "owner_department_code": "DEPT-PS",
        "stream_kind": "hls",
        "stream_url": "rtsp://10.0.0.1/live",
        "lon": anchor["lon"],
        "lat": anchor["lat"],
    }
    assert client.post(f"{API}/videos", json=body, headers=admin_headers).status_code == 422
    body["stream_url"] = "https://cam.example/live/index.m3u8"
    assert (
        client.post(
            f"{API}/videos", json=body, headers=token_for("department_operator", "DEPT-EM")
        ).status_code
        == 403
    )
    made = client.post(
        f"{API}/videos", json=body, headers=token_for("department_operator", "DEPT-PS")
    )
    assert made.status_code == 201, made.text
    off = client.patch(
        f"{API}/videos/{made.json()['id']}", json={"status": "offline"}, headers=admin_headers
    )
    assert off.json()["status"] == "offline" and off.json()["status_checked_at"]


def test_a_video_update_to_a_wrong_stream_address_is_refused(client, admin_headers) -> None:
    video = _all(client, admin_headers, "videos", owner="DEPT-WATER")[0]
    bad = client.patch(
        f"{API}/videos/{video['id']}",
        json={"stream_kind": "rtsp", "stream_url": "https://x.example/a.m3u8"},
        headers=admin_headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "stream_url"
    same = client.get(f"{API}/videos/{video['id']}", headers=admin_headers).json()
    assert (same["stream_kind"], same["stream_url"]) == (video["stream_kind"], video["stream_url"])


def test_summary_for_the_dashboard(client, admin_headers, token_for) -> None:
    resp = client.get(f"{API}/summary", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["teams"]["flood"]["total"] == 28 and body["teams"]["flood"]["members"] >= 1300
    assert body["teams"]["social"]["total"] == 7 and body["teams"]["enterprise"]["total"] == 4
    assert body["experts"]["total"] >= 60 and body["experts"]["by_specialty"]["危化"] >= 1
    assert body["stations"]["total"] >= 17 and body["stations"]["vehicles"]["fire_motorcycle"] >= 17
    assert body["videos"]["total"] >= 16
    assert body["supplies"]["warehouses"] >= 26 and body["supplies"]["low_stock"] > 0
    scoped = client.get(
        f"{API}/summary", headers=token_for("subdistrict_operator", "370103015")
    ).json()
    assert scoped["supplies"]["low_stock"] <= body["supplies"]["low_stock"]


def test_unknown_owners_are_refused(client, admin_headers, anchor) -> None:
    team = {
        "code": f"TEAM-X{uuid.uuid4().hex[:5]}",
        "name": "无主队",
        "kind": "professional",
        "owner_type": "department",
        "owner_code": "DEPT-NOPE",
        "lon": anchor["lon"],
        "lat": anchor["lat"],
    }
    resp = client.post(f"{API}/teams", json=team, headers=admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_owner"
    cam = {
        "code": f"CAM-X{uuid.uuid4().hex[:5]}",
        "name": "x",
        "owner_department_code": "DEPT-NOPE",
        "stream_kind": "snapshot",
        "stream_url": "https://x.example/a.jpg",
        "lon": anchor["lon"],
        "lat": anchor["lat"],
    }
    resp = client.post(f"{API}/videos", json=cam, headers=admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "unknown_owner"


def test_a_member_is_edited_and_removed_by_the_teams_owner(
    client, admin_headers, token_for
) -> None:
    team = next(
        t
        for t in _all(client, admin_headers, "teams", kind="flood")
        if t["owner_code"] == "370103003"
    )
    op = token_for("subdistrict_operator", "370103003")
    other = token_for("subdistrict_operator", "370103012")
    made = client.post(
        f"{API}/teams/{team['id']}/members",
        json={"name": "孙八", "phone": "13800138000"},
        headers=op,
    )
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    bad = client.patch(f"{API}/teams/{team['id']}/members/{mid}", json={"phone": "110"}, headers=op)
    assert bad.status_code == 422
    ok = client.patch(
        f"{API}/teams/{team['id']}/members/{mid}", json={"certificates": ["急救员证"]}, headers=op
    )
    assert ok.json()["certificates"] == ["急救员证"] and ok.json()["phone"] == "13800138000"
    assert (
        client.delete(f"{API}/teams/{team['id']}/members/{mid}", headers=other).status_code == 403
    )
    assert client.delete(f"{API}/teams/{team['id']}/members/{mid}", headers=op).status_code == 204
    assert client.delete(f"{API}/teams/{team['id']}/members/{mid}", headers=op).status_code == 404
    audit = client.get(
        "/api/v1/audit",
        params={"object_type": "team_member", "object_id": str(mid)},
        headers=admin_headers,
    )
    assert [e["action"] for e in audit.json()["items"]] == ["delete", "update", "create"]
