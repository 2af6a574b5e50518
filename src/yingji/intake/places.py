"""Evidence of place (地点证据) for merging: what a report says about where it is, beyond its
coordinates. Pure: the report's fields, its located facts and the grid line's geometry in.

* **Uncertainty** (``accuracy_m``): the sender's stated horizontal accuracy; a position from
  the cell network (``source="cell"``, what a 110/119/120 linkage delivers) without one counts
  :attr:`~yingji.intake.policy.MergePolicy.cell_accuracy_m` (300 m: a city cell's sector
  reaches a few hundred metres); a Wi-Fi position 50 m; GPS, a pick on a map, a geocoded
  address or a grid name matched without a stated accuracy count as precise.
* **Grid point**: the grid point (a shop, a building) within ``point_snap_m`` of the position.
* **Grid line**: the line (a street, an expressway, a river) within ``line_snap_m`` and how far
  along it the position lies (metres from its start), so two reports strung out along one
  road compare by the distance along it.
* **Explicit place** (:func:`place_key`): the crossroads (``英雄山路与二环南路交叉口`` → the
  two roads, in either order), the house number (``经十路 123 号``), the building
  (``幸福小区3号楼``, ``省立医院``) or the grid point name the address names. Two reports
  with the same key are at one place; two with different keys name two places (see
  :mod:`yingji.intake.merge` for how each weighs).
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

from yingji.intake.merge import NO_PLACE, Place
from yingji.intake.policy import MergePolicy

WIFI_ACCURACY_M = 50.0
MAX_LINE_SNAP_M = 200.0  # the policy's ``line_snap_m`` bound: beyond it no offset is computed

_ROAD = r"[\u4e00-\u9fa5A-Za-z0-9]{1,12}?(?:大道|高速|快速路|国道|省道|路|街|道|巷|胡同|里|线)"
_CROSS = re.compile(
    rf"({_ROAD})\s*(?:与|和|跟|同|/|／|、|交|&)\s*({_ROAD})"
    r"(?:的)?(?:交叉口|交叉路口|交汇处|交口|十字路口|路口|路囗|口|附近|处)?"
)
# two roads side by side, then the word for a crossing ("纬三路后坡胡同十字路口")
_CROSS_PLAIN = re.compile(
    rf"({_ROAD})\s*({_ROAD})(?:的)?(?:交叉口|交叉路口|交汇处|交口|十字路口|路口|路囗)"
)
_HOUSE = re.compile(rf"({_ROAD})\s*(\d{{1,5}})\s*号")
_BUILDING = re.compile(
    r"([\u4e00-\u9fa5A-Za-z0-9]{1,10}?(?:小区|花园|家园|新村|公寓|大厦|广场|商场|市场|超市|医院|"
    r"中学|小学|学校|幼儿园|宾馆|酒店|饭店|公园|车站|站|大楼|写字楼|工业园|厂))"
    r"(?:\s*(\d{1,3})\s*(?:号楼|栋|幢|座))?"
)


def place_key(address: str, text: str = "", point_name: str | None = None) -> str | None:
    """The explicit place a report names: ``X+Y`` for a crossroads (roads sorted), ``X#12``
    for a house number, ``@name`` (``@name#3`` with a building number) for a named building
    or a grid point whose name the address holds; else None.
    The address is read first, then the text (callers often say the crossroads there)."""
    for source in (address, text):
        if not source:
            continue
        m = _CROSS.search(source) or _CROSS_PLAIN.search(source)
        if m:
            a, b = _road(m.group(1)), _road(m.group(2))
            if a != b:
                return "+".join(sorted((a, b)))
        m = _HOUSE.search(source)
        if m:
            return f"{_road(m.group(1))}#{int(m.group(2))}"
        m = _BUILDING.search(source)
        if m:
            name = _road(m.group(1))
            return f"@{name}#{int(m.group(2))}" if m.group(2) else f"@{name}"
    if point_name and address and point_name in address:
        return f"@{point_name}"
    return None


_LEADING = "在住于到从近是的了往向说这那边里区市县镇"
ROAD_KEY_CHARS = 4


def _road(name: str) -> str:
    """A road's name as a key: its last four characters, less a leading preposition. The
    regular expression cannot tell where a name starts in running text (``我在英雄山路``); the
    last characters with the suffix (``英雄山路``, ``经十路``) tell roads of one district apart."""
    return name[-ROAD_KEY_CHARS:].lstrip(_LEADING) or name


def accuracy_of(location: Any, policy: MergePolicy) -> float:
    """A position's uncertainty in metres (0 when precise), from its ``accuracy_m`` and
    ``source``."""
    if location is None:
        return 0.0
    stated = getattr(location, "accuracy_m", None)
    if stated is not None:
        return float(stated)
    source = getattr(location, "source", None)
    if source == "cell":
        return policy.cell_accuracy_m
    if source == "wifi":
        return WIFI_ACCURACY_M
    return 0.0


def line_offset_m(geometry: dict[str, Any], lon: float, lat: float) -> float | None:
    """How far along a grid line (GeoJSON, WGS-84) the position's foot lies, in metres from
    the line's start, in a local equirectangular frame (a district spans a few kilometres:
    the frame's error stays well under a metre per kilometre)."""
    coords = geometry.get("coordinates")
    if not coords:
        return None
    parts = coords if geometry.get("type") == "MultiLineString" else [coords]
    kx = 111_320.0 * math.cos(math.radians(lat))
    ky = 110_574.0
    px, py = lon * kx, lat * ky
    best: tuple[float, float] | None = None  # (squared distance, offset)
    run = 0.0
    for part in parts:
        for (x0, y0), (x1, y1) in itertools.pairwise(part):
            ax, ay, bx, by = x0 * kx, y0 * ky, x1 * kx, y1 * ky
            vx, vy = bx - ax, by - ay
            length2 = vx * vx + vy * vy
            t = (
                0.0
                if length2 == 0
                else max(0.0, min(1.0, ((px - ax) * vx + (py - ay) * vy) / length2))
            )
            fx, fy = ax + t * vx, ay + t * vy
            d2 = (px - fx) ** 2 + (py - fy) ** 2
            seg = math.sqrt(length2)
            if best is None or d2 < best[0]:
                best = (d2, run + t * seg)
            run += seg
    return None if best is None else round(best[1], 2)


def place_of(
    *,
    location: Any,
    address: str,
    text: str,
    located: dict[str, Any],
    line_offset: float | None,
    lon: float | None,
    lat: float | None,
    policy: MergePolicy,
) -> Place:
    """The evidence of place of one report (see the module's docstring)."""
    if lon is None or lat is None:
        return NO_PLACE
    point = located.get("point")
    point_code = point["code"] if point and point["distance_m"] <= policy.point_snap_m else None
    line = located.get("line")
    line_code = offset = None
    if line and line["distance_m"] <= policy.line_snap_m and line_offset is not None:
        line_code, offset = line["code"], line_offset
    return Place(
        accuracy_m=accuracy_of(location, policy),
        point_code=point_code,
        line_code=line_code,
        line_offset_m=offset,
        place_key=place_key(address, text, point["name"] if point else None),
    )
