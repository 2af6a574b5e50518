"""Planar geometry for the demo district: exact tilings on a 1e-7° grid, local metres.

The district, its sub-districts and their grid areas must tile without gaps or overlaps,
also after the coordinates are written with 7 decimals. Clipping Voronoi cells one region at
a time cannot promise that (each overlay rounds its own crossing points), so
:func:`nested_tiling` nodes every boundary of every level at once on the grid, cuts the
plane into faces and builds each area, and each sub-district, as a union of whole faces.
Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

GRID_DEG = 1e-7  # ~1 cm; GeoJSON carries 7 decimals
LAT0_DEG = 36.585  # middle of the district, for the local metric frame
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0_DEG))


def to_metres(geom: BaseGeometry) -> BaseGeometry:
    """The geometry in a local equirectangular frame (metres); good to 0.1% over the district."""
    return shapely.transform(geom, lambda c: c * np.array([M_PER_DEG_LON, M_PER_DEG_LAT]))


def length_m(line: LineString) -> float:
    return float(to_metres(line).length)


def area_km2(poly: BaseGeometry) -> float:
    return float(to_metres(poly).area) / 1e6


def round7(geom: BaseGeometry) -> BaseGeometry:
    """Coordinates rounded to 7 decimals, the form they are stored in."""
    return shapely.transform(geom, lambda c: np.round(c, 7))


def geojson(geom: BaseGeometry) -> dict:
    """GeoJSON of a (7-decimal) Polygon or LineString; polygons counter-clockwise (RFC 7946)."""
    if isinstance(geom, Polygon):
        poly = orient(geom, 1.0)
        rings = [poly.exterior, *poly.interiors]
        return {
            "type": "Polygon",
            "coordinates": [[[x, y] for x, y in ring.coords] for ring in rings],
        }
    if isinstance(geom, LineString):
        return {"type": "LineString", "coordinates": [[x, y] for x, y in geom.coords]}
    raise TypeError(f"unsupported geometry: {geom.geom_type}")


def polygons_of(geom: BaseGeometry) -> list[Polygon]:
    """The polygon parts of any geometry (overlays may return collections)."""
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in polygons_of(g)]
    return []


def voronoi_tiles(region: BaseGeometry, seeds: Sequence[tuple[float, float]]) -> list[BaseGeometry]:
    """Region cut into one piece per seed (Voronoi cells clipped to the region), in seed order.

    A cell clipped to a non-convex region can fall apart; a part without its seed goes to the
    neighbour it shares the longest border with, so each piece stays connected.
    """
    minx, miny, maxx, maxy = region.bounds
    frame = box(minx - 0.05, miny - 0.05, maxx + 0.05, maxy + 0.05)
    cells = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=frame, ordered=True)
    owned: list[list[Polygon]] = [[] for _ in seeds]
    orphans: list[Polygon] = []
    for i, cell in enumerate(cells.geoms):
        parts = polygons_of(cell.intersection(region))
        if not parts:
            continue
        seed = Point(seeds[i])
        home = next((p for p in parts if p.covers(seed)), max(parts, key=lambda p: p.area))
        owned[i].append(home)
        orphans.extend(p for p in parts if p is not home)
    for _ in range(len(orphans) * len(seeds) + 1):
        if not orphans:
            break
        orphan = orphans.pop(0)
        halo = orphan.buffer(1e-9)
        shared = [sum(p.boundary.intersection(halo).length for p in parts) for parts in owned]
        best = max(range(len(owned)), key=lambda k: shared[k])
        if shared[best] > 0:
            owned[best].append(orphan)
        else:
            orphans.append(orphan)
    return [MultiPolygon(parts) if len(parts) > 1 else parts[0] for parts in owned]


def nested_tiling(
    rough_areas: Sequence[Sequence[BaseGeometry]],
) -> tuple[list[list[Polygon]], list[Polygon], Polygon]:
    """Exact, grid-aligned areas, sub-districts and outline from rough nested pieces.

    ``rough_areas[i][j]`` is area j of sub-district i, in floating point. All their borders
    are noded together on the 1e-7° grid and polygonised; each face goes to the rough area
    that holds its interior point; areas, sub-districts and the outline are coverage unions
    of whole faces, so every level tiles the next exactly.
    """
    flat: list[tuple[int, int]] = [
        (i, j) for i, areas in enumerate(rough_areas) for j in range(len(areas))
    ]
    geoms = [rough_areas[i][j] for i, j in flat]
    linework = shapely.union_all([g.boundary for g in geoms], grid_size=GRID_DEG)
    faces = polygons_of(shapely.polygonize(shapely.get_parts(linework)))
    faces = [round7(f) for f in faces]
    tree = shapely.STRtree(geoms)
    groups: dict[tuple[int, int], list[Polygon]] = {key: [] for key in flat}
    for face in faces:
        probe = face.point_on_surface()
        hits = [int(k) for k in tree.query(probe, predicate="intersects")]
        k = hits[0] if hits else int(tree.nearest(probe))
        groups[flat[k]].append(face)
    areas = _connected_areas(groups, rough_areas)
    subdistricts = [_single(shapely.coverage_union_all(row)) for row in areas]
    outline = _single(shapely.coverage_union_all(subdistricts))
    return areas, subdistricts, outline


def _connected_areas(
    groups: dict[tuple[int, int], list[Polygon]],
    rough_areas: Sequence[Sequence[BaseGeometry]],
) -> list[list[Polygon]]:
    """Union each area's faces; a stray component joins the sibling area it borders most."""
    for _ in range(1000):
        broken = None
        unions: dict[tuple[int, int], BaseGeometry] = {}
        for key, faces in groups.items():
            merged = shapely.coverage_union_all(faces) if faces else Polygon()
            unions[key] = merged
            if not isinstance(merged, Polygon) and broken is None:
                broken = key
        if broken is None:
            return [
                [unions[(i, j)] for j in range(len(rough_areas[i]))]
                for i in range(len(rough_areas))
            ]
        parts = sorted(polygons_of(unions[broken]), key=lambda p: p.area, reverse=True)
        stray = parts[-1]
        halo = stray.buffer(1e-9)
        i = broken[0]
        siblings = [(i, j) for j in range(len(rough_areas[i])) if (i, j) != broken]
        best = max(siblings, key=lambda k: unions[k].boundary.intersection(halo).length)
        moving = [f for f in groups[broken] if stray.covers(f.point_on_surface())]
        groups[broken] = [f for f in groups[broken] if f not in moving]
        groups[best].extend(moving)
    raise RuntimeError("could not make grid areas connected")


def _single(geom: BaseGeometry) -> Polygon:
    if not isinstance(geom, Polygon) or not geom.is_valid:
        raise RuntimeError(f"expected one valid polygon, got {geom.geom_type}")
    return geom
