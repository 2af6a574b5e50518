"""Where the screening corpus's events happen: the demo district's own places.

Everything comes from :func:`yingji.demo.district.generate_district` (the seed the demo and
the benches load), so a report names a street, a crossroads or a building that the grid the
intake locates against really holds, at its real position:

- **streets**: the grid lines (线) with the road they belong to (``所属道路：经十路``);
- **crossroads**: two lines of different roads that cross, or pass within
  ``CROSSING_GAP_M`` of each other, named ``英雄山路与二环南路路口`` after their roads;
- **buildings**: the grid points (点): estates' buildings, shops, schools, factories...
- **hills**: the grid areas of the four suburban sub-districts of the south (十六里河, 兴隆,
  党家, 陡沟), where the forest fires and landslides of the corpus happen.

Pure and deterministic: the same district gives the same lists in the same order.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass
from functools import cache

import shapely
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.ops import nearest_points

from yingji.demo.district import DEFAULT_SEED, generate_district
from yingji.demo.geometry import M_PER_DEG_LAT, M_PER_DEG_LON, to_metres

CROSSING_GAP_M = 40.0  # two lines nearer than this meet at a crossroads
HILL_SUBDISTRICTS = ("370103019", "370103020", "370103021", "370103022")
EDGE_MARGIN_M = 30.0  # positions are kept this far inside the district's outline


@dataclass(frozen=True)
class Building:
    """A grid point: a named building, shop or site."""

    code: str
    name: str
    kind: str
    lon: float
    lat: float
    address: str  # 市中区六里山路217号
    street: str  # the road of its address: 六里山路
    house_number: str  # 217号
    subdistrict: str  # 杆石桥街道
    community: str  # the grid area's name: 英雄山社区
    on_line: str | None  # the grid line it stands on, if any

    @property
    def estate(self) -> str:
        """The estate of a residential building (``英雄山小区3号楼`` → ``英雄山小区``)."""
        return re.sub(r"\d+号楼$", "", self.name)


@dataclass(frozen=True)
class Street:
    """A grid line (线): one stretch of a road."""

    code: str
    name: str  # 经十路东段
    road: str  # 经十路
    line: LineString
    length_m: float
    subdistrict: str


@dataclass(frozen=True)
class Crossroads:
    road_a: str
    road_b: str
    lon: float
    lat: float
    subdistrict: str

    @property
    def name(self) -> str:
        return f"{self.road_a}与{self.road_b}路口"


@dataclass(frozen=True)
class Places:
    outline: Polygon
    inner: Polygon  # the outline shrunk by EDGE_MARGIN_M, for positions
    buildings: tuple[Building, ...]
    streets: tuple[Street, ...]
    crossroads: tuple[Crossroads, ...]
    hills: tuple[Polygon, ...]
    subdistrict_names: dict[str, str]

    def inside(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.inner, lon, lat))

    def buildings_of(self, *kinds: str) -> list[Building]:
        return [b for b in self.buildings if b.kind in kinds]


def offset(lon: float, lat: float, distance_m: float, bearing_deg: float) -> tuple[float, float]:
    """The position ``distance_m`` from (lon, lat) towards ``bearing_deg`` (0 = north)."""
    b = math.radians(bearing_deg)
    return (
        round(lon + distance_m * math.sin(b) / M_PER_DEG_LON, 7),
        round(lat + distance_m * math.cos(b) / M_PER_DEG_LAT, 7),
    )


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Local planar distance (the district is small: good to 0.1 %)."""
    return math.hypot((a[0] - b[0]) * M_PER_DEG_LON, (a[1] - b[1]) * M_PER_DEG_LAT)


def along(street: Street, at_m: float) -> tuple[float, float]:
    """The position ``at_m`` metres along a street from its start."""
    fraction = min(1.0, max(0.0, at_m / street.length_m))
    p = street.line.interpolate(fraction, normalized=True)
    return round(p.x, 7), round(p.y, 7)


def near(
    places: Places, rng: random.Random, lon: float, lat: float, low_m: float, high_m: float
) -> tuple[float, float]:
    """A position between ``low_m`` and ``high_m`` from (lon, lat), inside the district."""
    for _ in range(200):
        pos = offset(lon, lat, rng.uniform(low_m, high_m), rng.uniform(0, 360))
        if places.inside(*pos):
            return pos
    return round(lon, 7), round(lat, 7)


def in_polygon(rng: random.Random, poly: Polygon, places: Places) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly.bounds
    while True:
        x, y = round(rng.uniform(minx, maxx), 7), round(rng.uniform(miny, maxy), 7)
        if shapely.contains_xy(poly, x, y) and places.inside(x, y):
            return x, y


@cache
def district_places(seed: int = DEFAULT_SEED) -> Places:
    """The places of the demo district of ``seed``."""
    d = generate_district(seed)
    sub_names = {s["code"]: s["name"] for s in d.subdistricts}
    area_names = {a["code"]: a["name"] for a in d.areas}
    outline = d.outline
    inner_m = to_metres(outline).buffer(-EDGE_MARGIN_M)
    inner = shapely.transform(inner_m, lambda c: c / [M_PER_DEG_LON, M_PER_DEG_LAT])
    buildings = []
    for p in d.points:
        m = re.match(r"^市中区(.+?)(\d+号)$", p["address"])
        street, number = (m.group(1), m.group(2)) if m else (p["address"], "")
        buildings.append(
            Building(
                code=p["code"],
                name=p["name"],
                kind=p["kind"],
                lon=p["lon"],
                lat=p["lat"],
                address=p["address"],
                street=street,
                house_number=number,
                subdistrict=sub_names[p["subdistrict_code"]],
                community=area_names[p["area_code"]],
                on_line=p["line_code"],
            )
        )
    streets = tuple(
        Street(
            code=ln["code"],
            name=ln["name"],
            road=ln["notes"].removeprefix("所属道路："),
            line=shape(ln["geometry"]),
            length_m=ln["length_m"],
            subdistrict=sub_names[ln["subdistrict_code"]],
        )
        for ln in d.lines
    )
    crossroads = _crossroads(streets)
    hills = tuple(
        shape(a["geometry"]) for a in d.areas if a["subdistrict_code"] in HILL_SUBDISTRICTS
    )
    return Places(
        outline=outline,
        inner=inner,
        buildings=tuple(buildings),
        streets=streets,
        crossroads=crossroads,
        hills=hills,
        subdistrict_names=sub_names,
    )


def _crossroads(streets: tuple[Street, ...]) -> tuple[Crossroads, ...]:
    """Where two roads meet (cross, or come within ``CROSSING_GAP_M``), one per pair of names."""
    metric = [to_metres(s.line) for s in streets]
    seen: set[tuple[str, str]] = set()
    out: list[Crossroads] = []
    for i, a in enumerate(streets):
        for j in range(i + 1, len(streets)):
            b = streets[j]
            if a.road == b.road:
                continue
            pair = (a.road, b.road) if a.road <= b.road else (b.road, a.road)
            if pair in seen or metric[i].distance(metric[j]) > CROSSING_GAP_M:
                continue
            if a.line.intersects(b.line):
                hit = a.line.intersection(b.line)
                p = hit if isinstance(hit, Point) else shapely.get_parts(hit)[0]
            else:
                pa, pb = nearest_points(a.line, b.line)
                p = Point((pa.x + pb.x) / 2, (pa.y + pb.y) / 2)
            seen.add(pair)
            # the caller names the road he stands on first: keep the order of the lines
            out.append(Crossroads(a.road, b.road, round(p.x, 7), round(p.y, 7), a.subdistrict))
    return tuple(out)
