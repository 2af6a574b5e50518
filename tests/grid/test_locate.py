"""GridIndex.locate against the brute-force reference, on synthetic districts."""

from __future__ import annotations

import math
from functools import cache

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from yingji.grid.locate import GridIndex, Located, locate_reference

from .synthetic import CENTRE, synthetic_grid

SEEDS = (1, 2, 3)


@cache
def index_for(seed: int, cell_m: float = 50.0) -> GridIndex:
    return GridIndex.build(*synthetic_grid(seed), cell_m=cell_m)


def assert_same(got: Located | None, want: Located | None, max_d: float) -> None:
    """Same answer as the reference; distances to 1 µm, codes except on exact-distance ties."""
    assert (got is None) == (want is None)
    if got is None or want is None:
        return
    assert got.subdistrict.code == want.subdistrict.code
    assert (got.area and got.area.code) == (want.area and want.area.code)
    for mine, ref in ((got.line, want.line), (got.point, want.point)):
        if mine is None or ref is None:
            other = mine or ref
            assert other is None or math.isclose(other.distance_m, max_d, abs_tol=1e-6)
            continue
        assert mine.distance_m == pytest.approx(ref.distance_m, abs=1e-6)
        if abs(mine.distance_m - ref.distance_m) > 1e-9 or mine.distance_m > 1e-9:
            code = mine.line.code if hasattr(mine, "line") else mine.point.code  # type: ignore[union-attr]
            ref_code = ref.line.code if hasattr(ref, "line") else ref.point.code  # type: ignore[union-attr]
            if code != ref_code:  # only acceptable on a tie of distances
                assert mine.distance_m == pytest.approx(ref.distance_m, abs=1e-9)


@settings(max_examples=600, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    dlon=st.floats(-0.05, 0.05),
    dlat=st.floats(-0.04, 0.04),
    max_d=st.floats(0.0, 600.0),
)
def test_index_agrees_with_brute_force(seed: int, dlon: float, dlat: float, max_d: float) -> None:
    index = index_for(seed)
    lon, lat = CENTRE[0] + dlon, CENTRE[1] + dlat
    assert_same(index.locate(lon, lat, max_d), locate_reference(index, lon, lat, max_d), max_d)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    cell_m=st.sampled_from([20.0, 50.0, 333.0, 1500.0]),
    dlon=st.floats(-0.05, 0.05),
    dlat=st.floats(-0.04, 0.04),
    max_d=st.floats(0.0, 2000.0),
)
def test_cell_size_changes_nothing(
    seed: int, cell_m: float, dlon: float, dlat: float, max_d: float
) -> None:
    index = index_for(seed, cell_m)
    lon, lat = CENTRE[0] + dlon, CENTRE[1] + dlat
    assert_same(index.locate(lon, lat, max_d), locate_reference(index, lon, lat, max_d), max_d)


@pytest.mark.parametrize("seed", SEEDS)
def test_on_borders_and_vertices(seed: int) -> None:
    """Positions exactly on sub-district and area boundaries: the lowest code wins, as in
    the reference, and a shared border never falls outside the district."""
    index = index_for(seed)
    subs, areas, _, _ = synthetic_grid(seed)
    checked = 0
    for item in [*subs, *areas]:
        boundary = shape(item.geometry).boundary
        coords = shapely.get_coordinates(boundary)
        # vertices and midpoints of edges
        samples = [*coords.tolist(), *((coords[:-1] + coords[1:]) / 2).tolist()]
        for lon, lat in samples[::3]:
            got = index.locate(lon, lat, 150.0)
            assert_same(got, locate_reference(index, lon, lat, 150.0), 150.0)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("seed", SEEDS)
def test_every_point_finds_itself(seed: int) -> None:
    index = index_for(seed)
    for p in index.points:
        found = index.locate(p.lon, p.lat, 10.0)
        assert found is not None
        assert found.subdistrict.code == p.subdistrict_code
        assert found.point is not None
        assert found.point.distance_m == 0.0
        assert found.point.point.code == p.code


def test_outside_the_district_is_none() -> None:
    index = index_for(1)
    for lon, lat in [(0.0, 0.0), (116.0, 36.6), (117.0, 37.5), (180.0, 90.0), (-180.0, -90.0)]:
        assert index.locate(lon, lat, 200.0) is None
        assert locate_reference(index, lon, lat, 200.0) is None


def test_nothing_within_zero_metres_but_the_exact_spot() -> None:
    index = index_for(2)
    p = index.points[0]
    lon, lat = p.lon + 1e-4, p.lat
    found = index.locate(lon, lat, 0.0)
    assert found is not None
    assert found.point is None and found.line is None
    nearby = index.locate(lon, lat, 50.0)
    assert nearby is not None and nearby.point is not None
    assert 0.0 < nearby.point.distance_m <= 50.0


def test_an_empty_grid_finds_nothing() -> None:
    index = GridIndex.build([])
    assert index.locate(*CENTRE, 200.0) is None
    assert locate_reference(index, *CENTRE, 200.0) is None


def test_sub_district_without_grid_items() -> None:
    subs, _, _, _ = synthetic_grid(3)
    index = GridIndex.build(subs)
    found = index.locate(*CENTRE, 500.0)
    assert found is not None
    assert found.area is None and found.line is None and found.point is None


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
def test_bad_distance_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        index_for(1).locate(*CENTRE, bad)


def test_items_of_unknown_sub_districts_are_left_out() -> None:
    subs, areas, lines, points = synthetic_grid(1)
    index = GridIndex.build(subs[1:], areas, lines, points)
    gone = subs[0].code
    assert all(a.subdistrict_code != gone for a in index.areas)
    assert all(p.subdistrict_code != gone for p in index.points)
