"""GET /api/v1/resources/nearby: ranking, coordinate systems, filters, stock, the incident seam."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.resources.conftest import API
from yingji.geo.distance import haversine_m
from yingji.geo.transform import from_wgs84
from yingji.resources import incidents


def _near(client: TestClient, headers, **params):
    return client.get(f"{API}/nearby", params=params, headers=headers)


def test_every_kind_ranked_by_distance(client, admin_headers, anchor) -> None:
    resp = _near(
        client, admin_headers, lon=anchor["lon"], lat=anchor["lat"], radius_m=20000, limit=50
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body["results"]) == {"teams", "experts", "warehouses", "stations", "videos"}
    for kind, rows in body["results"].items():
        assert rows, kind
        distances = [r["distance_m"] for r in rows]
        assert distances == sorted(distances)
        for r in rows[:5]:  # the distance is the real one
            assert (
                abs(haversine_m(anchor["lon"], anchor["lat"], r["lon"], r["lat"]) - r["distance_m"])
                < 2
            )
    assert body["results"]["warehouses"][0]["code"] == anchor["code"]
    assert body["results"]["warehouses"][0]["distance_m"] == 0
    assert all(t["status"] == "standby" for t in body["results"]["teams"])


def test_the_same_place_in_gcj02_and_bd09_gives_the_same_answer(
    client, admin_headers, anchor
) -> None:
    wgs = _near(
        client, admin_headers, lon=anchor["lon"], lat=anchor["lat"], kinds="teams,experts"
    ).json()
    for crs in ("gcj02", "bd09", "GCJ02", "BD09"):  # any case, as people type it
        lon, lat = from_wgs84(anchor["lon"], anchor["lat"], crs.lower())
        other = _near(
            client, admin_headers, lon=lon, lat=lat, crs=crs, kinds="teams,experts"
        ).json()
        assert [t["id"] for t in other["results"]["teams"]] == [
            t["id"] for t in wgs["results"]["teams"]
        ]
        assert abs(other["center"]["lon"] - anchor["lon"]) < 1e-7


def test_warehouses_holding_the_item_with_stock_and_coverage(client, admin_headers, anchor) -> None:
    resp = _near(
        client,
        admin_headers,
        lon=anchor["lon"],
        lat=anchor["lat"],
        kinds="warehouses",
        item="sandbag",
        quantity="3000",
        radius_m=30000,
        limit=100,
    )
    assert resp.status_code == 200, resp.text
    rows = resp.json()["results"]["warehouses"]
    assert rows and all(
        r["stock"]["item_code"] == "SANDBAG" and r["stock"]["quantity"] > 0 for r in rows
    )
    assert all(r["stock"]["covers"] == (r["stock"]["quantity"] >= 3000) for r in rows)
    assert any(r["stock"]["covers"] for r in rows) and not all(r["stock"]["covers"] for r in rows)
    # A warehouse without the item is not listed.
    none = _near(
        client,
        admin_headers,
        lon=anchor["lon"],
        lat=anchor["lat"],
        kinds="warehouses",
        item="HYDRAULICTOOL",
        radius_m=30000,
        limit=100,
    ).json()["results"]["warehouses"]
    assert len(none) < len(rows)


def test_stock_is_live_after_a_movement(
    client, admin_headers, anchor, new_warehouse, receive
) -> None:
    wh = new_warehouse()
    params = dict(
        lon=anchor["lon"],
        lat=anchor["lat"],
        kinds="warehouses",
        item="GASMASK",
        radius_m=100,
        limit=200,
    )
    assert wh["id"] not in {
        r["id"] for r in _near(client, admin_headers, **params).json()["results"]["warehouses"]
    }
    receive(wh["id"], "GASMASK", 7)
    rows = {
        r["id"]: r for r in _near(client, admin_headers, **params).json()["results"]["warehouses"]
    }
    assert rows[wh["id"]]["stock"]["quantity"] == 7


def test_skill_specialty_and_availability_filters(client, admin_headers, anchor) -> None:
    body = _near(
        client,
        admin_headers,
        lon=anchor["lon"],
        lat=anchor["lat"],
        kinds="teams,experts",
        skill="水上救援",
        specialty="危化",
        radius_m=50000,
        limit=200,
    ).json()
    assert body["results"]["teams"] and all(
        any("水上救援" in s for s in t["skills"]) for t in body["results"]["teams"]
    )
    assert body["results"]["experts"] and all(
        "危化" in e["specialties"] and e["availability"] == "available"
        for e in body["results"]["experts"]
    )
    everyone = _near(
        client,
        admin_headers,
        lon=anchor["lon"],
        lat=anchor["lat"],
        kinds="experts",
        specialty="危化",
        radius_m=50000,
        limit=200,
        available_only=False,
    ).json()
    assert everyone["totals"]["experts"] >= body["totals"]["experts"]


def test_a_deployed_team_drops_out_and_a_new_team_appears(
    client, admin_headers, anchor, token_for
) -> None:
    params = dict(lon=anchor["lon"], lat=anchor["lat"], kinds="teams", radius_m=50000, limit=200)
    before = {t["id"] for t in _near(client, admin_headers, **params).json()["results"]["teams"]}
    team_id = sorted(before)[0]
    client.post(
        f"{API}/teams/{team_id}/dispatch", json={"incident_ref": "INC-N"}, headers=admin_headers
    )
    assert team_id not in {
        t["id"] for t in _near(client, admin_headers, **params).json()["results"]["teams"]
    }
    client.post(f"{API}/teams/{team_id}/release", headers=admin_headers)
    made = client.post(
        f"{API}/teams",
        headers=admin_headers,
        json={
            "code": f"TEAM-T{uuid.uuid4().hex[:6]}",
            "name": "测试队",
            "kind": "social",
            "lon": anchor["lon"],
            "lat": anchor["lat"],
            "skills": ["测试"],
        },
    )
    assert made.status_code == 201, made.text
    rows = _near(client, admin_headers, **params).json()["results"]["teams"]
    assert made.json()["id"] in {t["id"] for t in rows} and team_id in {t["id"] for t in rows}


def test_videos_say_whether_they_see_the_point(client, admin_headers) -> None:
    cams = client.get(
        f"{API}/videos", params={"status": "online", "limit": 50}, headers=admin_headers
    ).json()["items"]
    cam = cams[0]
    rows = _near(
        client, admin_headers, lon=cam["lon"], lat=cam["lat"], kinds="videos", radius_m=3000
    ).json()
    first = rows["results"]["videos"][0]
    assert first["id"] == cam["id"] and first["sees_point"] is True and first["stream_url"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"lon": 117.0, "lat": 36.6, "kinds": "teams,boats"}, "unknown_kind"),
        ({"lon": 117.0, "lat": 36.6, "crs": "utm"}, "invalid_crs"),
        ({"lon": 117.0}, "missing_center"),
        ({"lon": 117.0, "lat": 36.6, "quantity": "5"}, "item_required"),
        ({"lon": 117.0, "lat": 36.6, "item": "PUMP", "quantity": "1.5"}, "fractional_quantity"),
        ({"lon": 117.0, "lat": 36.6, "radius_m": "-1"}, "validation_error"),
        ({"lon": 517.0, "lat": 36.6}, "out_of_range"),
    ],
)
def test_bad_queries_are_422(client, admin_headers, params, code) -> None:
    resp = _near(client, admin_headers, **params)
    assert resp.status_code == 422, resp.text
    assert resp.json()["code"] == code


def test_incident_id_without_and_with_an_incident_locator(client, admin_headers, anchor) -> None:
    try:
        incidents.set_incident_locator(None)  # as when the incidents domain is absent
        resp = _near(client, admin_headers, incident_id="INC-2026-0001")
        assert resp.status_code == 422
        assert resp.json()["code"] == "incident_lookup_unavailable"
        # Once a locator is plugged in, the incident's position is the centre.
        incidents.set_incident_locator(
            lambda _db, iid: (anchor["lon"], anchor["lat"]) if iid == "INC-1" else None
        )
        ok = _near(client, admin_headers, incident_id="INC-1", kinds="warehouses")
        assert ok.status_code == 200
        assert ok.json()["results"]["warehouses"][0]["code"] == anchor["code"]
        assert _near(client, admin_headers, incident_id="INC-404").status_code == 404
        both = _near(client, admin_headers, incident_id="INC-1", lon=117.0, lat=36.6)
        assert both.status_code == 422
    finally:
        incidents.reset_incident_locator()


def test_the_default_locator_follows_the_intake_domain(client, admin_headers) -> None:
    """Without the intake domain: 422. With it (once merged): an unknown incident is 404."""
    present = incidents.intake_installed()
    assert (incidents.incident_locator() is not None) == present
    resp = _near(client, admin_headers, incident_id="999999999")
    assert resp.status_code == (404 if present else 422)


def test_nearby_needs_a_reader(client, token_for) -> None:
    assert (
        _near(
            client, token_for("enterprise_user", "91110000600037341L"), lon=117.0, lat=36.6
        ).status_code
        == 403
    )
    assert _near(client, {}, lon=117.0, lat=36.6).status_code == 401


def test_map_layers_are_geojson(client, admin_headers) -> None:
    resp = client.get(f"{API}/map", params={"kinds": "stations,videos"}, headers=admin_headers)
    assert resp.status_code == 200
    fc = resp.json()
    assert fc["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds.count("stations") == 17 and kinds.count("videos") >= 16
    assert all(f["geometry"]["type"] == "Point" for f in fc["features"])
    teams = client.get(f"{API}/map", params={"kinds": "teams"}, headers=admin_headers).json()
    assert {f["properties"]["layer"] for f in teams["features"]} == {"teams"}
    assert {f["properties"]["kind"] for f in teams["features"]} == {
        "professional", "flood", "social", "enterprise"
    }  # fmt: skip
    assert (
        client.get(f"{API}/map", params={"kinds": "ufo"}, headers=admin_headers).status_code == 422
    )


def test_search_agrees_with_the_no_index_baseline(session) -> None:
    """The indexed search and a brute-force one give the same answer at random points."""
    from datetime import date

    from yingji.bench.nearby import naive_search, random_cases, same_answer
    from yingji.resources import nearby

    cases = random_cases(session, 60, seed=7)
    today = date.today()
    for c in cases:
        fast = nearby.search(session, lon=c.lon, lat=c.lat, query=c.query, today=today)
        slow = naive_search(session, lon=c.lon, lat=c.lat, query=c.query, today=today)
        assert same_answer(fast, slow), c


def test_nearby_by_an_intake_incident(client, admin_headers, anchor, session) -> None:
    """Runs once the intake domain is merged: its incidents are the centres."""
    from datetime import UTC, datetime

    intake_models = pytest.importorskip("yingji.intake.models")
    assert incidents.incident_locator() is incidents.intake_locator
    now = datetime.now(UTC)
    placed = intake_models.Incident(
        title="氨水泄漏",
        status="reported",
        level="IV",
        occurred_at=now,
        lon=anchor["lon"],
        lat=anchor["lat"],
    )
    unplaced = intake_models.Incident(
        title="未定位", status="reported", level="IV", occurred_at=now
    )
    session.add_all([placed, unplaced])
    session.commit()
    ok = _near(client, admin_headers, incident_id=str(placed.id), kinds="warehouses")
    assert ok.status_code == 200, ok.text
    assert ok.json()["results"]["warehouses"][0]["code"] == anchor["code"]
    no = _near(client, admin_headers, incident_id=str(unplaced.id))
    assert no.status_code == 422 and no.json()["code"] == "incident_not_located"
    assert _near(client, admin_headers, incident_id="abc").status_code == 404


def test_nearby_an_incident_reported_through_intake(client, token_for, anchor) -> None:
    """The whole way, as the incident room asks it: a report posted to intake's API becomes
    an incident, and ``incident_id`` alone centres the search on where intake placed it."""
    from datetime import UTC, datetime

    pytest.importorskip("yingji.intake.service")
    duty = token_for("duty_officer")
    now = datetime.now(UTC).isoformat()
    report = {
        "channel": "public",
        "source_id": f"nearby-{uuid.uuid4().hex}",
        "occurred_at": now,
        "title": "储备库旁仓储区起火",
        "text": "储备库旁仓储区起火，浓烟很大",
        "location": {"lon": anchor["lon"], "lat": anchor["lat"], "crs": "wgs84"},
        "reporter": {"name": "李四", "phone": "13800000001"},
    }
    accepted = client.post("/api/v1/reports", json=report, headers=duty)
    assert accepted.status_code == 201, accepted.text
    iid = accepted.json()["incident_id"]
    resp = _near(client, duty, incident_id=str(iid), item="SANDBAG", radius_m=20000)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["incident_id"] == str(iid)
    assert abs(body["center"]["lon"] - anchor["lon"]) < 1e-6
    assert abs(body["center"]["lat"] - anchor["lat"]) < 1e-6
    assert body["results"]["warehouses"][0]["code"] == anchor["code"]
    assert body["results"]["warehouses"][0]["stock"]["item_code"] == "SANDBAG"
    assert all(len(rows) > 0 for rows in body["results"].values()), body["totals"]
