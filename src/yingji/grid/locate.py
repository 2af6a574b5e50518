"""Locating a position in the grid (网格定位): sub-district, area, nearest line and point.

Pure and in memory: a :class:`GridIndex` is built once from plain data (codes, names, GeoJSON
in WGS-84, responsible persons) and answers ``locate(lon, lat, max_distance_m)`` in a few
microseconds, so intake can locate every report and the dashboard every click.

How it is fast (profiled; see ``yingji bench locate``):

* Everything works in a local metric frame (:class:`~yingji.geo.distance.LocalFrame`), so
  tests and distances are plain arithmetic in metres.
* A cell cache: the district's bounding box is cut into square cells (50 m). Each cell that
  lies wholly inside one sub-district, and wholly inside one of its areas (or touches none),
  answers straight from the cache. Only cells a boundary crosses keep a short list of
  candidates that are tested exactly (GEOS ``intersects_xy`` on prepared geometries).
* Nearest line and point: per sub-district bucket grids (100 m) searched in square rings
  outward from the position, stopping as soon as no unvisited bucket can hold anything
  nearer than the best found or within ``max_distance_m``.

Rules (the brute-force :func:`locate_reference` states them plainly and the tests hold the
index to it):

* Sub-districts proper only; parks are not part of locating. A position on a shared border
  belongs to the sub-district with the lowest code; outside every sub-district: ``None``.
* The area is an area *of that sub-district* covering the position (lowest code if several).
* The nearest line and point are those *of that sub-district* (属地管理: the responsible
  person answers to the same local force) within ``max_distance_m`` inclusive; ties go to
  the lowest code.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from yingji.geo.distance import LocalFrame

__all__ = [
    "AreaShape",
    "GridIndex",
    "LineHit",
    "LineShape",
    "Located",
    "PointHit",
    "PointSite",
    "Responsible",
    "SubdistrictShape",
    "locate_reference",
]

_EPS_M = 1e-6  # cells are classified slightly enlarged, so float rounding can't mislead them


@dataclass(frozen=True, slots=True)
class Responsible:
    """责任人: the person who answers for a grid item."""

    name: str
    phone: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class SubdistrictShape:
    """街道: code, name and boundary (GeoJSON Polygon or MultiPolygon, WGS-84)."""

    code: str
    name: str
    geometry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AreaShape:
    """面: a grid area with its polygon (GeoJSON, WGS-84)."""

    code: str
    name: str
    subdistrict_code: str
    geometry: dict[str, Any]
    responsible: Responsible


@dataclass(frozen=True, slots=True)
class LineShape:
    """线: a street with its line (GeoJSON LineString or MultiLineString, WGS-84)."""

    code: str
    name: str
    subdistrict_code: str
    geometry: dict[str, Any]
    responsible: Responsible


@dataclass(frozen=True, slots=True)
class PointSite:
    """点: a shop, building or school at a WGS-84 position."""

    code: str
    name: str
    kind: str
    subdistrict_code: str
    lon: float
    lat: float
    address: str
    responsible: Responsible


@dataclass(frozen=True, slots=True)
class LineHit:
    line: LineShape
    distance_m: float


@dataclass(frozen=True, slots=True)
class PointHit:
    point: PointSite
    distance_m: float


@dataclass(frozen=True, slots=True)
class Located:
    """Where a position lies in the grid."""

    subdistrict: SubdistrictShape
    area: AreaShape | None
    line: LineHit | None
    point: PointHit | None


def _projected(frame: LocalFrame, geometry: dict[str, Any]) -> BaseGeometry:
    geom = shape(geometry)
    kx, ky, lon0, lat0 = frame.m_per_deg_lon, frame.m_per_deg_lat, frame.lon0, frame.lat0

    def to_xy(coords: np.ndarray) -> np.ndarray:
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] - lon0) * kx
        out[:, 1] = (coords[:, 1] - lat0) * ky
        return out

    return shapely.transform(geom, to_xy)


def _check_distance(max_distance_m: float) -> None:
    if not (max_distance_m >= 0.0 and math.isfinite(max_distance_m)):
        raise ValueError(f"max_distance_m must be a finite number ≥ 0, not {max_distance_m!r}")


_STRIDE = 1 << 24  # bucket key = i * _STRIDE + j: one int, cheap to hash


@dataclass
class _Buckets:
    """A sparse square grid of buckets; each bucket lists the items that may lie in it."""

    x0: float
    y0: float
    size_m: float
    by_key: dict[int, list[tuple[Any, ...]]] = field(default_factory=dict)

    def add(
        self, xmin: float, ymin: float, xmax: float, ymax: float, item: tuple[Any, ...]
    ) -> None:
        s = self.size_m
        for i in range(math.floor((xmin - self.x0) / s), math.floor((xmax - self.x0) / s) + 1):
            for j in range(math.floor((ymin - self.y0) / s), math.floor((ymax - self.y0) / s) + 1):
                self.by_key.setdefault(i * _STRIDE + j, []).append(item)


def _ring_offsets(r: int) -> tuple[int, ...]:
    """Key offsets of the square ring at Chebyshev distance ``r`` from a bucket."""
    if r == 0:
        return (0,)
    out = [di * _STRIDE + dj for di in range(-r, r + 1) for dj in (-r, r)]
    out += [di * _STRIDE + dj for di in (-r, r) for dj in range(-r + 1, r)]
    return tuple(out)


_RINGS = [_ring_offsets(r) for r in range(33)]


def _ring(r: int) -> tuple[int, ...]:
    return _RINGS[r] if r < len(_RINGS) else _ring_offsets(r)


class GridIndex:
    """The district's grid, indexed for fast locating. Build with :meth:`build`."""

    def __init__(self) -> None:  # use build()
        self.subdistricts: list[SubdistrictShape] = []
        self.areas: list[AreaShape] = []
        self.lines: list[LineShape] = []
        self.points: list[PointSite] = []
        self.frame = LocalFrame.around(0.0, 0.0)
        self.cell_m = 50.0
        self.bucket_m = 100.0
        self._nx = self._ny = 0  # no cells: nothing is located until build() fills them

    # ------------------------------------------------------------------ building
    @classmethod
    def build(
        cls,
        subdistricts: Iterable[SubdistrictShape],
        areas: Iterable[AreaShape] = (),
        lines: Iterable[LineShape] = (),
        points: Iterable[PointSite] = (),
        *,
        cell_m: float = 50.0,
        bucket_m: float = 100.0,
    ) -> GridIndex:
        """Index the grid. Items of unknown sub-districts are ignored (nothing can find them)."""
        self = cls()
        self.cell_m = cell_m
        self.bucket_m = bucket_m
        self.subdistricts = sorted(subdistricts, key=lambda s: s.code)
        sub_pos = {s.code: i for i, s in enumerate(self.subdistricts)}
        self.areas = sorted((a for a in areas if a.subdistrict_code in sub_pos), key=_code)
        self.lines = sorted((ln for ln in lines if ln.subdistrict_code in sub_pos), key=_code)
        self.points = sorted((p for p in points if p.subdistrict_code in sub_pos), key=_code)

        if not self.subdistricts:
            return self
        lonlat = [shape(s.geometry) for s in self.subdistricts]
        minx, miny, maxx, maxy = shapely.total_bounds(np.array(lonlat, dtype=object))
        self.frame = LocalFrame.around((minx + maxx) / 2.0, (miny + maxy) / 2.0)
        self._kx = self.frame.m_per_deg_lon
        self._ky = self.frame.m_per_deg_lat
        self._lon0 = self.frame.lon0
        self._lat0 = self.frame.lat0

        self.sub_geoms = [_projected(self.frame, s.geometry) for s in self.subdistricts]
        self.area_geoms = [_projected(self.frame, a.geometry) for a in self.areas]
        self.line_geoms = [_projected(self.frame, ln.geometry) for ln in self.lines]
        for g in (*self.sub_geoms, *self.area_geoms):
            shapely.prepare(g)
        self._area_sub = [sub_pos[a.subdistrict_code] for a in self.areas]
        self._build_cells()
        self._build_buckets(sub_pos)
        return self

    def _build_cells(self) -> None:
        cs = self.cell_m
        gx0, gy0, gx1, gy1 = shapely.total_bounds(np.array(self.sub_geoms, dtype=object))
        self._gx0, self._gy0 = gx0 - cs, gy0 - cs
        self._nx = math.ceil((gx1 - self._gx0) / cs) + 1
        self._ny = math.ceil((gy1 - self._gy0) / cs) + 1
        self._inv_cs = 1.0 / cs
        ii, jj = np.meshgrid(np.arange(self._nx), np.arange(self._ny), indexing="xy")
        ii, jj = ii.ravel(), jj.ravel()  # cell key = j * nx + i
        xs = self._gx0 + ii * cs
        ys = self._gy0 + jj * cs
        boxes = shapely.box(xs - _EPS_M, ys - _EPS_M, xs + cs + _EPS_M, ys + cs + _EPS_M)
        tree = shapely.STRtree(boxes)
        n = len(boxes)

        def classify(geoms: Sequence[BaseGeometry]) -> tuple[list[list[int]], list[int]]:
            """Per cell: the geometries touching it, and the one holding it wholly (or -1)."""
            touching: list[list[int]] = [[] for _ in range(n)]
            inside = [-1] * n
            if not geoms:
                return touching, inside
            arr = np.array(geoms, dtype=object)
            g_idx, c_idx = tree.query(arr, predicate="intersects")
            for g, c in zip(g_idx.tolist(), c_idx.tolist(), strict=True):
                touching[c].append(g)
            g_idx, c_idx = tree.query(arr, predicate="contains_properly")
            for g, c in zip(g_idx.tolist(), c_idx.tolist(), strict=True):
                inside[c] = g
            return touching, inside

        sub_touch, sub_inside = classify(self.sub_geoms)
        area_touch, area_inside = classify(self.area_geoms)
        area_sub = self._area_sub
        cell_sub: list[int | tuple[int, ...]] = []
        cell_area: list[int | tuple[int, ...]] = []
        for c in range(n):
            subs = sub_touch[c]
            if not subs:
                cell_sub.append(-1)
                cell_area.append(-1)
                continue
            subs.sort()
            if len(subs) == 1 and sub_inside[c] == subs[0]:
                s = subs[0]
                cell_sub.append(s)
                mine = sorted(a for a in area_touch[c] if area_sub[a] == s)
                if not mine:
                    cell_area.append(-1)
                elif len(mine) == 1 and area_inside[c] == mine[0]:
                    cell_area.append(mine[0])
                else:
                    cell_area.append(tuple(mine))
            else:
                cell_sub.append(tuple(subs))
                cell_area.append(tuple(sorted(area_touch[c])))
        self._cell_sub = cell_sub
        self._cell_area = cell_area

    def _build_buckets(self, sub_pos: dict[str, int]) -> None:
        b = self.bucket_m
        self._pt_buckets = [_Buckets(self._gx0, self._gy0, b) for _ in self.subdistricts]
        self._ln_buckets = [_Buckets(self._gx0, self._gy0, b) for _ in self.subdistricts]
        for p in self.points:
            x, y = self.frame.to_xy(p.lon, p.lat)
            self._pt_buckets[sub_pos[p.subdistrict_code]].add(x, y, x, y, (x, y, p.code, p))
        # Long segments are cut into pieces no longer than a bucket, so each piece is listed
        # only in the few buckets it crosses, not in every bucket of its bounding box.
        for ln, geom in zip(self.lines, self.line_geoms, strict=True):
            buckets = self._ln_buckets[sub_pos[ln.subdistrict_code]]
            for part in getattr(geom, "geoms", [geom]):
                coords = shapely.get_coordinates(part).tolist()
                for (ax, ay), (bx, by) in itertools.pairwise(coords):
                    pieces = max(1, math.ceil(math.hypot(bx - ax, by - ay) / b))
                    for k in range(pieces):
                        t0, t1 = k / pieces, (k + 1) / pieces
                        px, py = ax + (bx - ax) * t0, ay + (by - ay) * t0
                        qx, qy = ax + (bx - ax) * t1, ay + (by - ay) * t1
                        vx, vy = qx - px, qy - py
                        vv = vx * vx + vy * vy
                        seg = (px, py, vx, vy, 1.0 / vv if vv > 0 else 0.0, ln.code, ln)
                        buckets.add(min(px, qx), min(py, qy), max(px, qx), max(py, qy), seg)

    # ------------------------------------------------------------------ locating
    def locate(self, lon: float, lat: float, max_distance_m: float) -> Located | None:
        """Where a WGS-84 position lies, or None outside the district."""
        _check_distance(max_distance_m)
        if not self._nx:
            return None
        x = (lon - self._lon0) * self._kx
        y = (lat - self._lat0) * self._ky
        fx = (x - self._gx0) * self._inv_cs
        fy = (y - self._gy0) * self._inv_cs
        if not (0.0 <= fx < self._nx and 0.0 <= fy < self._ny):
            return None
        key = int(fy) * self._nx + int(fx)
        cached_sub = self._cell_sub[key]
        s = (
            self._exact_sub(cached_sub, x, y)  # type: ignore[arg-type]
            if cached_sub.__class__ is tuple
            else cached_sub
        )
        if s < 0:
            return None
        cached_area = self._cell_area[key]
        a = (
            self._exact_area(cached_area, s, x, y)  # type: ignore[arg-type]
            if cached_area.__class__ is tuple
            else cached_area
        )
        return Located(
            self.subdistricts[s],
            self.areas[a] if a >= 0 else None,
            self._nearest_line(s, x, y, max_distance_m),
            self._nearest_point(s, x, y, max_distance_m),
        )

    def _exact_sub(self, candidates: tuple[int, ...], x: float, y: float) -> int:
        geoms = self.sub_geoms
        for s in candidates:
            if shapely.intersects_xy(geoms[s], x, y):
                return s
        return -1

    def _exact_area(self, candidates: tuple[int, ...], s: int, x: float, y: float) -> int:
        geoms, area_sub = self.area_geoms, self._area_sub
        for a in candidates:
            if area_sub[a] == s and shapely.intersects_xy(geoms[a], x, y):
                return a
        return -1

    def _nearest_point(self, s: int, x: float, y: float, max_d: float) -> PointHit | None:
        found = _nearest_point(self._pt_buckets[s], x, y, max_d)
        return PointHit(found[1], math.sqrt(found[0])) if found else None

    def _nearest_line(self, s: int, x: float, y: float, max_d: float) -> LineHit | None:
        found = _nearest_segment(self._ln_buckets[s], x, y, max_d)
        return LineHit(found[1], math.sqrt(found[0])) if found else None


