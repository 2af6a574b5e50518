"""GET /api/v1/grid/locate at the demo district's scale, through the HTTP layer."""

from __future__ import annotations

import math
import random

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape
from sqlalchemy import select

from yingji.core.errors import ApiError
from yingji.geo.distance import haversine_m
from yingji.geo.transform import from_wgs84
from yingji.grid import locating
from yingji.grid import service as grid
from yingji.grid.locate import GridIndex, locate_reference
from yingji.grid.models import GridArea, GridPoint

from .test_locate import assert_same

GSQ = "370103003"  # 杆石桥街道
SYL = "370103012"  # 舜玉路街道
URL = "/api/v1/grid/locate"


@pytest.fixture(scope="module")
def demo_index(demo) -> GridIndex:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return locating.build_index(s)


@pytest.fixture(scope="module")
def gsq_area(demo) -> tuple[str, float, float]:  # type: ignore[no-untyped-def]
    """An area of 杆石桥 and a WGS-84 position well inside it (20 m from any border)."""
    with demo.session() as s:
        area = s.scalars(
            select(GridArea).where(GridArea.subdistrict_code == GSQ).order_by(GridArea.code)
        ).first()
        assert area is not None
        polygon = shape(area.geometry)
        inner = polygon.buffer(-0.0003)  # ~25 m inward
        p = (inner if not inner.is_empty else polygon).representative_point()
        return area.code, p.x, p.y


