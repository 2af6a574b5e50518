"""The demo generator, without a database: scale, codes, people and exact geometry."""

from __future__ import annotations

import itertools
import re
from collections import Counter

import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, shape

from yingji.demo.district import (
    DEFAULT_SEED,
    DemoDistrict,
    generate_district,
)
from yingji.demo.geometry import to_metres

MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0531-[68]\d{7}$")
SUBDISTRICTS = {
    "370103002": "大观园街道",
    "370103003": "杆石桥街道",
    "370103004": "四里村街道",
    "370103006": "魏家庄街道",
    "370103008": "二七街道",
    "370103009": "七里山街道",
    "370103010": "六里山街道",
    "370103012": "舜玉路街道",
    "370103014": "泺源街道",
    "370103015": "王官庄街道",
    "370103016": "舜耕街道",
    "370103017": "白马山街道",
    "370103018": "七贤街道",
    "370103019": "十六里河街道",
    "370103020": "兴隆街道",
    "370103021": "党家街道",
    "370103022": "陡沟街道",
}
HEADQUARTERS = {
    "HQ-FOREST": "市中区森林防灭火指挥部",
    "HQ-FLOOD": "市中区防汛抗旱指挥部",
    "HQ-GEO": "市中区地质灾害指挥部",
    "HQ-SAFETY": "市中区生产安全指挥部",
    "HQ-FIRE": "市中区城市消防指挥部",
    "HQ-BUILD": "市中区城乡建设指挥部",
    "HQ-ENV": "市中区生态环境指挥部",
    "HQ-HEALTH": "市中区公共卫生指挥部",
    "HQ-MARKET": "市中区市场监管指挥部",
}
GANSHIQIAO = "370103003"
OTHER_SEEDS = (1, 777)


@pytest.fixture(scope="module", params=(DEFAULT_SEED, *OTHER_SEEDS))
def district(request: pytest.FixtureRequest) -> DemoDistrict:
    return generate_district(request.param)


@pytest.fixture(scope="module")
def default() -> DemoDistrict:
    return generate_district(DEFAULT_SEED)


def _sub_shapes(d: DemoDistrict) -> dict[str, Polygon]:
    return {r["code"]: shape(r["geometry"]) for r in d.subdistricts if r["kind"] == "subdistrict"}


def _area_shapes(d: DemoDistrict) -> dict[str, Polygon]:
    return {r["code"]: shape(r["geometry"]) for r in d.areas}


def test_same_seed_same_district_other_seed_other_district(default: DemoDistrict) -> None:
    again = generate_district.__wrapped__(DEFAULT_SEED)  # bypass the cache
    assert again is not default
    assert again.tables() == default.tables()
    assert again.outline.equals_exact(default.outline, 0.0)
    other = generate_district(OTHER_SEEDS[0])
    assert other.points != default.points
    assert other.areas != default.areas
    assert [p["name"] for p in other.persons] != [p["name"] for p in default.persons]


def test_exact_scale(district: DemoDistrict) -> None:
    subs = [r for r in district.subdistricts if r["kind"] == "subdistrict"]
    assert len(subs) == 17
    assert len(district.areas) == 127
    assert len(district.lines) == 322
    assert len(district.points) == 4758
    assert sum(r["subdistrict_code"] == GANSHIQIAO for r in district.areas) == 8
    assert sum(r["subdistrict_code"] == GANSHIQIAO for r in district.lines) == 40
    assert sum(r["subdistrict_code"] == GANSHIQIAO for r in district.points) == 663
    # Every sub-district has areas, lines and points.
    for rows in (district.areas, district.lines, district.points):
        assert set(Counter(r["subdistrict_code"] for r in rows)) == set(SUBDISTRICTS)


def test_subdistricts_and_headquarters_are_the_real_ones(default: DemoDistrict) -> None:
    subs = {r["code"]: r["name"] for r in default.subdistricts if r["kind"] == "subdistrict"}
    assert subs == SUBDISTRICTS
    assert {r["code"]: r["name"] for r in default.headquarters} == HEADQUARTERS
    departments = {r["code"] for r in default.departments}
    assert len(departments) == 16
    assert {"DEPT-EM", "DEPT-PS", "DEPT-FIRE", "DEPT-WATER", "DEPT-NR"} <= departments
    for hq in default.headquarters:
        assert hq["lead_department_code"] in departments
        assert hq["office_name"] == hq["name"] + "办公室"
    members = [(m["headquarters_code"], m["department_code"]) for m in default.headquarters_members]
    assert len(members) == len(set(members))
    assert {d for _, d in members} <= departments
    assert {h for h, _ in members} == set(HEADQUARTERS)
    for hq_code, dept in members:
        lead = next(h for h in default.headquarters if h["code"] == hq_code)
        assert dept != lead["lead_department_code"]


