"""``yingji bench locate``: locate calls per second at the demo district's scale.

The index is built from a database through the same service the API uses; positions are
uniform random WGS-84 points inside the district's outline. Baselines measured in the same
run: a naive shapely point-in-polygon over the sub-districts (what locating the sub-district
alone costs without an index), and the brute-force reference that states the full rules.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import shapely
from rich.progress import Progress
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from yingji.bench.stats import RateSummary
from yingji.geo.transform import bd09_to_wgs84
from yingji.grid.locate import GridIndex, locate_reference

Position = tuple[float, float]


def random_positions(index: GridIndex, count: int, seed: int) -> list[Position]:
    """``count`` WGS-84 positions uniform inside the union of the sub-districts."""
    outline = unary_union([shape(s.geometry) for s in index.subdistricts])
    shapely.prepare(outline)
    minx, miny, maxx, maxy = outline.bounds
    rng = random.Random(seed)
    out: list[Position] = []
    while len(out) < count:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(outline, lon, lat):
            out.append((lon, lat))
    return out


def naive_subdistrict_locator(index: GridIndex) -> Callable[[float, float, float], object]:
    """Baseline: test each sub-district polygon in turn with shapely, as one would unaided."""
    polygons = [(s.code, shape(s.geometry)) for s in index.subdistricts]

    def locate(lon: float, lat: float, _max_distance_m: float) -> object:
        here = Point(lon, lat)
        for code, polygon in polygons:
            if polygon.contains(here):
                return code
        return None

    return locate


@dataclass(frozen=True)
class Measured:
    name: str
    calls: int
    summary: RateSummary


def measure(
    name: str,
    fn: Callable[[float, float, float], object],
    positions: Sequence[Position],
    rounds: int,
    max_distance_m: float,
    progress: Progress | None = None,
) -> Measured:
    """Time ``fn`` over every position, ``rounds`` times; calls per second for each round."""
    task = progress.add_task(name, total=rounds) if progress is not None else None
    rates: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        for lon, lat in positions:
            fn(lon, lat, max_distance_m)
        elapsed_s = time.perf_counter() - started
        rates.append(len(positions) / elapsed_s)
        if progress is not None and task is not None:
            progress.advance(task)
    return Measured(name, len(positions), RateSummary.of(rates))


def bd09_locator(index: GridIndex) -> Callable[[float, float, float], object]:
    """The index behind a Baidu-map client: exact BD-09 → WGS-84 first, as the API does."""

    def locate(lon: float, lat: float, max_distance_m: float) -> object:
        return index.locate(*bd09_to_wgs84(lon, lat), max_distance_m)

    return locate


def reference_locator(index: GridIndex) -> Callable[[float, float, float], object]:
    def locate(lon: float, lat: float, max_distance_m: float) -> object:
        return locate_reference(index, lon, lat, max_distance_m)

    return locate