def test_locates_sub_district_area_line_point_and_people(client, token_for, gsq_area) -> None:
    code, lon, lat = gsq_area
    r = client.get(
        URL,
        params={"lon": lon, "lat": lat, "max_distance_m": 500},
        headers=token_for("duty_officer"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["input"] == {"lon": lon, "lat": lat, "crs": "wgs84"}
    assert body["wgs84"]["lon"] == pytest.approx(lon, abs=1e-7)
    assert body["subdistrict"] == {"code": GSQ, "name": "杆石桥街道"}
    assert body["local_force"]["subdistrict_code"] == GSQ
    assert body["local_force"]["leader"]["phone"]
    assert body["area"]["code"] == code
    assert body["area"]["responsible"]["name"]
    assert body["max_distance_m"] == 500
    # 663 points and 40 lines in 杆石桥: something lies within 500 m
    for kind in ("line", "point"):
        assert body[kind] is not None, kind
        assert 0 <= body[kind]["distance_m"] <= 500
        assert body[kind]["responsible"]["name"]
        assert body[kind]["responsible"]["phone"]
    point = body["point"]
    assert haversine_m(lon, lat, point["lon"], point["lat"]) == pytest.approx(
        point["distance_m"], rel=0.005, abs=0.05
    )


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_gcj02_and_bd09_land_where_wgs84_does(client, token_for, gsq_area, crs) -> None:
    code, lon, lat = gsq_area
    headers = token_for("viewer")
    plain = client.get(URL, params={"lon": lon, "lat": lat}, headers=headers).json()
    shifted_lon, shifted_lat = from_wgs84(lon, lat, crs)
    assert haversine_m(lon, lat, shifted_lon, shifted_lat) > 100  # the offset is real here
    r = client.get(
        URL, params={"lon": shifted_lon, "lat": shifted_lat, "crs": crs}, headers=headers
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["input"]["crs"] == crs
    assert haversine_m(lon, lat, body["wgs84"]["lon"], body["wgs84"]["lat"]) < 0.5
    assert body["subdistrict"]["code"] == GSQ
    assert body["area"]["code"] == code
    for kind in ("line", "point"):
        assert (body[kind] or {}).get("code") == (plain[kind] or {}).get("code")


@pytest.mark.parametrize(
    ("given", "crs"), [("GCJ-02", "gcj02"), ("BD09LL", "bd09"), (" WGS84 ", "wgs84")]
)
def test_crs_names_forgive_case_and_hyphens(client, token_for, gsq_area, given, crs) -> None:
    _, lon, lat = gsq_area
    shifted = from_wgs84(lon, lat, crs)
    r = client.get(
        URL,
        params={"lon": shifted[0], "lat": shifted[1], "crs": given},
        headers=token_for("viewer"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["input"]["crs"] == crs
    assert haversine_m(lon, lat, r.json()["wgs84"]["lon"], r.json()["wgs84"]["lat"]) < 0.5


def test_a_grid_point_finds_itself(client, token_for, session) -> None:
    point = session.scalars(select(GridPoint).where(GridPoint.subdistrict_code == SYL)).first()
    r = client.get(URL, params={"lon": point.lon, "lat": point.lat}, headers=token_for("admin"))
    body = r.json()
    assert body["subdistrict"]["code"] == SYL
    assert body["point"]["code"] == point.code
    assert body["point"]["distance_m"] == 0
    assert body["point"]["responsible"]["name"] == point.responsible_name


def test_default_distance_comes_from_settings(client, token_for, gsq_area, settings) -> None:
    _, lon, lat = gsq_area
    body = client.get(URL, params={"lon": lon, "lat": lat}, headers=token_for("viewer")).json()
    assert body["max_distance_m"] == settings.locate_max_distance_m


def test_swapped_longitude_and_latitude_are_named(client, token_for, gsq_area) -> None:
    _, lon, lat = gsq_area
    r = client.get(URL, params={"lon": lat, "lat": lon}, headers=token_for("viewer"))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "swapped_coordinates"
    assert "填反" in body["message"] and "swapped" in body["message_en"]
    r = client.get(URL, params={"lon": 36.6, "lat": 117.0}, headers=token_for("viewer"))
    assert r.status_code == 422 and r.json()["code"] == "swapped_coordinates"


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"lon": 116.0, "lat": 36.6}, "outside_district", "lon"),  # Tai'an side, not here
        ({"lon": 121.47, "lat": 31.23, "crs": "gcj02"}, "outside_district", "lon"),  # Shanghai
        ({"lon": 2.35, "lat": 48.85}, "outside_district", "lon"),  # Paris
        ({"lon": 200.0, "lat": 36.6}, "out_of_range", "lon"),
        ({"lon": 117.0, "lat": 95.0}, "out_of_range", "lat"),
        ({"lon": 117.0, "lat": -91.0}, "out_of_range", "lat"),
        ({"lon": "nan", "lat": 36.6}, "invalid", "lon"),
        ({"lon": 117.0, "lat": "inf"}, "invalid", "lat"),
        ({"lon": 117.0, "lat": 36.6, "crs": "cgcs2000"}, "invalid_crs", "crs"),
        ({"lon": 117.0, "lat": 36.6, "crs": ""}, "invalid_crs", "crs"),
        ({"lon": "117E", "lat": 36.6}, "validation_error", "lon"),
        ({"lat": 36.6}, "validation_error", "lon"),
        ({"lon": 117.0, "lat": 36.6, "max_distance_m": 0}, "validation_error", "max_distance_m"),
        ({"lon": 117.0, "lat": 36.6, "max_distance_m": 5001}, "validation_error", "max_distance_m"),
    ],
)
def test_clear_errors(client, token_for, params, code, field) -> None:
    r = client.get(URL, params=params, headers=token_for("viewer"))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == code
    assert body["field"] == field
    assert body["message"] and body["message_en"]
    assert body["message"] != body["message_en"]
    # the item is repeated in ``errors``, as for every other 422 (review D6)
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["message"] and body["errors"][0]["message_en"]


def test_outside_message_is_bilingual(client, token_for) -> None:
    body = client.get(URL, params={"lon": 116.0, "lat": 36.6}, headers=token_for("viewer")).json()
    assert "不在本区范围内" in body["message"]
    assert "outside the district" in body["message_en"]


@pytest.mark.parametrize("role", ["subdistrict_operator", "grid_worker"])
def test_sub_district_bound_roles_locate_only_at_home(
    client, token_for, gsq_area, demo_index, role
) -> None:
    _, lon, lat = gsq_area
    home = token_for(role, GSQ)
    assert client.get(URL, params={"lon": lon, "lat": lat}, headers=home).status_code == 200
    syl = next(s for s in demo_index.subdistricts if s.code == SYL)
    p = shape(syl.geometry).representative_point()
    r = client.get(URL, params={"lon": p.x, "lat": p.y}, headers=home)
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert (
        client.get(URL, params={"lon": p.x, "lat": p.y}, headers=token_for(role, SYL)).status_code
        == 200
    )


def test_who_may_locate(client, token_for, gsq_area) -> None:
    _, lon, lat = gsq_area
    params = {"lon": lon, "lat": lat}
    assert client.get(URL, params=params).status_code == 401
    assert (
        client.get(
            URL, params=params, headers=token_for("enterprise_user", "91110000600037341L")
        ).status_code
        == 403
    )
    for role, scope in [
        ("committee", None),
        ("hq_commander", "HQ-SAFETY"),
        ("department_operator", "DEPT-EM"),
    ]:
        assert client.get(URL, params=params, headers=token_for(role, scope)).status_code == 200


def test_index_follows_the_grid_revision(client, token_for, demo, monkeypatch) -> None:
    """A change to the grid shows in locate once the revision moves (checked ≤ 1/s)."""
    monkeypatch.setattr(locating, "REVISION_CHECK_INTERVAL_S", 0.0)
    with demo.session() as s:
        point = s.scalars(select(GridPoint).where(GridPoint.subdistrict_code == GSQ)).first()
        code, old_name, lon, lat = point.code, point.responsible_name, point.lon, point.lat
    params = {"lon": lon, "lat": lat, "max_distance_m": 1}
    headers = token_for("admin")
    assert (
        client.get(URL, params=params, headers=headers).json()["point"]["responsible"]["name"]
        == old_name
    )
    try:
        with demo.session() as s:
            s.get(GridPoint, point.id).responsible_name = "新责任人"
            grid.bump_revision(s)
            s.commit()
        body = client.get(URL, params=params, headers=headers).json()
        assert body["point"]["code"] == code
        assert body["point"]["responsible"]["name"] == "新责任人"
    finally:
        with demo.session() as s:
            s.get(GridPoint, point.id).responsible_name = old_name
            grid.bump_revision(s)
            s.commit()


def test_revision_is_not_read_on_every_call(demo, monkeypatch) -> None:
    calls = []
    real = locating.current_revision
    monkeypatch.setattr(locating, "current_revision", lambda db: calls.append(1) or real(db))
    monkeypatch.setattr(locating, "REVISION_CHECK_INTERVAL_S", 3600.0)
    with demo.session() as s:
        locating.locate_index(s)  # may read it once (cache older than the interval)
        before = len(calls)
        for _ in range(50):
            locating.locate_index(s)
    assert len(calls) == before


@settings(max_examples=300, deadline=None)
@given(u=st.floats(0, 1), v=st.floats(0, 1), max_d=st.floats(1, 800))
def test_demo_index_agrees_with_brute_force(demo_index, u, v, max_d) -> None:
    minx, miny, maxx, maxy = shapely.total_bounds(
        [shape(s.geometry) for s in demo_index.subdistricts]
    )
    lon = minx - 0.002 + u * (maxx - minx + 0.004)
    lat = miny - 0.002 + v * (maxy - miny + 0.004)
    assert_same(
        demo_index.locate(lon, lat, max_d), locate_reference(demo_index, lon, lat, max_d), max_d
    )


def test_demo_scale(demo_index) -> None:
    assert len(demo_index.subdistricts) == 17  # parks are not part of locating
    assert (len(demo_index.areas), len(demo_index.lines), len(demo_index.points)) == (
        127,
        322,
        4758,
    )


def test_every_demo_point_is_located_in_its_sub_district(demo_index) -> None:
    rng = random.Random(5)
    for p in rng.sample(demo_index.points, 400):
        found = demo_index.locate(p.lon, p.lat, 1.0)
        assert found is not None and found.subdistrict.code == p.subdistrict_code
        assert found.point is not None and found.point.point.code == p.code
        assert math.isclose(found.point.distance_m, 0.0, abs_tol=1e-9)


def test_intake_facts_are_the_answer_as_json(demo, demo_index) -> None:
    """``located_facts`` (what intake stores, built without pydantic) equals the API's answer
    dumped as JSON, at positions all over the district in all three coordinate systems."""
    rng = random.Random(5)
    lo_lon, lo_lat, hi_lon, hi_lat = shapely.union_all(
        [shape(s.geometry) for s in demo_index.subdistricts]
    ).bounds
    checked = 0
    with demo.session() as s:
        while checked < 300:
            lon, lat = rng.uniform(lo_lon, hi_lon), rng.uniform(lo_lat, hi_lat)
            crs = rng.choice(["wgs84", "gcj02", "bd09"])
            lon, lat = from_wgs84(lon, lat, crs) if crs != "wgs84" else (lon, lat)
            try:
                pos = locating.find(s, lon=lon, lat=lat, crs=crs)
            except ApiError:
                continue  # outside the district
            answer = locating.locate(s, lon=lon, lat=lat, crs=crs)
            dumped = answer.model_dump(mode="json", exclude={"input", "max_distance_m"})
            assert locating.located_facts(pos) == dumped
            checked += 1
