"""Rules a grid item must satisfy against the rest of the grid, as pure functions of values.

An item lies inside its sub-district (a point also inside its area); the area and line it
names exist and belong to the same sub-district. The caller loads what is needed into
:class:`GridRefs` once (a request, a whole ledger import) and asks about each item; nothing
here touches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from shapely import prepared
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

# How far outside its sub-district or area an item may stray and still count as inside:
# about a metre, so a vertex on a shared boundary, rounded in its last digit, is inside.
TOLERANCE_DEG = 1e-5
EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an item: the field at fault and the reason in both languages."""

    field: str
    message: str
    message_en: str


@dataclass
class GridRefs:
    """The sub-districts, areas and lines grid items refer to, with shapes built on demand."""

    subdistricts: dict[str, tuple[str, dict[str, Any]]]  # code → (name, GeoJSON)
    areas: dict[str, tuple[str, dict[str, Any]]]  # code → (sub-district code, GeoJSON)
    lines: dict[str, str]  # code → sub-district code
    _prepared: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def subdistrict_name(self, code: str) -> str:
        return self.subdistricts[code][0] if code in self.subdistricts else ""

    def subdistrict_code_by_name(self, name: str) -> str | None:
        for code, (sub_name, _geometry) in self.subdistricts.items():
            if sub_name == name:
                return code
        return None

    def _covering(self, kind: str, code: str, geometry: dict[str, Any]) -> Any:
        key = (kind, code)
        if key not in self._prepared:
            self._prepared[key] = prepared.prep(shape(geometry).buffer(TOLERANCE_DEG))
        return self._prepared[key]

    def subdistrict_covers(self, code: str, geom: BaseGeometry) -> bool:
        return bool(self._covering("s", code, self.subdistricts[code][1]).covers(geom))

    def area_covers(self, code: str, geom: BaseGeometry) -> bool:
        return bool(self._covering("a", code, self.areas[code][1]).covers(geom))

    def forget_area(self, code: str) -> None:
        """Drop a cached area shape after its geometry changed."""
        self._prepared.pop(("a", code), None)


def item_shape(kind: str, values: dict[str, Any]) -> BaseGeometry:
    """The shapely geometry of an item's (already validated) values."""
    if kind == "points":
        return Point(values["lon"], values["lat"])
    return shape(values["geometry"])


def check_item(kind: str, values: dict[str, Any], refs: GridRefs) -> list[Problem]:
    """Every problem of one item's placement and references; empty when it may be written.

    ``values`` are the item's complete, schema-validated fields (``kind`` is ``areas``,
    ``lines`` or ``points``).
    """
    problems: list[Problem] = []
    sub = values.get("subdistrict_code")
    if not sub:
        return [Problem("subdistrict_code", "缺少街道代码", "Sub-district code is required")]
    if sub not in refs.subdistricts:
        return [
            Problem(
                "subdistrict_code",
                f"街道代码 {sub} 不存在",
                f"Unknown sub-district code {sub}",
            )
        ]
    sub_name = refs.subdistrict_name(sub)
    geom = item_shape(kind, values)
    where = "geometry" if kind != "points" else "lon"
    if not refs.subdistrict_covers(sub, geom):
        what_zh = {"areas": "面", "lines": "线", "points": "点"}[kind]
        problems.append(
            Problem(
                where,
                f"{what_zh}不在所属街道（{sub_name}）范围内",
                f"The {kind[:-1]} lies outside its sub-district {sub}",
            )
        )
    area = values.get("area_code")
    if kind != "areas" and area:
        if area not in refs.areas:
            problems.append(
                Problem("area_code", f"所属面 {area} 不存在", f"Unknown grid area {area}")
            )
        elif refs.areas[area][0] != sub:
            problems.append(
                Problem(
                    "area_code",
                    f"所属面 {area} 属于其他街道（{refs.subdistrict_name(refs.areas[area][0])}）",
                    f"Grid area {area} belongs to another sub-district",
                )
            )
        elif kind == "points" and not refs.area_covers(area, geom):
            problems.append(
                Problem(
                    "lon",
                    f"点不在所属面 {area} 范围内",
                    f"The point lies outside its grid area {area}",
                )
            )
    line = values.get("line_code")
    if kind == "points" and line:
        if line not in refs.lines:
            problems.append(
                Problem("line_code", f"所属线 {line} 不存在", f"Unknown grid line {line}")
            )
        elif refs.lines[line] != sub:
            problems.append(
                Problem(
                    "line_code",
                    f"所属线 {line} 属于其他街道",
                    f"Grid line {line} belongs to another sub-district",
                )
            )
    return problems


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def line_length_m(geometry: dict[str, Any]) -> float:
    """Great-circle length of a (Multi)LineString in metres, to the centimetre."""
    parts = geometry["coordinates"]
    if geometry["type"] == "LineString":
        parts = [parts]
    total = sum(
        _haversine_m(tuple(p[i]), tuple(p[i + 1])) for p in parts for i in range(len(p) - 1)
    )
    return round(total, 2)
