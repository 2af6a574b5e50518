"""Creating, reading, changing and deleting grid items through the API, each change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.grid.helpers import (
    GANSHIQIAO,
    SHUNYULU,
    audit_of,
    first_area,
    grid_totals,
    inside,
    new_code,
    segment,
    square,
)
from yingji.grid import service as grid_service


def _point_body(area: dict, **extra: object) -> dict:
    lon, lat = inside(area)
    body = {
        "code": new_code("P"),
        "name": "测试便利店",
        "kind": "商铺",
        "subdistrict_code": area["subdistrict_code"],
        "area_code": area["code"],
        "lon": lon,
        "lat": lat,
        "address": "经十路 1 号",
        "responsible_name": "王强",
        "responsible_phone": "13912345678",
        "responsible_title": "店长",
        "patrol_cycle": "每周",
        "fire_extinguishers": 2,
    }
    body.update(extra)
    return body


def test_point_lifecycle_is_audited_with_before_and_after(client, admin_headers, session):
    area = first_area(client, admin_headers, GANSHIQIAO)
    body = _point_body(area)
    code = body["code"]
    revision = grid_service.current_revision(session)

    created = client.post("/api/v1/grid/points", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    point = created.json()
    assert point["kind"] == "shop" and point["patrol_cycle"] == "weekly"
    assert point["geometry"] == {"type": "Point", "coordinates": [body["lon"], body["lat"]]}

    got = client.get(f"/api/v1/grid/points/{code}", headers=admin_headers).json()
    assert got["name"] == "测试便利店"

    patched = client.patch(
        f"/api/v1/grid/points/{code}",
        json={"name": "测试超市", "responsible_phone": "0531-86123456", "line_code": None},
        headers=admin_headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "测试超市"
    assert patched.json()["lon"] == body["lon"]  # untouched fields stay

    assert client.delete(f"/api/v1/grid/points/{code}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/grid/points/{code}", headers=admin_headers).status_code == 404

    entries = audit_of(client, admin_headers, "grid_point", code)
    assert [e["action"] for e in entries] == ["create", "update", "delete"]
    create, update, delete = entries
    assert create["before"] is None and create["after"]["name"] == "测试便利店"
    assert update["before"]["name"] == "测试便利店" and update["after"]["name"] == "测试超市"
    assert update["after"]["responsible_phone"] == "0531-86123456"
    assert delete["before"]["name"] == "测试超市" and delete["after"] is None
    assert all(e["actor_type"] == "user" for e in entries)
    session.expire_all()
    assert grid_service.current_revision(session) == revision + 3


def test_area_and_line_created_inside_their_subdistrict(client, admin_headers):
    host = first_area(client, admin_headers, SHUNYULU)
    lon, lat = inside(host)
    area_code, line_code = new_code("A"), new_code("L")
    area = client.post(
        "/api/v1/grid/areas",
        json={
            "code": area_code,
            "name": "测试网格",
            "subdistrict_code": SHUNYULU,
            "geometry": square(lon, lat),
            "households": 120,
            "population": 300,
        },
        headers=admin_headers,
    )
    assert area.status_code == 201, area.text
    line = client.post(
        "/api/v1/grid/lines",
        json={
            "code": line_code,
            "name": "测试街",
            "subdistrict_code": SHUNYULU,
            "area_code": area_code,
            "geometry": segment(lon, lat),
        },
        headers=admin_headers,
    )
    assert line.status_code == 201, line.text
    assert 15 < line.json()["length_m"] < 20  # 0.0002° of longitude at 36.6°N ≈ 17.9 m

    in_use = client.delete(f"/api/v1/grid/areas/{area_code}", headers=admin_headers)
    assert in_use.status_code == 409
    assert in_use.json()["code"] == "in_use" and "1 条线" in in_use.json()["message"]

    moved = client.patch(
        f"/api/v1/grid/lines/{line_code}",
        json={"geometry": segment(lon, lat, 0.00005)},
        headers=admin_headers,
    )
    assert moved.json()["length_m"] < line.json()["length_m"]
    assert (
        client.delete(f"/api/v1/grid/lines/{line_code}", headers=admin_headers).status_code == 204
    )
    assert (
        client.delete(f"/api/v1/grid/areas/{area_code}", headers=admin_headers).status_code == 204
    )


@pytest.mark.parametrize(
    ("change", "field", "word"),
    [
        ({"responsible_phone": "1234"}, "responsible_phone", "电话"),
        ({"kind": "飞机场"}, "kind", "点位类型"),
        ({"area_code": "NO-SUCH-AREA"}, "area_code", "不存在"),
        ({"lon": 116.0, "lat": 36.6}, "lon", "不在所属街道"),
        ({"lon": 200}, "lon", "经度"),
        ({"name": ""}, "name", ""),
        ({"colour": "red"}, "colour", "不允许"),
        ({"subdistrict_code": "370103999"}, "subdistrict_code", "不存在"),
        ({"code": "export"}, "code", "保留字"),
        ({"code": "有 空格"}, "code", "格式"),
    ],
)
def test_bad_point_refused_with_field_and_nothing_written(
    client, admin_headers, change, field, word
):
    area = first_area(client, admin_headers, GANSHIQIAO)
    before = grid_totals(client, admin_headers)
    body = _point_body(area, **change)
    resp = client.post("/api/v1/grid/points", json=body, headers=admin_headers)
    assert resp.status_code == 422, resp.text
    errors = resp.json()["errors"]
    assert any(e["field"] == field and word in e["message"] for e in errors), errors
    assert all(e["message"] and e["message_en"] for e in errors)
    assert grid_totals(client, admin_headers) == before


def test_point_outside_its_area_and_area_of_another_subdistrict(client, admin_headers):
    own = first_area(client, admin_headers, GANSHIQIAO)
    other = first_area(client, admin_headers, SHUNYULU)
    pages = client.get(
        f"/api/v1/grid/areas?subdistrict={GANSHIQIAO}&limit=2", headers=admin_headers
    ).json()
    second = pages["items"][1]
    lon, lat = inside(second)
    outside_area = client.post(
        "/api/v1/grid/points", json=_point_body(own, lon=lon, lat=lat), headers=admin_headers
    )
    assert outside_area.status_code == 422
    assert "不在所属面" in outside_area.json()["message"]
    foreign = client.post(
        "/api/v1/grid/points",
        json=_point_body(own, area_code=other["code"]),
        headers=admin_headers,
    )
    assert foreign.status_code == 422
    assert "其他街道" in foreign.json()["errors"][0]["message"]


def test_duplicate_code_conflicts(client, admin_headers):
    existing = client.get(
        f"/api/v1/grid/points?subdistrict={GANSHIQIAO}&limit=1", headers=admin_headers
    ).json()["items"][0]
    area = first_area(client, admin_headers, GANSHIQIAO)
    resp = client.post(
        "/api/v1/grid/points", json=_point_body(area, code=existing["code"]), headers=admin_headers
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "duplicate_code"


@pytest.mark.parametrize(
    ("geometry", "word"),
    [
        ({"type": "LineString", "coordinates": [[117, 36.6], [117.01, 36.6]]}, "应为面"),
        ({"type": "Polygon", "coordinates": [[[117, 36.6], [117.01, 36.6], [117, 36.61]]]}, "4"),
        (
            {
                "type": "Polygon",
                "coordinates": [
                    [[117, 36.6], [117.01, 36.61], [117.01, 36.6], [117, 36.61], [117, 36.6]]
                ],
            },
            "自相交",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[117, 36.6], [117.01, 36.6], [117.01, 36.61], [117, 36.61]]],
            },
            "闭合",
        ),
    ],
)
def test_bad_area_geometry_refused(client, admin_headers, geometry, word):
    resp = client.post(
        "/api/v1/grid/areas",
        json={
            "code": new_code("A"),
            "name": "坏网格",
            "subdistrict_code": GANSHIQIAO,
            "geometry": geometry,
        },
        headers=admin_headers,
    )
    assert resp.status_code == 422
    assert word in resp.json()["errors"][0]["message"]


def test_area_cannot_move_away_from_its_points(client, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    lon, lat = inside(area)
    resp = client.patch(
        f"/api/v1/grid/areas/{area['code']}",
        json={"geometry": square(lon, lat, 0.00001)},
        headers=admin_headers,
    )
    assert resp.status_code == 422
    assert "个点不在面内" in resp.json()["message"]
    assert (
        client.get(f"/api/v1/grid/areas/{area['code']}", headers=admin_headers).json()["geometry"]
        == area["geometry"]
    )


def test_demo_area_in_use_cannot_be_deleted(client, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    resp = client.delete(f"/api/v1/grid/areas/{area['code']}", headers=admin_headers)
    assert resp.status_code == 409
    assert "个点" in resp.json()["message"] and resp.json()["message_en"]


def test_unknown_item_is_404(client, admin_headers):
    assert client.get("/api/v1/grid/lines/NOPE", headers=admin_headers).status_code == 404
    assert (
        client.patch(
            "/api/v1/grid/lines/NOPE", json={"name": "x"}, headers=admin_headers
        ).status_code
        == 404
    )
    assert client.delete("/api/v1/grid/areas/NOPE", headers=admin_headers).status_code == 404


def test_null_for_a_required_field_is_refused(client, admin_headers):
    point = client.get("/api/v1/grid/points?limit=1", headers=admin_headers).json()["items"][0]
    resp = client.patch(
        f"/api/v1/grid/points/{point['code']}", json={"name": None}, headers=admin_headers
    )
    assert resp.status_code == 422 and resp.json()["field"] == "name"


def test_grid_audit_rows_refuse_update_and_delete(demo, client, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    client.patch(
        f"/api/v1/grid/areas/{area['code']}",
        json={"notes": area["notes"] + "（已核对）"},
        headers=admin_headers,
    )
    client.patch(
        f"/api/v1/grid/areas/{area['code']}", json={"notes": area["notes"]}, headers=admin_headers
    )
    assert len(audit_of(client, admin_headers, "grid_area", area["code"])) >= 2
    with demo.engine.connect() as conn:
        with pytest.raises(DatabaseError):
            conn.execute(text("UPDATE audit_log SET after = NULL WHERE object_type = 'grid_area'"))
        conn.rollback()
        with pytest.raises(DatabaseError):
            conn.execute(text("DELETE FROM audit_log WHERE object_type = 'grid_area'"))
        conn.rollback()
    assert len(audit_of(client, admin_headers, "grid_area", area["code"])) >= 2
