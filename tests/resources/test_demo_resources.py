"""Demo resources: deterministic, at the seed report's scale, every position inside its
sub-district."""

from __future__ import annotations

from datetime import date

from shapely.geometry import Point

from yingji.demo.district import generate_district, subdistrict_shapes
from yingji.demo.resources import generate_resources

SEED = 20200326
TODAY = date(2026, 7, 1)


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a, b = generate_resources(SEED, TODAY), generate_resources(SEED, TODAY)
    assert a == b
    c = generate_resources(SEED + 1, TODAY)
    assert [w["lon"] for w in c.warehouses] != [w["lon"] for w in a.warehouses]


def test_scale_of_the_seed_report() -> None:
    data = generate_resources(SEED, TODAY)
    flood = [t for t in data.teams if t["kind"] == "flood"]
    assert len(flood) == 28
    flood_codes = {t["code"] for t in flood}
    assert sum(1 for m in data.members if m["team_code"] in flood_codes) >= 1300
    assert sum(1 for t in data.teams if t["kind"] == "social") == 7
    assert sum(1 for t in data.teams if t["kind"] == "enterprise") == 4
    assert len(data.experts) >= 60
    assert len(data.stations) == 17
    assert len(data.videos) == 16
    owners = {w["owner_code"] for w in data.warehouses if w["owner_type"] == "department"}
    assert len(owners) >= 5 and sum(w["owner_type"] == "subdistrict" for w in data.warehouses) == 17
    items = {b["item_code"] for b in data.batches}
    assert {"SANDBAG", "PUMP", "LIFEJACKET", "TENT", "EXTINGUISHER", "PROTSUIT", "AMMONIANEUT",
            "LIGHTING", "ASSAULTBOAT"} <= items  # fmt: skip
    assert all(b["quantity_milli"] > 0 for b in data.batches)
    assert all(
        b["expiry_date"] is None or b["expiry_date"] >= b["production_date"] for b in data.batches
    )
    assert {t["year"] for t in data.targets} == set(range(2020, 2031))


def test_every_position_lies_inside_its_subdistrict() -> None:
    shapes = subdistrict_shapes(generate_district(SEED))
    data = generate_resources(SEED, TODAY)
    for rows in (data.warehouses, data.teams, data.experts, data.stations, data.videos):
        for row in rows:
            assert shapes[row["subdistrict_code"]].contains(Point(row["lon"], row["lat"])), row[
                "code"
            ]


def test_demo_phones_are_valid() -> None:
    from yingji.core.validators import normalize_phone

    data = generate_resources(SEED, TODAY)
    phones = [w["keeper_phone"] for w in data.warehouses] + [m["phone"] for m in data.members]
    phones += [e["phone"] for e in data.experts] + [t["duty_phone"] for t in data.teams]
    assert all(normalize_phone(p, required=True) == p for p in phones)
