"""The merge rule under a policy (issue 13): exact boundaries and properties."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.geo.distance import haversine_m
from yingji.intake import places, policy
from yingji.intake.merge import Candidate, Incoming, Place, choose, consider
from yingji.intake.scenes import lead_and_rest

T0 = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
LON, LAT = 117.0, 36.65


def _doc(**over):  # type: ignore[no-untyped-def]
    raw = {
        "default_radius_m": 300,
        "default_window_s": 7200,
        "cell_accuracy_m": 300,
        "max_widening_m": 500,
        "same_place_factor": 1.5,
        "conflict_edge_fraction": 0.5,
        "point_snap_m": 30,
        "line_snap_m": 60,
        "categories": [
            {"prefix": "21B", "radius_m": 150, "window_s": 2700, "line_radius_m": 500,
             "severity": 60},
            {"prefix": "21C", "radius_m": 200, "window_s": 10800, "severity": 70},
            {"prefix": "91A", "radius_m": 80, "window_s": 1800, "severity": 20},
        ],
        "scenes": [{"a": "21B", "b": "21C", "radius_m": 200, "window_s": 3600}],
    }  # fmt: skip
    raw.update(over)
    return policy.compile_policy(policy.MergePolicyDoc.model_validate(raw))


POL = _doc()


def _east(metres: float) -> tuple[float, float]:
    """A position ``metres`` east of (LON, LAT) along the parallel, by haversine exactly."""
    lo, hi = 0.0, 0.01
    for _ in range(80):
        mid = (lo + hi) / 2
        if haversine_m(LON, LAT, LON + mid, LAT) < metres:
            lo = mid
        else:
            hi = mid
    return LON + hi, LAT


def _pair(metres: float, minutes: float, a: str = "21B01", b: str = "21B01",
          pa: Place = Place(), pb: Place = Place()):  # type: ignore[no-untyped-def]  # fmt: skip
    lon, lat = _east(metres)
    incoming = Incoming(a, lon, lat, T0 + timedelta(minutes=minutes), pa)
    candidate = Candidate(1, b, LON, LAT, T0, (), pb)
    return incoming, candidate


def _merges(*args, pol=POL, **kw) -> bool:  # type: ignore[no-untyped-def]
    return consider(*_pair(*args, **kw), policy=pol).merge


def test_radius_edge_of_a_road_accident():
    assert _merges(149.9, 0)
    assert not _merges(150.2, 0)


def test_window_edge_counts_between_occurrence_times():
    assert _merges(10, 45)  # 2,700 s exactly: inside
    assert not _merges(10, 45.02)


def test_a_building_fire_has_its_own_radius_and_window():
    assert _merges(199.8, 179.9, a="21C01", b="21C01")
    assert not _merges(200.3, 0, a="21C01", b="21C01")
    assert not _merges(10, 180.1, a="21C01", b="21C01")


def test_unlisted_categories_fall_back_to_the_platform_default():
    assert _merges(299.8, 119, a="12A01", b="12A01")
    assert not _merges(300.3, 0, a="12A01", b="12A01")


def test_two_categories_merge_only_under_a_scene_rule():
    assert _merges(199.8, 59, a="21C02", b="21B01")
    assert not _merges(199.8, 61, a="21C02", b="21B01")  # the pair's window is 1 h
    assert not _merges(10, 0, a="91A01", b="21B01")  # no scene pair in this policy


def test_a_secondary_category_takes_in_its_own_category_only():
    lon, lat = _east(50)
    crash = Incoming("21B01", lon, lat, T0)
    fire = Incoming("21C02", lon, lat, T0)
    with_crash = Candidate(1, "91A02", LON, LAT, T0, ("21B01",))
    assert consider(crash, with_crash, policy=POL).merge  # the scene has a crash: joins
    # a scene rule (car fire + crash) applies with the lead only: scenes do not chain
    assert not consider(fire, with_crash, policy=POL).merge
    assert consider(fire, Candidate(1, "21B01", LON, LAT, T0, ("91A02",)), policy=POL).merge


def test_accuracy_widens_the_radius_up_to_the_cap():
    near = Place(accuracy_m=100.0)
    assert _merges(249.8, 0, pa=near)
    assert not _merges(250.3, 0, pa=near)
    # both uncertain: the sum, capped at max_widening_m (500)
    huge = Place(accuracy_m=5000.0)
    assert _merges(649.5, 0, pa=huge, pb=huge)
    assert not _merges(650.5, 0, pa=huge, pb=huge)


def test_a_cell_position_counts_the_policy_cell_accuracy():
    class Loc:
        accuracy_m = None
        source = "cell"

    assert places.accuracy_of(Loc(), POL) == 300.0
    Loc.accuracy_m = 42.0  # type: ignore[assignment]
    assert places.accuracy_of(Loc(), POL) == 42.0
    assert places.accuracy_of(None, POL) == 0.0


def test_along_a_grid_line_the_radius_runs_along_it():
    on = Place(line_code="L1", line_offset_m=1000.0)
    far_on = Place(line_code="L1", line_offset_m=1500.0)
    beyond = Place(line_code="L1", line_offset_m=1500.5)
    other_line = Place(line_code="L2", line_offset_m=1500.0)
    assert _merges(480, 0, pa=far_on, pb=on)  # 500 m along the line: inside
    assert not _merges(480, 0, pa=beyond, pb=on)
    assert not _merges(480, 0, pa=other_line, pb=on)
    # a category with no line radius does not use it
    assert not _merges(480, 0, a="21C01", b="21C01", pa=far_on, pb=on)


def test_the_same_place_merges_more_readily():
    same = Place(place_key="二环南路+英雄山路")
    assert _merges(224.8, 0, pa=same, pb=same)  # 150 × 1.5
    assert not _merges(225.3, 0, pa=same, pb=same)
    point = Place(point_code="P-1")
    assert _merges(224.8, 0, pa=point, pb=point)


def test_two_different_explicit_addresses_do_not_merge_at_the_edge():
    a, b = Place(place_key="经十路#12"), Place(place_key="经十路#88")
    assert _merges(74.8, 0, pa=a, pb=b)  # inside half the radius: still one event
    assert not _merges(75.3, 0, pa=a, pb=b)
    assert _merges(120, 0, pa=a)  # one address only: no conflict
    widened_a = Place(accuracy_m=300.0, place_key="经十路#12")
    assert not _merges(200, 0, pa=widened_a, pb=b)


def test_the_reason_names_the_rule_the_distance_and_the_time_apart():
    d = consider(*_pair(100, 20, a="21C02", b="21B01"), policy=POL)
    assert d.merge and d.rule == "场景规则 21B+21C"
    assert "场景规则 21B+21C" in d.reason and "100 米" in d.reason and "20 分钟" in d.reason
    assert "scene rule 21B+21C" in d.reason_en


def test_choose_prefers_the_same_place_then_the_nearest():
    lon, lat = _east(100)
    key = Place(place_key="@幸福小区#3")
    incoming = Incoming("21C01", lon, lat, T0, key)
    near = Candidate(1, "21C01", *_east(90), T0)
    same = Candidate(2, "21C01", LON, LAT, T0, (), key)
    assert choose(incoming, [near, same], policy=POL).incident_id == 2
    assert choose(incoming, [near], policy=POL).incident_id == 1


def test_the_lead_is_the_gravest_and_one_sub_class_counts_once():
    assert lead_and_rest(["91A02", "21B01", "21C02", "21B02"], POL) == ("21C02", ["91A02", "21B01"])
    assert lead_and_rest([None, "91A01"], POL) == ("91A01", [])
    assert lead_and_rest([], POL) == (None, [])


def test_an_officers_lead_wins_over_severity_and_stands_for_its_sub_class():
    codes = ["91A02", "21B01", "21C02", "21B02"]
    assert lead_and_rest(codes, POL, "91A02") == ("91A02", ["21B01", "21C02"])
    # 21B03 stands for 21B: the other 21B codes go; the rest keep the order given
    assert lead_and_rest(codes, POL, "21B03") == ("21B03", ["91A02", "21C02"])
    assert lead_and_rest([], POL, "21A03") == ("21A03", [])


def test_the_shipped_policy_holds_the_issues_defaults():
    shipped = policy.shipped()
    for code, radius, window in [
        ("21B01", 150, 2700), ("21C01", 200, 3 * 3600), ("21A03", 1000, 6 * 3600),
        ("11A02", 1000, 12 * 3600), ("15A01", 3000, 24 * 3600), ("12B02", 500, 24 * 3600),
    ]:  # fmt: skip
        rule = shipped.category_rule(code)
        assert (rule.radius_m, rule.window_s) == (radius, window), code
    assert shipped.category_rule("11A01").line_radius_m is not None


def test_place_keys_of_crossroads_house_numbers_and_buildings():
    assert places.place_key("英雄山路与二环南路交叉口") == places.place_key(
        "", "我在二环南路和英雄山路路口"
    )
    assert places.place_key("经十路123号") == "经十路#123"
    assert places.place_key("", "幸福小区3号楼着火了") == "@幸福小区#3"
    assert places.place_key("", "家里老人摔倒了") is None


def test_line_offset_is_the_distance_along_the_line():
    line = {"type": "LineString", "coordinates": [[117.0, 36.65], [117.01, 36.65], [117.01, 36.66]]}
    start = places.line_offset_m(line, 117.0, 36.6501)
    corner = places.line_offset_m(line, 117.01, 36.65)
    up = places.line_offset_m(line, 117.0101, 36.655)
    assert start == pytest.approx(0.0, abs=0.5)
    assert corner == pytest.approx(haversine_m(117.0, 36.65, 117.01, 36.65), rel=0.005)
    assert up == pytest.approx(corner + haversine_m(117.01, 36.65, 117.01, 36.655), rel=0.005)


# ------------------------------------------------------------------ properties
_codes = st.sampled_from(["21B01", "21C01", "21C02", "91A01", "12A01"])
_places = st.builds(
    Place,
    accuracy_m=st.sampled_from([0.0, 50.0, 300.0]),
    point_code=st.sampled_from([None, "P1", "P2"]),
    line_code=st.sampled_from([None, "L1"]),
    line_offset_m=st.sampled_from([None, 0.0, 400.0]),
    place_key=st.sampled_from([None, "a+b", "c#1"]),
)


@given(_codes, _codes, st.floats(0, 1200), st.floats(-200, 200), _places, _places)
def test_merging_is_symmetric(a, b, metres, minutes, pa, pb):
    lon, lat = _east(metres)
    ta = T0 + timedelta(minutes=minutes)
    one = consider(Incoming(a, lon, lat, ta, pa), Candidate(1, b, LON, LAT, T0, (), pb), policy=POL)
    two = consider(Incoming(b, LON, LAT, T0, pb), Candidate(2, a, lon, lat, ta, (), pa), policy=POL)
    assert one.merge == two.merge
    if one.merge:
        assert math.isclose(one.distance_m, two.distance_m)  # type: ignore[arg-type]


@given(_codes, st.floats(0, 1200), st.floats(0, 300), _places, _places,
       st.floats(10, 1500), st.floats(0, 1500))  # fmt: skip
def test_a_wider_radius_never_splits_what_a_narrower_merged(code, metres, minutes, pa, pb,
                                                            radius, more):  # fmt: skip
    narrow = _doc(categories=[{"prefix": code[:3], "radius_m": radius, "window_s": 7200}])
    wide = _doc(categories=[{"prefix": code[:3], "radius_m": min(3000, radius + more),
                             "window_s": 7200}])  # fmt: skip
    pair = _pair(metres, minutes, a=code, b=code, pa=pa, pb=pb)
    if consider(*pair, policy=narrow).merge:
        assert consider(*pair, policy=wide).merge


@given(_codes, _codes, st.floats(0, 1200), st.floats(-1500, 1500), _places, _places)
def test_nothing_merges_beyond_the_reach_the_candidates_are_read_within(a, b, metres, minutes,
                                                                       pa, pb):  # fmt: skip
    pair = _pair(metres, minutes, a=a, b=b, pa=pa, pb=pb)
    d = consider(*pair, policy=POL)
    if d.merge:
        assert d.distance_m <= POL.reach_m(a) and d.distance_m <= POL.reach_m(b)  # type: ignore[operator]
        assert d.time_apart_s <= POL.window_s(a) and d.time_apart_s <= POL.window_s(b)  # type: ignore[operator]


@given(
    _codes,
    st.lists(
        st.tuples(_codes, st.floats(0, 1500), st.floats(0, 360), st.floats(-300, 300), _places),
        max_size=8,
    ),
)
def test_choose_keeps_every_merge_the_full_rule_would_make(code, others):
    """The cheap pre-test of ``choose`` (categories, window, flat distance) drops only
    candidates ``consider`` refuses: the same incident as trying every one."""
    cands = []
    for k, (b, metres, bearing, minutes, place) in enumerate(others):
        dlon = metres * math.sin(math.radians(bearing)) / (111_320 * math.cos(math.radians(LAT)))
        dlat = metres * math.cos(math.radians(bearing)) / 110_574
        cands.append(Candidate(k + 1, b, LON + dlon, LAT + dlat, T0 + timedelta(minutes=minutes),
                               (), place))  # fmt: skip
    incoming = Incoming(code, LON, LAT, T0, Place(accuracy_m=300.0))
    chosen = choose(incoming, cands, policy=POL)
    full = [d for c in cands if (d := consider(incoming, c, policy=POL)).merge]
    if not full:
        assert not chosen.merge
    else:
        best = min(full, key=lambda d: (not d.same_place, d.distance_m, d.time_apart_s,
                                        d.incident_id))  # fmt: skip
        assert chosen.incident_id == best.incident_id


@pytest.mark.parametrize(
    ("a", "b", "radius", "window_s"),
    [
        ("21B01", "21A03", 200, 3 * 3600),  # a tanker crash: the crash's scale, not the plume's
        ("21C01", "21A03", 300, 6 * 3600),  # a fire at the leak, not every fire downwind
        ("21B01", "11A02", 200, 6 * 3600),  # a car stuck in the water where it stands
        ("21D01", "11A02", 300, 6 * 3600),  # a burst main floods its own street
    ],
)
def test_shipped_scene_pairs_take_the_narrow_sides_scale(a, b, radius, window_s):  # type: ignore[no-untyped-def]
    """A wide category's reach (a chemical plume 1 km, waterlogging 1 km) is for reports of
    that category; a pair with a local category (a crash, a fire) uses the local scale, or
    one leak takes in every crash and fire around it (tuning-split false merges 0.8–1.5 km)."""
    shipped = policy.shipped()
    rule = shipped.pair_rule(a, b)
    assert rule is not None and (rule.radius_m, rule.window_s) == (radius, window_s)
    assert consider(*_pair(radius - 0.5, 0, a=a, b=b), policy=shipped).merge
    assert not consider(*_pair(radius + 0.5, 0, a=a, b=b), policy=shipped).merge
    assert not consider(*_pair(10, window_s / 60 + 1, a=a, b=b), policy=shipped).merge
