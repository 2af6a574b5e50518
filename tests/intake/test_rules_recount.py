"""Recounting an incident from its reports (``intake.recount``): exact boundaries and
properties — figures are maxima, never sums; the level never falls below an officer's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.intake import grading
from yingji.intake.recount import (
    ReportFacts,
    facts_of,
    leading_position,
    recount,
    scene_codes,
)

T0 = datetime(2026, 8, 18, 9, 0, tzinfo=UTC)


def _r(
    i: int,
    *,
    level: str = "IV",
    minutes: int = 0,
    code: str | None = "21C01",
    lon: float | None = 117.0,
    lat: float | None = 36.6,
    **facts: int,
) -> ReportFacts:
    return ReportFacts(
        id=i,
        occurred_at=T0 + timedelta(minutes=minutes),
        channel="public" if i % 2 else "alarm",
        level=level,
        facts=grading.Facts(**facts),
        category_code=code,
        category_source="keyword",
        category_confidence=0.8,
        lon=lon,
        lat=lat,
    )


def test_two_reports_of_one_crash_count_its_injured_once():
    rc = recount([_r(1, injuries=2), _r(2, injuries=3)], grading_rule="general", floor=None)
    assert rc.facts.injuries == 3 and rc.report_count == 2


@pytest.mark.parametrize(("deaths", "level"), [(2, "IV"), (3, "III"), (9, "III"), (10, "II")])
def test_the_level_at_the_grading_boundaries(deaths, level):
    rc = recount([_r(1, deaths=deaths)], grading_rule="production_safety", floor=None)
    assert rc.level == level


def test_the_floor_holds_exactly_and_only_upwards():
    reports = [_r(1, deaths=3)]  # III by the figures
    assert recount(reports, grading_rule="general", floor="III").level == "III"
    assert recount(reports, grading_rule="general", floor="II").level == "II"
    assert recount(reports, grading_rule="general", floor="IV").level == "III"


def test_a_reports_own_level_counts():
    rc = recount([_r(1, level="II"), _r(2)], grading_rule="general", floor=None)
    assert rc.level == "II" and rc.reasons == ["报告 #1 定级 II"]


def test_at_least_keeps_what_the_incidents_knew():
    rc = recount([_r(1)], grading_rule="general", floor=None, at_least=grading.Facts(missing=1))
    assert rc.facts.missing == 1


def test_no_reports_is_no_incident():
    with pytest.raises(ValueError):
        recount([], grading_rule="general", floor=None)


def test_facts_of_a_stored_report():
    f = facts_of({"deaths": 1, "injuries": None}, 5.0, None)
    assert f == grading.Facts(deaths=1, direct_loss_cny=5.0)


def test_the_category_and_position_that_lead_after_reports_moved():
    rest = [_r(2, minutes=5, code="21B01", lon=117.1), _r(3, minutes=1, code=None, lon=117.2)]
    # the reports' categories, earliest first (the current lead first while one carries it)
    assert scene_codes(rest, current="21C01", secondary=[], source="keyword") == (["21B01"], None)
    two = [*rest, _r(4, minutes=0, code="21C02")]
    assert scene_codes(two, current="21B01", secondary=[], source="keyword") == (
        ["21B01", "21C02"],
        None,
    )
    assert scene_codes(two, current="21A03", secondary=[], source="keyword") == (
        ["21C02", "21B01"],
        None,
    )
    # an officer's lead stays; of its secondaries only those a report still carries
    assert scene_codes(rest, current="21C01", secondary=["21B01", "91A02"], source="officer") == (
        ["21C01", "21B01"],
        "21C01",
    )
    # no report carries a category: left as it is
    none = [_r(5, code=None)]
    assert scene_codes(none, current="21C01", secondary=[], source="keyword") is None
    assert leading_position(rest, current=(117.0, 36.6), manual=False) == (117.2, 36.6)
    assert leading_position(rest, current=(117.0, 36.6), manual=True) == (117.0, 36.6)
    assert leading_position(rest, current=(117.1, 36.6), manual=False) == (117.1, 36.6)


_count = st.one_of(st.none(), st.integers(min_value=0, max_value=200))
_reports = st.lists(
    st.builds(
        lambda i, level, d, s, inj: _r(i, level=level, deaths=d, serious_injuries=s, injuries=inj),
        st.integers(min_value=1, max_value=10_000),
        st.sampled_from(grading.LEVELS),
        _count,
        _count,
        _count,
    ),
    min_size=1,
    max_size=8,
)


@given(a=_reports, b=_reports, floor=st.one_of(st.none(), st.sampled_from(grading.LEVELS)))
def test_a_merge_never_sums_never_lowers_and_ignores_order(a, b, floor):
    both = recount(a + b, grading_rule="general", floor=floor)
    for part in (a, b):
        alone = recount(part, grading_rule="general", floor=floor)
        assert grading.rank(both.level) <= grading.rank(alone.level)  # a merge only rises
        for field in ("deaths", "serious_injuries", "injuries"):
            mine, whole = getattr(alone.facts, field), getattr(both.facts, field)
            assert mine is None or (whole is not None and whole >= mine)
    for field in ("deaths", "serious_injuries", "injuries"):
        values = [getattr(r.facts, field) for r in a + b if getattr(r.facts, field) is not None]
        assert getattr(both.facts, field) == (max(values) if values else None)  # never a sum
    assert recount(b + a, grading_rule="general", floor=floor).level == both.level
    assert both.report_count == len(a) + len(b)
    if floor is not None:
        assert grading.rank(both.level) <= grading.rank(floor)
