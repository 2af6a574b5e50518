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
    summary: RateSummary  # wall clock
    cpu: RateSummary  # this process's CPU time: less sensitive to other load on the machine


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[[float, float, float], object]
    positions: Sequence[Position]


def measure(
    cases: Sequence[Case],
    rounds: int,
    max_distance_m: float,
    progress: Progress | None = None,
) -> list[Measured]:
    """Time every case over its positions, ``rounds`` times, in calls per second.

    Rounds are interleaved (case 1, case 2, ..., then again) so that a change in the load of a
    shared machine falls on every case alike rather than on whichever ran at that moment.
    """
    task = progress.add_task("locate", total=rounds * len(cases)) if progress else None
    wall: list[list[float]] = [[] for _ in cases]
    cpu: list[list[float]] = [[] for _ in cases]
    for _ in range(rounds):
        for k, case in enumerate(cases):
            fn = case.fn
            started_cpu_s = time.process_time()
            started_s = time.perf_counter()
            for lon, lat in case.positions:
                fn(lon, lat, max_distance_m)
            elapsed_s = time.perf_counter() - started_s
            elapsed_cpu_s = time.process_time() - started_cpu_s
            wall[k].append(len(case.positions) / elapsed_s)
            cpu[k].append(len(case.positions) / max(elapsed_cpu_s, 1e-9))
            if progress is not None and task is not None:
                progress.advance(task)
    return [
        Measured(case.name, len(case.positions), RateSummary.of(w), RateSummary.of(c))
        for case, w, c in zip(cases, wall, cpu, strict=True)
    ]


def bd09_locator(index: GridIndex) -> Callable[[float, float, float], object]:
    """The index behind a Baidu-map client: exact BD-09 → WGS-84 first, as the API does."""

    def locate(lon: float, lat: float, max_distance_m: float) -> object:
        return index.locate(*bd09_to_wgs84(lon, lat), max_distance_m)

    return locate


def reference_locator(index: GridIndex) -> Callable[[float, float, float], object]:
    def locate(lon: float, lat: float, max_distance_m: float) -> object:
        return locate_reference(index, lon, lat, max_distance_m)

    return locate
