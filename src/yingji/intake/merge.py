"""Merging (合并): does a new report describe an open incident already known?

One scene is one incident (issue 13). A report joins an open incident when one of the
incident's categories (its lead or a secondary) and the report's fall under one rule of the
merge policy (:mod:`yingji.intake.policy`): the same 小类 of GB/T 35561 (``21C`` 火灾事故)
under the category's rule, two categories under their scene pair's rule (a crash, a burning
car and an injured person: ``21B``+``21C``, ``21B``+``91A``); and when, under that rule:

* the times the events *occurred* lie within the rule's ``window_s`` (not the arrival times,
  so a report sent an hour late still joins), and
* the positions lie within the rule's ``radius_m``, **widened** by both positions' stated
  uncertainty (``accuracy_m``, or :attr:`~yingji.intake.policy.MergePolicy.cell_accuracy_m`
  for a position from the cell network) up to ``max_widening_m``, and by
  ``same_place_factor`` when both name the same place (the same grid point, crossroads,
  building or house number); **or** both lie on the same grid line (an expressway, a river)
  within the rule's ``line_radius_m`` measured *along* the line; and
* two *different* explicit addresses never merge at the edge: beyond
  ``conflict_edge_fraction`` of the radius, two reports naming different places stay apart.

Among several candidates, one at the same place wins, then the nearest in space, then in
time, then the oldest incident. Pure: positions, times, codes and the policy in, a decision
with its reason (rule, distance, time apart) out. docs/intake.md tells how evidence weighs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from yingji.geo.distance import haversine_m
from yingji.intake.policy import MergePolicy, Rule, uniform

DEFAULT_RADIUS_M = 300.0
DEFAULT_WINDOW_S = 2 * 3600.0
DEFAULT_GROUP_PREFIX_LEN = 3

# Merge cells: a fixed grid of 0.005° squares (about 555 m north–south and 446 m east–west
# at 36.6° N). An incident stores the key of its cell with its category group, indexed, so
# finding the candidates of a report reads the few cells around it instead of every open
# incident. Changing the cell size needs a migration that recomputes ``merge_key``.
CELL_DEG = 0.005
_M_PER_DEG_LAT = 111_000.0  # a little under the true ~110,950–111,700 m: errs towards more cells
# the flat pre-test of ``choose``: metres per degree a little under the true ones, and a 2 %
# margin, so it never rejects what haversine would keep (a property test compares them)
_M_PER_DEG_LON_EQ = 111_195.0
_M_PER_DEG_LAT_MIN = 110_574.0
_FLAT_MARGIN = 0.98


def cell_of(lon: float, lat: float, cell_deg: float = CELL_DEG) -> tuple[int, int]:
    """The cell holding a WGS-84 position (merge cells unless told another size)."""
    return math.floor(lon / cell_deg), math.floor(lat / cell_deg)


def merge_key(group: str, lon: float, lat: float) -> str:
    """What an incident stores: its lead category's group and merge cell, e.g.
    ``21C:23360:7330``. A report looks up each group it may share a scene with (issue 13)
    in the cells within that pair's reach (``MergePolicy.group_reaches``)."""
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


# Lock cells: on PostgreSQL a writer locks the lock cells its reports' reach circles touch
# (``MergePolicy.reach_m``), before it reads candidates. Two reports that could merge always
# share a lock — the one on the second's own cell, which the first's reach covers — so no two
# incidents are born from a race, while writers whose reports are far apart never wait for
# each other. Since cross-category scenes, the group is one for all (``ALL_GROUPS``).
LOCK_CELL_DEG = 0.02  # about 2.2 km × 1.8 km at 36.6° N: few locks per batch


ALL_GROUPS = "*"


def lock_keys(group: str, lon: float, lat: float, radius_m: float) -> list[str]:
    """Names of the advisory locks a report of ``group`` at (lon, lat) needs."""
    return [f"{group}:{i}:{j}" for i, j in cells_covering(lon, lat, radius_m, LOCK_CELL_DEG)]


@dataclass(frozen=True)
class Place:
    """Where a report or an incident is, beyond its coordinates (the evidence of place).

    ``accuracy_m``: the position's uncertainty (0 when precise); ``point_code``: the grid
    point it lies at (within ``point_snap_m``); ``line_code`` and ``line_offset_m``: the grid
    line it lies on (within ``line_snap_m``) and how far along it; ``place_key``: the explicit
    place its address names (:func:`yingji.intake.places.place_key`)."""

    accuracy_m: float = 0.0
    point_code: str | None = None
    line_code: str | None = None
    line_offset_m: float | None = None
    place_key: str | None = None


NO_PLACE = Place()


@dataclass(frozen=True)
class Candidate:
    """An open incident as merging sees it."""

    incident_id: int
    category_code: str | None
    lon: float | None
    lat: float | None
    occurred_at: datetime
    secondary_codes: tuple[str, ...] = ()
    place: Place = NO_PLACE