def test_organisation_people(default: DemoDistrict) -> None:
    people = {p["id"]: p for p in default.persons}
    (committee,) = default.committees
    assert people[committee["first_director_id"]]["title"] == "区委书记"
    assert people[committee["director_id"]]["title"] == "区长"
    heads = {d["code"]: d["head_id"] for d in default.departments}
    for hq in default.headquarters:
        assert people[hq["commander_id"]]["title"].startswith("副区长")
        # The office is headed by the lead department's principal (seed report).
        assert hq["office_director_id"] == heads[hq["lead_department_code"]]
    forces = {f["subdistrict_code"]: f for f in default.local_forces}
    assert set(forces) == {r["code"] for r in default.subdistricts}
    for force in forces.values():
        leader = people[force["leader_id"]]
        assert leader["unit_code"] == force["subdistrict_code"]
        assert force["members"] > 0
    for person in default.persons:
        assert person["name"] and person["title"]
        assert MOBILE.match(person["phone"]), person
    phones = [p["phone"] for p in default.persons]
    assert len(phones) == len(set(phones))


def test_phones_are_valid(district: DemoDistrict) -> None:
    for row in itertools.chain(district.areas, district.lines, district.points):
        assert MOBILE.match(row["responsible_phone"]), row["code"]
        assert row["responsible_name"] and row["responsible_title"]
        assert row["patrol_cycle"] in ("daily", "weekly", "monthly")
    for row in itertools.chain(district.departments, district.subdistricts, district.local_forces):
        assert LANDLINE.match(row["duty_phone"]), row
    for row in district.headquarters:
        assert LANDLINE.match(row["office_phone"])


def test_codes_are_unique_and_well_formed(district: DemoDistrict) -> None:
    patterns = {
        "areas": re.compile(r"^370103\d{3}-A\d{2}$"),
        "lines": re.compile(r"^370103\d{3}-L\d{3}$"),
        "points": re.compile(r"^370103\d{3}-P\d{4}$"),
    }
    for table, pattern in patterns.items():
        rows = getattr(district, table)
        codes = [r["code"] for r in rows]
        assert len(codes) == len(set(codes)), table
        for row in rows:
            assert pattern.match(row["code"]), row["code"]
            assert row["code"].startswith(row["subdistrict_code"] + "-")
    all_codes = [r["code"] for r in district.subdistricts]
    assert len(all_codes) == len(set(all_codes))
    assert len({r["name"] for r in district.areas}) == 127
    assert len({r["name"] for r in district.lines}) == 322


def test_subdistricts_tile_the_outline(district: DemoDistrict) -> None:
    subs = _sub_shapes(district)
    outline = district.outline
    assert isinstance(outline, Polygon) and outline.is_valid
    minx, miny, maxx, maxy = outline.bounds
    assert 116.88 <= minx < maxx <= 117.08
    assert 36.50 <= miny < maxy <= 36.67
    for code, poly in subs.items():
        assert isinstance(poly, Polygon), code
        assert poly.is_valid, code
    total = sum(p.area for p in subs.values())
    assert abs(total - outline.area) <= 1e-9 * outline.area
    for (a, pa), (b, pb) in itertools.combinations(subs.items(), 2):
        assert pa.intersection(pb).area == 0.0, (a, b)
    assert shapely.coverage_union_all(list(subs.values())).equals(outline)


def test_outline_is_narrow_in_the_north(default: DemoDistrict) -> None:
    def width_at(lat: float) -> float:
        cut = default.outline.intersection(LineString([(116.8, lat), (117.2, lat)]))
        return to_metres(cut).length

    assert width_at(36.655) < width_at(36.55) / 2
    # The old-city sub-districts are small, the mountain ones in the south large.
    km2 = {r["code"]: r["area_km2"] for r in default.subdistricts}
    assert km2[GANSHIQIAO] < km2["370103021"] / 5


