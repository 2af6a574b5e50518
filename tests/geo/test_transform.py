"""WGS-84 ⇄ GCJ-02 ⇄ BD-09: published test vectors and round-trip properties (< 0.5 m)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.geo.distance import haversine_m
from yingji.geo.transform import (
    Crs,
    bd09_to_gcj02,
    bd09_to_wgs84,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

TOLERANCE_M = 0.5

# github.com/googollee/eviltransform, go/transform_test.go and python/test.py (`tests`):
# (WGS-84 lon, lat) → (GCJ-02 lon, lat); the library checks its exact inverse to 0.5 m.
EVILTRANSFORM_WGS_GCJ = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

# github.com/wandergis/coordtransform, README.md "result" block (also the vectors of
# hutool's CoordinateUtilTest and coordtransform-rs): forward transforms of (116.404, 39.915).
WANDERGIS_WGS_GCJ = ((116.404, 39.915), (116.41024449916938, 39.91640428150164))
WANDERGIS_GCJ_BD = ((116.404, 39.915), (116.41036949371029, 39.92133699351021))
# Same README, bd09togcj02(116.404, 39.915): that library's one-step inverse, which is a few
# centimetres off here; the exact inverse must still land within 0.5 m of it.
WANDERGIS_BD_GCJ = ((116.404, 39.915), (116.39762729119315, 39.90865673957631))


def _off_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return haversine_m(a[0], a[1], b[0], b[1])


@pytest.mark.parametrize(("wgs", "gcj"), [*EVILTRANSFORM_WGS_GCJ, WANDERGIS_WGS_GCJ])
def test_published_wgs_gcj_vectors_both_ways(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    assert _off_m(wgs84_to_gcj02(*wgs), gcj) < TOLERANCE_M
    assert _off_m(gcj02_to_wgs84(*gcj), wgs) < TOLERANCE_M
    assert _off_m(to_wgs84(*gcj, Crs.gcj02), wgs) < TOLERANCE_M
    assert _off_m(from_wgs84(*wgs, "gcj02"), gcj) < TOLERANCE_M


def test_published_gcj_bd_vectors_both_ways() -> None:
    gcj, bd = WANDERGIS_GCJ_BD
    assert _off_m(gcj02_to_bd09(*gcj), bd) < TOLERANCE_M
    assert _off_m(bd09_to_gcj02(*bd), gcj) < TOLERANCE_M
    bd_in, gcj_out = WANDERGIS_BD_GCJ
    assert _off_m(bd09_to_gcj02(*bd_in), gcj_out) < TOLERANCE_M


def test_published_wgs_bd_chain() -> None:
    """WGS-84 → BD-09 is GCJ-02 then Baidu's offset, and the inverse undoes both."""
    wgs, gcj = WANDERGIS_WGS_GCJ
    bd = gcj02_to_bd09(*gcj)
    assert _off_m(wgs84_to_bd09(*wgs), bd) < TOLERANCE_M
    assert _off_m(bd09_to_wgs84(*bd), wgs) < TOLERANCE_M
    assert _off_m(to_wgs84(*bd, "bd09"), wgs) < TOLERANCE_M


def test_exact_inverse_beats_the_one_step_approximation() -> None:
    """The shortcut (subtract the offset computed at the shifted point) is metres off."""
    from yingji.geo.transform import _gcj_offset

    wgs, gcj = EVILTRANSFORM_WGS_GCJ[0]
    d_lon, d_lat = _gcj_offset(*gcj)
    one_step = (gcj[0] - d_lon, gcj[1] - d_lat)
    assert _off_m(one_step, wgs) > 1.0
    assert _off_m(gcj02_to_wgs84(*gcj), wgs) < 0.01


def test_offsets_are_hundreds_of_metres_in_jinan() -> None:
    """A sanity check that the transforms are applied at all in the district."""
    wgs = (117.0, 36.6)
    assert 100 < _off_m(wgs84_to_gcj02(*wgs), wgs) < 1000
    assert 500 < _off_m(wgs84_to_bd09(*wgs), wgs) < 2000


@pytest.mark.parametrize("pos", [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7), (151.2, -33.9)])
def test_outside_china_nothing_moves(pos: tuple[float, float]) -> None:
    assert not in_china(*pos)
    for fn in (wgs84_to_gcj02, gcj02_to_wgs84, wgs84_to_bd09, bd09_to_wgs84, gcj02_to_bd09):
        assert fn(*pos) == pos
    for crs in Crs:
        assert to_wgs84(*pos, crs) == pos
        assert from_wgs84(*pos, crs) == pos


def test_unknown_crs_is_refused() -> None:
    with pytest.raises(ValueError):
        to_wgs84(117.0, 36.6, "cgcs2000")


china_lon = st.floats(min_value=72.004, max_value=137.8347)
china_lat = st.floats(min_value=0.8293, max_value=55.8271)
district_lon = st.floats(min_value=116.85, max_value=117.11)
district_lat = st.floats(min_value=36.47, max_value=36.70)


@settings(max_examples=400)
@given(lon=china_lon, lat=china_lat)
def test_round_trips_everywhere_in_china(lon: float, lat: float) -> None:
    assert _off_m(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat)) < TOLERANCE_M
    assert _off_m(bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), (lon, lat)) < TOLERANCE_M
    assert _off_m(bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), (lon, lat)) < TOLERANCE_M


@settings(max_examples=300)
@given(lon=district_lon, lat=district_lat)
def test_round_trips_in_the_district(lon: float, lat: float) -> None:
    for crs in Crs:
        back = to_wgs84(*from_wgs84(lon, lat, crs), crs)
        assert _off_m(back, (lon, lat)) < TOLERANCE_M
    # and the other way round: a map click in GCJ-02 / BD-09 survives the trip through WGS-84
    for crs in (Crs.gcj02, Crs.bd09):
        there = from_wgs84(*to_wgs84(lon, lat, crs), crs)
        assert _off_m(there, (lon, lat)) < TOLERANCE_M


@settings(max_examples=200)
@given(lon=st.floats(-180, 180), lat=st.floats(-90, 90))
def test_any_valid_position_converts_to_finite_numbers(lon: float, lat: float) -> None:
    import math

    for crs in Crs:
        x, y = to_wgs84(lon, lat, crs)
        assert math.isfinite(x) and math.isfinite(y)
        assert abs(x - lon) < 0.05 and abs(y - lat) < 0.05
