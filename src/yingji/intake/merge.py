"""Merging (合并): does a new report describe an open incident already known?

A report joins an open incident of the same category group (by default the same 小类 of
GB/T 35561, e.g. ``21C`` 火灾事故) whose position lies within ``radius_m`` (default 300 m)
and whose time of occurrence lies within ``window_s`` (default 2 h) of the report's — the
times the events *occurred*, not when the reports arrived, so a report sent an hour late
still joins. Among several candidates the nearest in space wins, then the nearest in time,
then the oldest incident. Pure: positions, times and codes in, a decision with its reason out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from yingji.geo.distance import haversine_m
from yingji.intake.categories import same_group

DEFAULT_RADIUS_M = 300.0
DEFAULT_WINDOW_S = 2 * 3600.0
DEFAULT_GROUP_PREFIX_LEN = 3

# Merge cells: a fixed grid of 0.005° squares (about 555 m north–south and 446 m east–west
# at 36.6° N). An incident stores the key of its cell with its category group, indexed, so
# finding the candidates of a report reads the few cells around it instead of every open
# incident. Changing the cell size needs a migration that recomputes ``merge_key``.
CELL_DEG = 0.005
_M_PER_DEG_LAT = 111_000.0  # a little under the true ~110,950–111,700 m: errs towards more cells


def cell_of(lon: float, lat: float, cell_deg: float = CELL_DEG) -> tuple[int, int]:
    """The cell holding a WGS-84 position (merge cells unless told another size)."""
    return math.floor(lon / cell_deg), math.floor(lat / cell_deg)


def merge_key(group: str, lon: float, lat: float) -> str:
    """What an incident stores: its category group and merge cell, e.g. ``21C:23360:7330``."""
    i, j = cell_of(lon, lat)
    return f"{group}:{i}:{j}"


def cells_covering(
    lon: float, lat: float, radius_m: float, cell_deg: float = CELL_DEG
) -> list[tuple[int, int]]:
    """Every cell that may hold a position within ``radius_m`` of (lon, lat): the cells under
    the circle's bounding box, its east–west half-width taken at the box's poleward edge
    (where degrees of longitude are shortest), so none is left out (a property test checks).
    Usually 2×2 merge cells at the default radius, 1 of the coarser lock cells."""
    d_lat = radius_m / _M_PER_DEG_LAT
    poleward = min(89.0, abs(lat) + d_lat)
    d_lon = d_lat / math.cos(math.radians(poleward))
    i0, j0 = cell_of(lon - d_lon, lat - d_lat, cell_deg)
    i1, j1 = cell_of(lon + d_lon, lat + d_lat, cell_deg)
    return [(i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1)]


def keys_around(group: str, lon: float, lat: float, radius_m: float) -> list[str]:
    """Merge keys of the cells that may hold an incident within ``radius_m`` of (lon, lat)."""
    return [f"{group}:{i}:{j}" for i, j in cells_covering(lon, lat, radius_m)]


# Lock cells: on PostgreSQL a writer locks (category group, lock cell) for every cell its
# reports' circles touch, before it reads candidates. Two reports that could merge (same
# group, within the radius) always share a lock — the one on the second's own cell, which
# the first's circle covers — so no two incidents are born from a race, while writers whose
# reports are far apart no longer wait for each other as they did with one lock per group.
LOCK_CELL_DEG = 0.02  # about 2.2 km × 1.8 km at 36.6° N: few locks per batch


def lock_keys(group: str, lon: float, lat: float, radius_m: float) -> list[str]:
    """Names of the advisory locks a report of ``group`` at (lon, lat) needs."""
    return [f"{group}:{i}:{j}" for i, j in cells_covering(lon, lat, radius_m, LOCK_CELL_DEG)]


@dataclass(frozen=True)
class Candidate:
    """An open incident as merging sees it."""

    incident_id: int
    category_code: str | None
    lon: float | None
    lat: float | None
    occurred_at: datetime


@dataclass(frozen=True)
class Incoming:
    category_code: str | None
    lon: float | None
    lat: float | None
    occurred_at: datetime


@dataclass(frozen=True)
class MergeDecision:
    merge: bool
    incident_id: int | None
    distance_m: float | None
    time_apart_s: float | None
    reason: str
    reason_en: str


def consider(
    incoming: Incoming,
    candidate: Candidate,
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    window_s: float = DEFAULT_WINDOW_S,
    group_prefix_len: int = DEFAULT_GROUP_PREFIX_LEN,
) -> MergeDecision:
    """Whether ``incoming`` joins ``candidate``, and why (or why not)."""
    cid = candidate.incident_id
    if not same_group(incoming.category_code, candidate.category_code, prefix_len=group_prefix_len):
        return MergeDecision(
            False, None, None, None,
            f"类别不同（{incoming.category_code} / {candidate.category_code}）",
            f"different category ({incoming.category_code} / {candidate.category_code})",
        )  # fmt: skip
    if None in (incoming.lon, incoming.lat, candidate.lon, candidate.lat):
        return MergeDecision(False, None, None, None, "缺少坐标，无法比较距离", "no position")
    distance_m = haversine_m(incoming.lon, incoming.lat, candidate.lon, candidate.lat)  # type: ignore[arg-type]  # all four checked not None above
    apart_s = abs((incoming.occurred_at - candidate.occurred_at).total_seconds())
    if distance_m > radius_m:
        return MergeDecision(
            False, None, distance_m, apart_s,
            f"距离 {distance_m:.0f} 米，超过 {radius_m:.0f} 米",
            f"{distance_m:.0f} m apart, beyond {radius_m:.0f} m",
        )  # fmt: skip
    if apart_s > window_s:
        return MergeDecision(
            False, None, distance_m, apart_s,
            f"发生时间相差 {_minutes(apart_s)}，超过 {_minutes(window_s)}",
            f"occurred {apart_s / 60:.0f} min apart, beyond {window_s / 60:.0f} min",
        )  # fmt: skip
    return MergeDecision(
        True,
        cid,
        distance_m,
        apart_s,
        f"同类事件（{incoming.category_code}），距事件 #{cid} {distance_m:.0f} 米"
        f"（≤ {radius_m:.0f} 米），发生时间相差 {_minutes(apart_s)}"
        f"（≤ {_minutes(window_s)}），并入",
        f"same category ({incoming.category_code}), {distance_m:.0f} m from incident #{cid} "
        f"(≤ {radius_m:.0f} m), occurred {apart_s / 60:.0f} min apart "
        f"(≤ {window_s / 60:.0f} min): merged",
    )


def choose(
    incoming: Incoming,
    candidates: Iterable[Candidate],
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    window_s: float = DEFAULT_WINDOW_S,
    group_prefix_len: int = DEFAULT_GROUP_PREFIX_LEN,
) -> MergeDecision:
    """The incident to join (nearest, then closest in time, then oldest), or a new one."""
    best: MergeDecision | None = None
    for c in candidates:
        d = consider(
            incoming, c, radius_m=radius_m, window_s=window_s, group_prefix_len=group_prefix_len
        )
        if d.merge and (best is None or _key(d) < _key(best)):
            best = d
    if best is not None:
        return best
    return MergeDecision(
        False,
        None,
        None,
        None,
        f"{radius_m:.0f} 米、{_minutes(window_s)}内无同类未结事件，新建事件",
        f"no open incident of the same category within {radius_m:.0f} m and "
        f"{window_s / 60:.0f} min: new incident",
    )


def _key(d: MergeDecision) -> tuple[float, float, int]:
    return (d.distance_m or 0.0, d.time_apart_s or 0.0, d.incident_id or 0)


def _minutes(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:.0f} 小时"
    return f"{seconds / 60:.0f} 分钟"
