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
* Nearest line and point: each cell also keeps, per sub-district, the few points and line
  segments that can be nearest to *some* position in it (those within the nearest distance
  from the cell's centre plus its diagonal), so a call measures a handful of candidates.

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
from dataclasses import dataclass
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


class GridIndex:
    """The district's grid, indexed for fast locating. Build with :meth:`build`."""

    # set by build() once there are sub-districts (locating reads them only then)
    _kx: float
    _ky: float
    _lon0: float
    _lat0: float
    _area_sub: Any
    sub_geoms: list[Any]
    area_geoms: list[Any]
    line_geoms: list[Any]

    def __init__(self) -> None:  # use build()
        self.subdistricts: list[SubdistrictShape] = []
        self.areas: list[AreaShape] = []
        self.lines: list[LineShape] = []
        self.points: list[PointSite] = []
        self.frame = LocalFrame.around(0.0, 0.0)
        self.cell_m = 50.0
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
    ) -> GridIndex:
        """Index the grid. Items of unknown sub-districts are ignored (nothing can find them)."""
        self = cls()
        self.cell_m = cell_m
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
        self._build_nearest_candidates(sub_pos)
        return self

    def _build_cells(self) -> None:
        cs = self.cell_m
        gx0, gy0, gx1, gy1 = shapely.total_bounds(np.array(self.sub_geoms, dtype=object))
        self._gx0, self._gy0 = gx0 - cs, gy0 - cs
        self._nx = math.ceil((gx1 - self._gx0) / cs) + 1
        self._ny = math.ceil((gy1 - self._gy0) / cs) + 1
        self._inv_cs = 1.0 / cs
        ii, jj = np.meshgrid(np.arange(self._nx), np.arange(self._ny), indexing="xy")
        # cell key = j * nx + i
        ii, jj = ii.ravel(), jj.ravel()  # type: ignore[assignment]  # flat views of the grids
        xs = self._gx0 + ii * cs
        ys = self._gy0 + jj * cs
        boxes = shapely.box(xs - _EPS_M, ys - _EPS_M, xs + cs + _EPS_M, ys + cs + _EPS_M)
        tree = shapely.STRtree(boxes)
        n = len(boxes)
        self._centre_points = shapely.points(xs + cs / 2.0, ys + cs / 2.0)

        def pairs(geoms: Sequence[BaseGeometry], predicate: str) -> tuple[Any, Any]:
            """(geometry, cell) index pairs where ``predicate(geometry, cell)``, by cell."""
            if not geoms:
                return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
            g, c = tree.query(np.array(geoms, dtype=object), predicate=predicate)
            order = np.lexsort((g, c))
            return g[order], c[order]

        def holder(geoms: Sequence[BaseGeometry]) -> Any:
            """Per cell, the geometry holding it wholly in its interior, or -1."""
            g, c = pairs(geoms, "contains_properly")
            out = np.full(n, -1, dtype=np.intp)
            out[c] = g  # interiors don't overlap: at most one per cell
            return out

        def first_and_count(g: Any, c: Any) -> tuple[Any, Any, Any]:
            count = np.bincount(c, minlength=n)
            start = np.searchsorted(c, np.arange(n))
            first = np.where(count > 0, g[np.minimum(start, max(len(g) - 1, 0))], -1)
            return first, count, start

        # Sub-districts: a cell touched by one only, and inside it, answers directly.
        sg, sc = pairs(self.sub_geoms, "intersects")
        s_first: Any  # arrays, or None when no cell touches a sub-district
        s_count: Any
        s_start: Any
        s_first, s_count, s_start = first_and_count(sg, sc) if len(sg) else (None,) * 3
        interior = (s_count == 1) & (holder(self.sub_geoms) == s_first)
        cell_sub: list[Any] = np.where(interior, s_first, -1).tolist()
        border = np.nonzero((s_count > 0) & ~interior)[0].tolist()
        sg_list = sg.tolist()
        for c in border:
            cell_sub[c] = tuple(sg_list[s_start[c] : s_start[c] + s_count[c]])
        by_sub = np.argsort(sg, kind="stable")
        self._cells_of_sub = [
            sc[by_sub[a:b]]
            for a, b in itertools.pairwise(
                np.searchsorted(sg[by_sub], np.arange(len(self.sub_geoms) + 1))
            )
        ]

        # Areas: in a cell inside one sub-district, only that sub-district's areas count.
        ag, ac = pairs(self.area_geoms, "intersects")
        area_sub = np.array(self._area_sub, dtype=np.intp)
        s_of_cell = np.where(interior, s_first, -1)
        keep = interior[ac] & (area_sub[ag] == s_of_cell[ac]) if len(ag) else ac.astype(bool)
        kg, kc = ag[keep], ac[keep]
        cell_area: list[Any] = [-1] * n
        if len(kg):
            k_first, k_count, k_start = first_and_count(kg, kc)
            resolved = interior & (k_count == 1) & (holder(self.area_geoms) == k_first)
            cell_area = np.where(resolved, k_first, -1).tolist()
            kg_list = kg.tolist()
            for c in np.nonzero(interior & (k_count > 0) & ~resolved)[0].tolist():
                cell_area[c] = tuple(kg_list[k_start[c] : k_start[c] + k_count[c]])
        if len(ag):
            _, a_count, a_start = first_and_count(ag, ac)
            ag_list = ag.tolist()
            for c in border:
                cell_area[c] = tuple(ag_list[a_start[c] : a_start[c] + a_count[c]])
        self._cell_sub = cell_sub
        self._cell_area = cell_area

    def _build_nearest_candidates(self, sub_pos: dict[str, int]) -> None:
        """For each cell of each sub-district, every point and line segment of that
        sub-district that can be the nearest one to some position in the cell.

        With ``c`` the cell's centre and ``h`` its half-diagonal, a position ``q`` in the cell
        is within ``h`` of ``c``, so its nearest item lies within ``dmin(q) + h ≤ dmin(c) + 2h``
        of ``c``. Those items are the candidates: the nearest one among them is the nearest of
        all, for any ``max_distance_m``, ties included. A few per cell, found with STRtree.
        """
        n_sub = len(self.subdistricts)
        point_items: list[list[tuple[Any, ...]]] = [[] for _ in range(n_sub)]
        for p in self.points:
            x, y = self.frame.to_xy(p.lon, p.lat)
            point_items[sub_pos[p.subdistrict_code]].append((x, y, p.code, p))
        segment_items: list[list[tuple[Any, ...]]] = [[] for _ in range(n_sub)]
        for ln, geom in zip(self.lines, self.line_geoms, strict=True):
            items = segment_items[sub_pos[ln.subdistrict_code]]
            for part in getattr(geom, "geoms", [geom]):
                coords = shapely.get_coordinates(part).tolist()
                for (ax, ay), (bx, by) in itertools.pairwise(coords):
                    vx, vy = bx - ax, by - ay
                    vv = vx * vx + vy * vy
                    items.append((ax, ay, vx, vy, 1.0 / vv if vv > 0.0 else 0.0, ln.code, ln))
        self._point_candidates = [
            self._candidates(s, items, shapely.points([it[:2] for it in items])) if items else {}
            for s, items in enumerate(point_items)
        ]
        self._segment_candidates = [
            self._candidates(
                s,
                items,
                shapely.linestrings(
                    [((ax, ay), (ax + vx, ay + vy)) for ax, ay, vx, vy, *_ in items]
                ),
            )
            if items
            else {}
            for s, items in enumerate(segment_items)
        ]

    def _candidates(
        self, s: int, items: list[tuple[Any, ...]], geometries: Any
    ) -> dict[int, tuple[tuple[Any, ...], ...]]:
        cells = self._cells_of_sub[s]
        if not len(cells):
            return {}
        tree = shapely.STRtree(geometries)
        centres = self._centre_points[cells]
        (c_idx, _), dist = tree.query_nearest(centres, return_distance=True)
        dmin = np.full(len(cells), np.inf)
        np.minimum.at(dmin, c_idx, dist)
        reach = dmin + self.cell_m * math.sqrt(2.0) + _EPS_M * 10
        c_idx, i_idx = tree.query(centres, predicate="dwithin", distance=reach)
        order = np.argsort(c_idx, kind="stable")
        c_idx, i_idx = c_idx[order], i_idx[order]
        found, starts = np.unique(c_idx, return_index=True)
        ends = [*starts[1:].tolist(), len(c_idx)]
        i_list = i_idx.tolist()
        keys = cells[found].tolist()
        return {
            key: tuple([items[i] for i in i_list[a:b]])
            for key, a, b in zip(keys, starts.tolist(), ends, strict=True)
        }

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
        s = self._exact_sub(cached_sub, x, y) if cached_sub.__class__ is tuple else cached_sub
        if s < 0:
            return None
        cached_area = self._cell_area[key]
        a = (
            self._exact_area(cached_area, s, x, y)
            if cached_area.__class__ is tuple
            else cached_area
        )
        return Located(
            self.subdistricts[s],
            self.areas[a] if a >= 0 else None,
            self._nearest_line(s, key, x, y, max_distance_m),
            self._nearest_point(s, key, x, y, max_distance_m),
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

    def _nearest_point(self, s: int, key: int, x: float, y: float, max_d: float) -> PointHit | None:
        candidates = self._point_candidates[s].get(key)
        if candidates is None:
            return None
        best_d2 = math.inf
        best_code = ""
        best: Any = None
        for px, py, code, site in candidates:
            dx = px - x
            dy = py - y
            d2 = dx * dx + dy * dy
            if d2 < best_d2 or (d2 == best_d2 and code < best_code):
                best_d2, best_code, best = d2, code, site
        if best_d2 > max_d * max_d:
            return None
        return PointHit(best, math.sqrt(best_d2))

    def _nearest_line(self, s: int, key: int, x: float, y: float, max_d: float) -> LineHit | None:
        candidates = self._segment_candidates[s].get(key)
        if candidates is None:
            return None
        best_d2 = math.inf
        best_code = ""
        best: Any = None
        for ax, ay, vx, vy, inv_vv, code, line in candidates:
            # distance to the segment a → a + v, written out: a call per segment costs more
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
        if best_d2 > max_d * max_d:
            return None
        return LineHit(best, math.sqrt(best_d2))


def _code(item: AreaShape | LineShape | PointSite) -> str:
    return item.code


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