def _code(item: AreaShape | LineShape | PointSite) -> str:
    return item.code


# The two searches below are the same ring search with the distance written out in the
# loop: a function call per item costs more than the arithmetic (profiled).
#
# Buckets are visited in square rings around the position's bucket. Items are listed in
# every bucket their bounding box touches, so after ring r everything unvisited lies outside
# the visited square: at least ``edge + r·size`` away, where ``edge`` is the distance from the
# position to its own bucket's nearest side. The search stops once the best distance is
# shorter than that, or that is beyond ``max_d``. Ties of distance go to the lowest code.


def _start(buckets: _Buckets, x: float, y: float, max_d: float) -> tuple[int, float, int]:
    size = buckets.size_m
    ux = (x - buckets.x0) / size
    uy = (y - buckets.y0) / size
    ci = math.floor(ux)
    cj = math.floor(uy)
    fx = (ux - ci) * size
    fy = (uy - cj) * size
    edge = min(fx, size - fx, fy, size - fy)
    max_r = max(0, int((max_d - edge) // size)) + 1
    return ci * _STRIDE + cj, edge, max_r


def _nearest_point(
    buckets: _Buckets, x: float, y: float, max_d: float
) -> tuple[float, PointSite] | None:
    by_key = buckets.by_key
    if not by_key:
        return None
    base, edge, max_r = _start(buckets, x, y, max_d)
    size = buckets.size_m
    get = by_key.get
    best_d2 = math.inf
    best_code = ""
    best: Any = None
    for r in range(max_r + 1):
        for off in _ring(r):
            items = get(base + off)
            if items is None:
                continue
            for px, py, code, site in items:
                dx = px - x
                dy = py - y
                d2 = dx * dx + dy * dy
                if d2 < best_d2 or (d2 == best_d2 and code < best_code):
                    best_d2, best_code, best = d2, code, site
        reach = edge + r * size
        if best_d2 < reach * reach or reach > max_d:
            break
    if best is None or best_d2 > max_d * max_d:
        return None
    return best_d2, best


def _nearest_segment(
    buckets: _Buckets, x: float, y: float, max_d: float
) -> tuple[float, LineShape] | None:
    by_key = buckets.by_key
    if not by_key:
        return None
    base, edge, max_r = _start(buckets, x, y, max_d)
    size = buckets.size_m
    get = by_key.get
    best_d2 = math.inf
    best_code = ""
    best: Any = None
    for r in range(max_r + 1):
        for off in _ring(r):
            items = get(base + off)
            if items is None:
                continue
            for ax, ay, vx, vy, inv_vv, code, line in items:
                wx = x - ax
                wy = y - ay
                t = (wx * vx + wy * vy) * inv_vv
                if t > 0.0:
                    if t >= 1.0:
                        wx -= vx
                        wy -= vy
                    else:
                        wx -= t * vx
                        wy -= t * vy
                d2 = wx * wx + wy * wy
                if d2 < best_d2 or (d2 == best_d2 and code < best_code):
                    best_d2, best_code, best = d2, code, line
        reach = edge + r * size
        if best_d2 < reach * reach or reach > max_d:
            break
    if best is None or best_d2 > max_d * max_d:
        return None
    return best_d2, best


def locate_reference(index: GridIndex, lon: float, lat: float, max_distance_m: float) -> Any:
    """The rules of :meth:`GridIndex.locate` in plain brute force over shapely geometries.

    The yardstick the index is tested (and benchmarked) against; answers the same type.
    """
    _check_distance(max_distance_m)
    if not index.subdistricts:
        return None
    x, y = index.frame.to_xy(lon, lat)
    here = shapely.Point(x, y)
    s = next((i for i, g in enumerate(index.sub_geoms) if g.intersects(here)), -1)
    if s < 0:
        return None
    code = index.subdistricts[s].code
    area = next(
        (
            a
            for a, g in zip(index.areas, index.area_geoms, strict=True)
            if a.subdistrict_code == code and g.intersects(here)
        ),
        None,
    )
    line_hit = None
    for ln, g in zip(index.lines, index.line_geoms, strict=True):
        if ln.subdistrict_code != code:
            continue
        d = g.distance(here)
        if d <= max_distance_m and (line_hit is None or d < line_hit.distance_m):
            line_hit = LineHit(ln, d)
    point_hit = None
    for p in index.points:
        if p.subdistrict_code != code:
            continue
        px, py = index.frame.to_xy(p.lon, p.lat)
        d = math.hypot(px - x, py - y)
        if d <= max_distance_m and (point_hit is None or d < point_hit.distance_m):
            point_hit = PointHit(p, d)
    return Located(index.subdistricts[s], area, line_hit, point_hit)
