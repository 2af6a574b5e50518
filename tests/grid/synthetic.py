"""Small synthetic districts for unit tests of locating: irregular Voronoi sub-districts (one
of them in two pieces), areas that leave gaps, crooked streets and scattered points."""

from __future__ import annotations

import random
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

from yingji.grid.locate import AreaShape, LineShape, PointSite, Responsible, SubdistrictShape

CENTRE = (117.0, 36.6)


def _outline(rng: random.Random, radius_deg: float) -> Polygon:
    """A lumpy district-like outline around the centre."""
    import math

    ring = []
    for k in range(24):
        angle = 2 * math.pi * k / 24
        r = radius_deg * rng.uniform(0.7, 1.0)
        ring.append((CENTRE[0] + r * math.cos(angle), CENTRE[1] + 0.8 * r * math.sin(angle)))
    return Polygon(ring)


def _random_inside(rng: random.Random, poly: Any) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(Point(x, y)):
            return x, y


def _pieces(rng: random.Random, poly: Any, n: int) -> list[Any]:
    seeds = MultiPoint([_random_inside(rng, poly) for _ in range(n)])
    cells = shapely.voronoi_polygons(seeds, extend_to=poly.envelope.buffer(1.0))
    out = [c.intersection(poly) for c in cells.geoms]
    return [c for c in out if not c.is_empty and c.area > 0]


def _person(rng: random.Random, i: int) -> Responsible:
    return Responsible(
        name=f"责任人{i}", phone=f"1390000{i:04d}", title=rng.choice(["网格员", "站长"])
    )


def synthetic_grid(
    seed: int,
    *,
    n_sub: int = 6,
    radius_deg: float = 0.04,
    lines_per_sub: int = 6,
    points_per_sub: int = 40,
) -> tuple[list[SubdistrictShape], list[AreaShape], list[LineShape], list[PointSite]]:
    rng = random.Random(seed)
    outline = _outline(rng, radius_deg)
    cells = _pieces(rng, outline, n_sub + 1)
    # the last Voronoi cell joins the first sub-district as an exclave (a MultiPolygon),
    # unless it happens to touch it
    first = cells[0].union(cells[-1])
    sub_geoms = [first, *cells[1:-1]]
    subs = [
        SubdistrictShape(code=f"37010399{i:03d}", name=f"测试{i}街道", geometry=mapping(g))
        for i, g in enumerate(sub_geoms)
    ]
    areas: list[AreaShape] = []
    lines: list[LineShape] = []
    points: list[PointSite] = []
    n = 0
    for s, g in zip(subs, sub_geoms, strict=True):
        parts = _pieces(rng, g, rng.randint(2, 5))
        for k, part in enumerate(parts):
            if k == 0 and len(parts) > 2:
                continue  # a gap: part of the sub-district belongs to no area
            if k == 1:
                part = part.buffer(-0.0004)  # shrunk: a border strip without area
                if part.is_empty:
                    continue
            n += 1
            areas.append(AreaShape(f"A{n:04d}", f"网格{n}", s.code, mapping(part), _person(rng, n)))
        for _ in range(lines_per_sub):
            n += 1
            coords = [_random_inside(rng, g) for _ in range(rng.randint(2, 5))]
            lines.append(
                LineShape(
                    f"L{n:04d}",
                    f"测试路{n}",
                    s.code,
                    {"type": "LineString", "coordinates": coords},
                    _person(rng, n),
                )
            )
        for _ in range(points_per_sub):
            n += 1
            lon, lat = _random_inside(rng, g)
            points.append(
                PointSite(
                    f"P{n:05d}",
                    f"商铺{n}",
                    "shop",
                    s.code,
                    lon,
                    lat,
                    f"测试路{n}号",
                    _person(rng, n),
                )
            )
    return subs, areas, lines, points