@dataclass(frozen=True)
class Incoming:
    category_code: str | None
    lon: float | None
    lat: float | None
    occurred_at: datetime
    place: Place = NO_PLACE


@dataclass(frozen=True)
class MergeDecision:
    merge: bool
    incident_id: int | None
    distance_m: float | None
    time_apart_s: float | None
    reason: str
    reason_en: str
    rule: str | None = None
    same_place: bool = False


def _no(reason: str, reason_en: str, d: float | None = None, t: float | None = None,
        rule: Rule | None = None) -> MergeDecision:  # fmt: skip
    return MergeDecision(False, None, d, t, reason, reason_en, rule.name if rule else None)


def consider(
    incoming: Incoming,
    candidate: Candidate,
    *,
    policy: MergePolicy | None = None,
    radius_m: float = DEFAULT_RADIUS_M,
    window_s: float = DEFAULT_WINDOW_S,
    group_prefix_len: int = DEFAULT_GROUP_PREFIX_LEN,
) -> MergeDecision:
    """Whether ``incoming`` joins ``candidate``, and why (or why not). Without a ``policy``,
    one ``radius_m`` and ``window_s`` for the same category group only (the old rule)."""
    pol = policy or uniform(radius_m, window_s, group_prefix_len)
    cid = candidate.incident_id
    code = incoming.category_code
    if not code or not candidate.category_code:
        return _no("无类别，不参与合并", "no category")
    best = pol.best_rule(code, candidate.category_code, candidate.secondary_codes)
    if best is None:
        return _no(
            f"类别不同且无场景规则（{code} / {candidate.category_code}）",
            f"different category, no scene rule ({code} / {candidate.category_code})",
        )
    rule, matched = best
    if None in (incoming.lon, incoming.lat, candidate.lon, candidate.lat):
        return _no("缺少坐标，无法比较距离", "no position", rule=rule)
    distance_m = haversine_m(incoming.lon, incoming.lat, candidate.lon, candidate.lat)  # type: ignore[arg-type]  # all four checked not None above
    apart_s = abs((incoming.occurred_at - candidate.occurred_at).total_seconds())
    if apart_s > rule.window_s:
        return _no(
            f"{rule.name}：发生时间相差 {_minutes(apart_s)}，超过 {_minutes(rule.window_s)}",
            f"{rule.name_en}: occurred {apart_s / 60:.0f} min apart, "
            f"beyond {rule.window_s / 60:.0f} min",
            distance_m, apart_s, rule,
        )  # fmt: skip
    a, b = incoming.place, candidate.place
    same_place = bool(
        (a.point_code and a.point_code == b.point_code)
        or (a.place_key and a.place_key == b.place_key)
    )
    conflict = (
        bool(a.place_key and b.place_key and a.place_key != b.place_key)
        and not same_place
        and not _within(a.place_key, b.place_key)  # type: ignore[arg-type]  # both place keys checked truthy above
    )
    widening = min(a.accuracy_m + b.accuracy_m, pol.max_widening_m)
    reach = rule.radius_m * (pol.same_place_factor if same_place else 1.0) + widening
    time_text = f"发生时间相差 {_minutes(apart_s)}（≤ {_minutes(rule.window_s)}）"
    time_en = f"occurred {apart_s / 60:.0f} min apart (≤ {rule.window_s / 60:.0f} min)"
    what = (
        f"同类事件（{code}）"
        if matched[: pol.group_len] == code[: pol.group_len]
        else (f"同一现场（{code} 与 {matched}）")
    )
    what_en = (
        f"same category ({code})"
        if what.startswith("同类")
        else f"one scene ({code} with {matched})"
    )
    along = None
    if (
        rule.line_radius_m is not None
        and a.line_code is not None
        and a.line_code == b.line_code
        and a.line_offset_m is not None
        and b.line_offset_m is not None
    ):
        along = abs(a.line_offset_m - b.line_offset_m)
    if conflict and distance_m > rule.radius_m * pol.conflict_edge_fraction:
        return _no(
            f"{rule.name}：地址不同（{a.place_key} / {b.place_key}），距离 {distance_m:.0f} 米"
            f"处于半径边缘（> {rule.radius_m * pol.conflict_edge_fraction:.0f} 米），不合并",
            f"{rule.name_en}: different addresses ({a.place_key} / {b.place_key}) "
            f"{distance_m:.0f} m apart, at the edge of the radius: not merged",
            distance_m, apart_s, rule,
        )  # fmt: skip
    if distance_m <= reach:
        extra, extra_en = [], []
        if widening:
            extra.append(f"按定位精度放宽 {widening:.0f} 米")
            extra_en.append(f"widened {widening:.0f} m for accuracy")
        if same_place:
            by_point = a.point_code and a.point_code == b.point_code
            extra.append(f"同一地点（{a.point_code if by_point else a.place_key}）")
            extra_en.append("same place")
        more = f"，{'，'.join(extra)}" if extra else ""
        more_en = f", {', '.join(extra_en)}" if extra_en else ""
        return MergeDecision(
            True, cid, distance_m, apart_s,
            f"{rule.name}：{what}，距事件 #{cid} {distance_m:.0f} 米（≤ {reach:.0f} 米{more}），"
            f"{time_text}，并入",
            f"{rule.name_en}: {what_en}, {distance_m:.0f} m from incident #{cid} "
            f"(≤ {reach:.0f} m{more_en}), {time_en}: merged",
            rule.name, same_place,
        )  # fmt: skip
    # Along a line the straight distance is never longer than the distance along it: offsets
    # that say otherwise (a stale offset, a line that doubles back) do not stretch the reach.
    if (
        along is not None
        and rule.line_radius_m is not None
        and along <= rule.line_radius_m
        and distance_m <= rule.line_radius_m
    ):
        return MergeDecision(
            True, cid, distance_m, apart_s,
            f"{rule.name}：{what}，同在网格线 {a.line_code} 上，沿线相距 {along:.0f} 米"
            f"（≤ {rule.line_radius_m:.0f} 米），距事件 #{cid} {distance_m:.0f} 米，"
            f"{time_text}，并入",
            f"{rule.name_en}: {what_en}, on grid line {a.line_code}, {along:.0f} m apart along it "
            f"(≤ {rule.line_radius_m:.0f} m), {distance_m:.0f} m from incident #{cid}, "
            f"{time_en}: merged",
            rule.name, same_place,
        )  # fmt: skip
    return _no(
        f"{rule.name}：距离 {distance_m:.0f} 米，超过 {reach:.0f} 米",
        f"{rule.name_en}: {distance_m:.0f} m apart, beyond {reach:.0f} m",
        distance_m, apart_s, rule,
    )  # fmt: skip


