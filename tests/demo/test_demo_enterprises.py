"""The demo enterprises at the seed report's scale: 235 enterprises, 7,207 risk points and
25,788 hazard sources, every credit code valid, every enterprise inside its sub-district."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from shapely.geometry import Point
from sqlalchemy import func, select

from yingji.core.creditcode import is_valid
from yingji.demo.district import DEFAULT_SEED, generate_district, subdistrict_shapes
from yingji.demo.enterprises import (
    DEMO_ENTERPRISE_CODE,
    HAZARD_SOURCES,
    RISK_POINTS,
    generate_enterprises,
)
from yingji.enterprise.models import Enterprise
from yingji.prevention.risk.models import HazardSource, RiskPoint

TODAY = date(2026, 12, 3)


@pytest.fixture(scope="module")
def generated():
    district = generate_district(DEFAULT_SEED)
    return district, generate_enterprises(DEFAULT_SEED, TODAY, district)


def test_the_seed_reports_counts_exactly(generated):
    _, data = generated
    assert (len(data.enterprises), len(data.risk_points), len(data.sources)) == (
        235, RISK_POINTS, HAZARD_SOURCES,
    )  # fmt: skip
    assert (RISK_POINTS, HAZARD_SOURCES) == (7207, 25788)
    per_enterprise = Counter(p["enterprise_code"] for p in data.risk_points)
    assert len(per_enterprise) == 235 and min(per_enterprise.values()) >= 1
    per_point = Counter(s["point"] for s in data.sources)
    assert len(per_point) == RISK_POINTS and min(per_point.values()) >= 1


def test_codes_are_valid_unique_and_the_demo_account_names_one(generated):
    _, data = generated
    codes = [e["code"] for e in data.enterprises]
    assert len(set(codes)) == 235 and all(is_valid(c) for c in codes)
    assert all(c[2:8] == "370103" for c in codes)
    assert codes[0] == DEMO_ENTERPRISE_CODE
    assert len({e["name"] for e in data.enterprises}) == 235
    tags = [p["tag"] for p in data.risk_points]
    assert len(set(tags)) == len(tags)


def test_every_enterprise_stands_on_a_grid_point_inside_its_subdistrict(generated):
    district, data = generated
    shapes = subdistrict_shapes(district)
    points = {p["code"]: p for p in district.points}
    for e in data.enterprises:
        grid = points[e["grid_point_code"]]
        assert grid["kind"] in ("factory", "warehouse", "gas_station")
        assert grid["subdistrict_code"] == e["subdistrict_code"]
        assert shapes[e["subdistrict_code"]].contains(Point(e["lon"], e["lat"]))
    assert len({e["grid_point_code"] for e in data.enterprises}) == 235


def test_the_mix_follows_the_seed(generated):
    _, data = generated
    kinds = Counter(e["kind"] for e in data.enterprises)
    assert kinds["industrial"] == 120
    assert kinds["hazchem_storage"] + kinds["hazchem_trade"] + kinds["hazchem_use"] == 115
    stations = [e for e in data.enterprises if e["industry_code"] == "F5265"]
    assert len(stations) == 26 and all("加油" in e["name"] for e in stations)


def test_generation_is_deterministic():
    a = generate_enterprises(DEFAULT_SEED, TODAY)
    b = generate_enterprises(DEFAULT_SEED, TODAY)
    assert a.enterprises == b.enterprises and a.risk_points == b.risk_points
    assert a.sources == b.sources and a.controls == b.controls


def test_the_loaded_demo_has_them(session, generated):
    # other tests add enterprises of their own to the shared database: count the demo's
    codes = [e["code"] for e in generated[1].enterprises]
    assert session.scalar(select(func.count()).where(Enterprise.code.in_(codes))) == 235
    points = select(func.count()).where(RiskPoint.enterprise_code.in_(codes))
    assert session.scalar(points) == RISK_POINTS
    sources = select(func.count()).where(HazardSource.enterprise_code.in_(codes))
    assert session.scalar(sources) == HAZARD_SOURCES
    assert session.get(Enterprise, DEMO_ENTERPRISE_CODE) is not None


def test_demo_hazards_in_every_state(session, generated):
    from yingji.prevention.hazard import rules
    from yingji.prevention.hazard.models import Hazard, HazardEvent

    codes = [e["code"] for e in generated[1].enterprises]
    hazards = session.scalars(select(Hazard).where(Hazard.enterprise_code.in_(codes))).all()
    assert len(hazards) >= 600
    assert {h.state for h in hazards} == set(rules.STATES)
    assert any(h.grade == "major" for h in hazards) and any(h.overdue for h in hazards)
    assert any(h.listed_supervision for h in hazards)
    for h in hazards:
        if h.grade == "major" and h.state != "registered":
            assert h.treatment_plan  # a major hazard in rectification has its plan
        if h.overdue:
            assert h.state == "rectifying" and h.deadline is not None
    first = session.scalars(
        select(HazardEvent.kind)
        .where(HazardEvent.hazard_id == hazards[0].id)
        .order_by(HazardEvent.id)
    ).all()
    assert first[0] == "registered"
