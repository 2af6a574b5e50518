"""Merge decision and reporting deadlines (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from yingji.geo.distance import LocalFrame, haversine_m
from yingji.intake.deadlines import deadlines, next_due, overdue
from yingji.intake.merge import (
    Candidate,
    Incoming,
    choose,
    consider,
    keys_around,
    lock_keys,
    merge_key,
)

T0 = datetime(2026, 8, 18, 9, 0, tzinfo=UTC)
LON, LAT = 116.98, 36.62
FRAME = LocalFrame.around(LON, LAT)


def at(dx_m: float, dy_m: float) -> tuple[float, float]:
    return (
        FRAME.to_lonlat(*FRAME.to_xy(LON, LAT))
        if dx_m == dy_m == 0
        else (
            LON + dx_m / FRAME.m_per_deg_lon,
            LAT + dy_m / FRAME.m_per_deg_lat,
        )
    )


def cand(i: int, dx: float, minutes: float, code: str = "21C01") -> Candidate:
    lon, lat = at(dx, 0)
    return Candidate(i, code, lon, lat, T0 + timedelta(minutes=minutes))


def inc(code: str = "21C01", minutes: float = 0) -> Incoming:
    return Incoming(code, LON, LAT, T0 + timedelta(minutes=minutes))


def test_merges_within_radius_and_window_with_reason():
    d = consider(inc(), cand(7, 290, 100))
    assert d.merge and d.incident_id == 7
    assert "并入" in d.reason and "290" in d.reason


def test_boundaries():
    assert not consider(inc(), cand(1, 310, 0)).merge
    assert consider(inc(), cand(1, 0, 120)).merge
    assert not consider(inc(), cand(1, 0, 121)).merge
    assert not consider(inc("21B01"), cand(1, 0, 0)).merge
    assert consider(inc("21C02"), cand(1, 0, 0, "21C01")).merge  # same 小类 火灾事故
    assert not consider(Incoming(None, LON, LAT, T0), cand(1, 0, 0)).merge


def test_time_counted_between_occurrences_not_arrivals():
    # The report arrives three hours late but describes the same moment.
    assert consider(inc(minutes=-30), cand(1, 50, 0)).merge


def test_choose_nearest():
    d = choose(inc(), [cand(1, 250, 0), cand(2, 40, 90), cand(3, 500, 0)])
    assert d.incident_id == 2
    assert not choose(inc(), []).merge


@given(st.floats(0, 2000), st.floats(-400, 400), st.floats(10, 3000), st.floats(60, 20000))
def test_merge_iff_within_limits(dx, minutes, radius_m, window_s):
    d = consider(inc(minutes=minutes), cand(1, dx, 0), radius_m=radius_m, window_s=window_s)
    assert d.merge == (d.distance_m <= radius_m and abs(minutes) * 60 <= window_s)


def test_deadlines_by_level():
    iv = deadlines(T0, "IV")
    assert [d.step for d in iv] == ["county", "city"]
    assert iv[0].due_at == T0 + timedelta(hours=1)
    assert iv[1].due_at == T0 + timedelta(hours=3)
    assert [d.step for d in deadlines(T0, "III")][-1] == "province"
    assert deadlines(T0, "I")[-1].due_at == T0 + timedelta(hours=7)


def test_overdue_is_a_function_of_now():
    items = deadlines(T0, "IV")
    assert overdue(items, done=set(), now=T0 + timedelta(minutes=60)) == []
    late = overdue(items, done=set(), now=T0 + timedelta(minutes=61))
    assert [d.step for d in late] == ["county"]
    assert overdue(items, done={"county"}, now=T0 + timedelta(minutes=61)) == []
    assert next_due(items, done={"county"}).step == "city"


@given(
    st.floats(116.0, 118.0),
    st.floats(-60.0, 60.0),
    st.floats(0.0, 360.0),
    st.floats(0.0, 1.0),
    st.sampled_from([50.0, 300.0, 1000.0, 5000.0]),
)
def test_every_position_within_the_radius_lies_in_a_cell_around(lon, lat, bearing, frac, radius):
    """Candidates are read by merge key: none within the radius may sit outside the cells."""
    frame = LocalFrame.around(lon, lat)
    d = radius * frac
    other = frame.to_lonlat(
        d * math.sin(math.radians(bearing)), d * math.cos(math.radians(bearing))
    )
    if haversine_m(lon, lat, *other) > radius:
        return  # the flat frame's small error pushed it just outside
    assert merge_key("21C", *other) in keys_around("21C", lon, lat, radius)


def test_cells_around_a_point_are_few_at_the_default_radius():
    # a 600 m circle over cells of 446 m × 555 m: 2–3 cells each way, never more
    assert len(keys_around("21C", 117.0049, 36.6049, 300.0)) == 4  # near a corner
    assert len(keys_around("21C", 117.0025, 36.6025, 300.0)) == 9  # mid-cell
    assert merge_key("21C", 117.0001, 36.6001) == "21C:23400:7320"
    assert lock_keys("21C", 117.01, 36.61, 300.0) == ["21C:5850:1830"]


@given(
    st.floats(116.0, 118.0),
    st.floats(-60.0, 60.0),
    st.floats(0.0, 360.0),
    st.floats(0.0, 1.0),
    st.sampled_from([50.0, 300.0, 1000.0, 5000.0]),
)
def test_two_reports_that_could_merge_always_share_a_lock(lon, lat, bearing, frac, radius):
    frame = LocalFrame.around(lon, lat)
    d = radius * frac
    other = frame.to_lonlat(
        d * math.sin(math.radians(bearing)), d * math.cos(math.radians(bearing))
    )
    if haversine_m(lon, lat, *other) > radius:
        return
    shared = set(lock_keys("21C", lon, lat, radius)) & set(lock_keys("21C", *other, radius))
    assert shared


def test_pending_due_at_is_the_earliest_report_not_made():
    from datetime import UTC, datetime

    from yingji.intake.deadlines import deadlines as clocks
    from yingji.intake.deadlines import pending_due_at

    known = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
    stored = [d.as_dict() for d in clocks(known, "III")]
    county, city, province = (d.due_at for d in clocks(known, "III"))
    assert pending_due_at(stored, []) == county
    assert pending_due_at(stored, ["county"]) == city
    assert pending_due_at(stored, {"county", "city"}) == province
    assert pending_due_at(stored, ["city"]) == county  # out of order: still the earliest
    assert pending_due_at(stored, ["county", "city", "province"]) is None
    assert pending_due_at([], []) is None