def choose(
    incoming: Incoming,
    candidates: Iterable[Candidate],
    *,
    policy: MergePolicy | None = None,
    radius_m: float = DEFAULT_RADIUS_M,
    window_s: float = DEFAULT_WINDOW_S,
    group_prefix_len: int = DEFAULT_GROUP_PREFIX_LEN,
) -> MergeDecision:
    """The incident to join (same place first, then nearest, then closest in time, then
    oldest), or a new one."""
    pol = policy or uniform(radius_m, window_s, group_prefix_len)
    best: MergeDecision | None = None
    code, lon, lat, at = incoming.category_code, incoming.lon, incoming.lat, incoming.occurred_at
    if code and lon is not None and lat is not None:
        # a cheap test first (the rule by the categories, the window, a flat distance with a
        # margin) so ``consider`` runs only on the few candidates that may merge: the writer
        # sees dozens per report within the widest reach (cProfile: 16 µs a call)
        kx = _M_PER_DEG_LON_EQ * math.cos(math.radians(lat)) * _FLAT_MARGIN
        ky = _M_PER_DEG_LAT_MIN * _FLAT_MARGIN
        for c in candidates:
            hit = pol.best_rule(code, c.category_code, c.secondary_codes)
            if hit is None or c.lon is None or c.lat is None:
                continue
            rule = hit[0]
            if abs((at - c.occurred_at).total_seconds()) > rule.window_s:
                continue
            dx, dy = (c.lon - lon) * kx, (c.lat - lat) * ky
            outer = pol.outer_m(rule)
            if dx * dx + dy * dy > outer * outer:
                continue
            d = consider(incoming, c, policy=pol)
            if d.merge and (best is None or _key(d) < _key(best)):
                best = d
    if best is not None:
        return best
    if policy is None:
        return MergeDecision(
            False, None, None, None,
            f"{radius_m:.0f} 米、{_minutes(window_s)}内无同类未结事件，新建事件",
            f"no open incident of the same category within {radius_m:.0f} m and "
            f"{window_s / 60:.0f} min: new incident",
        )  # fmt: skip
    code = incoming.category_code or ""
    rule = pol.category_rule(code)
    return MergeDecision(
        False, None, None, None,
        f"{rule.name}（{rule.radius_m:.0f} 米、{_minutes(rule.window_s)}）及场景规则内"
        f"无可合并的未结事件，新建事件",
        f"no open incident to join under {rule.name_en} ({rule.radius_m:.0f} m, "
        f"{rule.window_s / 60:.0f} min) or a scene rule: new incident",
    )  # fmt: skip


def _within(a: str, b: str) -> bool:
    """Whether one place names the other more closely (``@小区`` and ``@小区#3``): no
    conflict, though not the same place either."""
    return a.split("#", 1)[0] == b or b.split("#", 1)[0] == a


def _key(d: MergeDecision) -> tuple[bool, float, float, int]:
    return (not d.same_place, d.distance_m or 0.0, d.time_apart_s or 0.0, d.incident_id or 0)


def _minutes(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:.0f} 小时"
    return f"{seconds / 60:.0f} 分钟"
