"""A sub-district operator of 杆石桥 reads and changes its own grid, and nothing of 舜玉路'."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from tests.grid.helpers import (
    GANSHIQIAO,
    SHUNYULU,
    audit_of,
    first_area,
    grid_totals,
    inside,
    new_code,
    square,
)


@pytest.fixture(scope="module")
def gsq(token_for):
    return token_for("subdistrict_operator", GANSHIQIAO)


@pytest.fixture(scope="module")
def foreign_point(client, admin_headers):
    return client.get(
        f"/api/v1/grid/points?subdistrict={SHUNYULU}&limit=1", headers=admin_headers
    ).json()["items"][0]


def _point(area: dict, code: str | None = None) -> dict:
    lon, lat = inside(area)
    return {
        "code": code or new_code("P"),
        "name": "街道自建点位",
        "kind": "restaurant",
        "area_code": area["code"],
        "lon": lon,
        "lat": lat,
    }


def test_lists_show_only_own_subdistrict(client, gsq):
    page = client.get("/api/v1/grid/points?limit=5000", headers=gsq).json()
    assert page["total"] >= 663
    assert {p["subdistrict_code"] for p in page["items"]} == {GANSHIQIAO}
    assert client.get(f"/api/v1/grid/points?subdistrict={SHUNYULU}", headers=gsq).status_code == 403
    assert client.get(f"/api/v1/grid/areas?subdistrict={SHUNYULU}", headers=gsq).status_code == 403


def test_cannot_read_another_subdistricts_item(client, gsq, admin_headers, foreign_point):
    code = foreign_point["code"]
    assert client.get(f"/api/v1/grid/points/{code}", headers=gsq).status_code == 403
    area = first_area(client, admin_headers, SHUNYULU)
    assert client.get(f"/api/v1/grid/areas/{area['code']}", headers=gsq).status_code == 403
    own = first_area(client, admin_headers, GANSHIQIAO)
    assert client.get(f"/api/v1/grid/areas/{own['code']}", headers=gsq).status_code == 200


def test_export_is_confined_to_own_subdistrict(client, gsq):
    assert (
        client.get(f"/api/v1/grid/points/export?subdistrict={SHUNYULU}", headers=gsq).status_code
        == 403
    )
    resp = client.get("/api/v1/grid/points/export?format=geojson", headers=gsq)
    assert resp.status_code == 200
    subs = {f["properties"]["subdistrict_code"] for f in json.loads(resp.content)["features"]}
    assert subs == {GANSHIQIAO}
    assert "%E6%9D%86%E7%9F%B3%E6%A1%A5" in resp.headers["content-disposition"]  # 杆石桥
    book = load_workbook(io.BytesIO(client.get("/api/v1/grid/export", headers=gsq).content))
    assert book.sheetnames == ["网格面", "网格线", "网格点"]
    codes = [r[2] for r in book["网格点"].iter_rows(min_row=2, values_only=True)]
    assert codes and set(codes) == {GANSHIQIAO}


def test_cannot_change_another_subdistrict(client, gsq, admin_headers, foreign_point):
    before = grid_totals(client, admin_headers)
    code = foreign_point["code"]
    assert (
        client.patch(f"/api/v1/grid/points/{code}", json={"name": "x"}, headers=gsq).status_code
        == 403
    )
    assert client.delete(f"/api/v1/grid/points/{code}", headers=gsq).status_code == 403
    other_area = first_area(client, admin_headers, SHUNYULU)
    body = {**_point(other_area), "subdistrict_code": SHUNYULU}
    assert client.post("/api/v1/grid/points", json=body, headers=gsq).status_code == 403
    lon, lat = inside(other_area)
    area = {
        "code": new_code("A"),
        "name": "越界网格",
        "subdistrict_code": SHUNYULU,
        "geometry": square(lon, lat),
    }
    assert client.post("/api/v1/grid/areas", json=area, headers=gsq).status_code == 403
    assert client.get(f"/api/v1/grid/points/{code}", headers=admin_headers).json() == foreign_point
    assert grid_totals(client, admin_headers) == before


def test_cannot_move_own_item_into_another_subdistrict(client, gsq, admin_headers):
    own = client.get("/api/v1/grid/points?limit=1", headers=gsq).json()["items"][0]
    other_area = first_area(client, admin_headers, SHUNYULU)
    lon, lat = inside(other_area)
    moved = client.patch(
        f"/api/v1/grid/points/{own['code']}",
        json={
            "subdistrict_code": SHUNYULU,
            "area_code": other_area["code"],
            "lon": lon,
            "lat": lat,
        },
        headers=gsq,
    )
    assert moved.status_code == 403
    # Only moving the position out of 杆石桥 is refused too: the point leaves its sub-district.
    nudged = client.patch(
        f"/api/v1/grid/points/{own['code']}", json={"lon": lon, "lat": lat}, headers=gsq
    )
    assert nudged.status_code == 422
    assert client.get(f"/api/v1/grid/points/{own['code']}", headers=gsq).json() == own


def test_can_change_own_subdistrict_and_is_the_actor(client, gsq, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    body = _point(area)
    created = client.post("/api/v1/grid/points", json=body, headers=gsq)
    assert created.status_code == 201, created.text
    assert created.json()["subdistrict_code"] == GANSHIQIAO  # defaulted to the operator's own
    code = body["code"]
    assert (
        client.patch(
            f"/api/v1/grid/points/{code}", json={"fire_extinguishers": 4}, headers=gsq
        ).json()["fire_extinguishers"]
        == 4
    )
    assert client.delete(f"/api/v1/grid/points/{code}", headers=gsq).status_code == 204
    me = client.get("/api/v1/auth/me", headers=gsq).json()
    entries = audit_of(client, admin_headers, "grid_point", code)
    assert [e["action"] for e in entries] == ["create", "update", "delete"]
    assert {e["actor_id"] for e in entries} == {str(me["id"])}
    assert entries[1]["before"]["fire_extinguishers"] == 0
    assert entries[1]["after"]["fire_extinguishers"] == 4


def test_roles_without_grid_write_cannot_write(client, token_for, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    for role, scope in [("grid_worker", GANSHIQIAO), ("duty_officer", None), ("viewer", None)]:
        resp = client.post("/api/v1/grid/points", json=_point(area), headers=token_for(role, scope))
        assert resp.status_code == 403, role


def test_import_into_another_subdistrict_refused_row_by_row(client, gsq, admin_headers):
    other_area = first_area(client, admin_headers, SHUNYULU)
    foreign = client.get(
        f"/api/v1/grid/points?subdistrict={SHUNYULU}&limit=1", headers=admin_headers
    ).json()["items"][0]
    lon, lat = inside(other_area)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "code": new_code("P"),
                    "name": "越界点位",
                    "kind": "shop",
                    "subdistrict_code": SHUNYULU,
                    "area_code": other_area["code"],
                },
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [foreign["lon"], foreign["lat"]]},
                "properties": {"code": foreign["code"], "name": "改别人的名字"},
            },
        ],
    }
    before = grid_totals(client, admin_headers)
    resp = client.post(
        "/api/v1/grid/points/import",
        files={"file": ("p.geojson", json.dumps(collection).encode())},
        headers=gsq,
    )
    assert resp.status_code == 422, resp.text
    rows = {(e["row"], e["field"]) for e in resp.json()["errors"]}
    assert rows == {(1, "subdistrict_code"), (2, "subdistrict_code")}
    assert all("其他街道" in e["message"] for e in resp.json()["errors"])
    assert grid_totals(client, admin_headers) == before
    assert (
        client.get(f"/api/v1/grid/points/{foreign['code']}", headers=admin_headers).json()["name"]
        == foreign["name"]
    )