def test_areas_tile_their_subdistrict(district: DemoDistrict) -> None:
    subs = _sub_shapes(district)
    areas = _area_shapes(district)
    by_sub: dict[str, list[Polygon]] = {}
    for row in district.areas:
        poly = areas[row["code"]]
        assert isinstance(poly, Polygon) and poly.is_valid, row["code"]
        sub = subs[row["subdistrict_code"]]
        assert sub.covers(poly), row["code"]
        by_sub.setdefault(row["subdistrict_code"], []).append(poly)
        assert row["households"] > 0 and row["population"] >= row["households"]
    for code, polys in by_sub.items():
        assert abs(sum(p.area for p in polys) - subs[code].area) <= 1e-9 * subs[code].area
        for a, b in itertools.combinations(polys, 2):
            assert a.intersection(b).area == 0.0
    population = {r["code"]: r["population"] for r in district.subdistricts}
    for code in subs:
        assert population[code] == sum(
            r["population"] for r in district.areas if r["subdistrict_code"] == code
        )


def test_lines_lie_in_their_area(district: DemoDistrict) -> None:
    areas = _area_shapes(district)
    subs = _sub_shapes(district)
    for row in district.lines:
        line = shape(row["geometry"])
        assert isinstance(line, LineString) and line.is_valid
        assert subs[row["subdistrict_code"]].covers(line), row["code"]
        assert row["area_code"] is not None
        assert row["area_code"].startswith(row["subdistrict_code"])
        assert areas[row["area_code"]].covers(line), row["code"]
        assert row["length_m"] == pytest.approx(to_metres(line).length, abs=0.1)
        assert row["length_m"] >= 30
        assert "段" in row["name"] or not row["name"].startswith(("经十路", "英雄山路"))


def test_points_lie_in_their_area(district: DemoDistrict) -> None:
    areas = _area_shapes(district)
    lines = {r["code"]: (r, to_metres(shape(r["geometry"]))) for r in district.lines}
    tree = shapely.STRtree(list(areas.values()))
    area_codes = list(areas)
    for row in district.points:
        point = Point(row["lon"], row["lat"])
        assert areas[row["area_code"]].contains(point), row["code"]
        # ... and in no other area.
        hits = [area_codes[i] for i in tree.query(point, predicate="intersects")]
        assert hits == [row["area_code"]], row["code"]
        assert round(row["lon"], 7) == row["lon"] and round(row["lat"], 7) == row["lat"]
        assert re.match(r"^市中区.+\d+号$", row["address"]), row["address"]
        assert row["fire_extinguishers"] >= 1
        if row["line_code"] is not None:
            line_row, line_m = lines[row["line_code"]]
            assert line_row["subdistrict_code"] == row["subdistrict_code"]
            assert to_metres(point).distance(line_m) <= 50.0 + 1e-6
    on_lines = sum(r["line_code"] is not None for r in district.points)
    assert 0.5 < on_lines / len(district.points) < 0.95


def test_line_code_is_the_nearest_line_within_50_m(default: DemoDistrict) -> None:
    lines_by_sub: dict[str, list[tuple[str, object]]] = {}
    for r in default.lines:
        lines_by_sub.setdefault(r["subdistrict_code"], []).append(
            (r["code"], to_metres(shape(r["geometry"])))
        )
    for row in default.points[::7]:
        p = to_metres(Point(row["lon"], row["lat"]))
        distances = sorted(
            (p.distance(g), code) for code, g in lines_by_sub[row["subdistrict_code"]]
        )
        if distances[0][0] > 50.0:
            assert row["line_code"] is None, row["code"]
        else:
            assert row["line_code"] is not None, row["code"]
            own = next(d for d, code in distances if code == row["line_code"])
            assert own == pytest.approx(distances[0][0], abs=1e-6)


def test_points_are_varied_and_named(default: DemoDistrict) -> None:
    kinds = Counter(r["kind"] for r in default.points)
    for kind in ("shop", "residential", "school", "restaurant", "factory", "gas_station"):
        assert kinds[kind] > 0, kind
    assert kinds["residential"] > kinds["factory"]
    residential = [r["name"] for r in default.points if r["kind"] == "residential"]
    assert all(re.search(r"\d+号楼$", n) for n in residential)
    # The old city is shops and flats; factories sit in the south.
    south = {"370103019", "370103020", "370103021", "370103022"}
    factories = [r for r in default.points if r["kind"] == "factory"]
    assert sum(r["subdistrict_code"] in south for r in factories) > len(factories) / 2


def test_parks_lie_inside_their_subdistrict(district: DemoDistrict) -> None:
    subs = _sub_shapes(district)
    parks = [r for r in district.subdistricts if r["kind"] == "park"]
    assert 2 <= len(parks) <= 3
    for park in parks:
        poly = shape(park["geometry"])
        assert isinstance(poly, Polygon) and poly.is_valid
        assert subs[park["parent_code"]].contains(poly)
        assert park["area_km2"] > 0.1
