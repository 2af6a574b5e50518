"""Haversine distance and the district's local metric frame."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.geo.distance import LocalFrame, haversine_m


def test_haversine_known_distances() -> None:
    # one degree of latitude on the mean-radius sphere: 2πR/360
    assert haversine_m(117.0, 36.0, 117.0, 37.0) == pytest.approx(111195.08, abs=0.01)
    assert haversine_m(117.0, 36.6, 117.0, 36.6) == 0.0
    # antipodes: half the circumference, no domain error from rounding
    assert haversine_m(0.0, 0.0, 180.0, 0.0) == pytest.approx(20015114.44, abs=0.01)


@given(
    lon=st.floats(116.88, 117.08),
    lat=st.floats(36.50, 36.67),
    dx=st.floats(-300, 300),
    dy=st.floats(-300, 300),
)
def test_local_frame_matches_haversine_within_the_district(
    lon: float, lat: float, dx: float, dy: float
) -> None:
    frame = LocalFrame.around(116.98, 36.585)
    x, y = frame.to_xy(lon, lat)
    lon2, lat2 = frame.to_lonlat(x + dx, y + dy)
    planar = (dx * dx + dy * dy) ** 0.5
    assert abs(haversine_m(lon, lat, lon2, lat2) - planar) <= 0.002 * planar + 1e-6
    assert frame.to_lonlat(x, y) == pytest.approx((lon, lat), abs=1e-9)
