"""The demo district: 市中区 at the seed report's real scale, generated from one seed number.

``generate_district(seed)`` is pure (no I/O, no clock) and deterministic: everything random
comes from ``random.Random(seed)``. It returns plain row dicts keyed by the column names of
the organisation and grid tables, ready for bulk inserts, in foreign-key order.

Scale, from the seed report: 17 sub-districts, 127 areas (面), 322 lines (线), 4,758 points
(点); 杆石桥街道 alone has 8 areas, 40 lines and 663 points. The organisation is "1+9+N+1":
one committee, nine headquarters, a local force in every sub-district and park.

The outline is drawn by hand to look like 市中区 (narrow in the north at the old commercial
port, wide over the hills in the south); the sub-districts are Voronoi cells of seeds placed
roughly where the real ones are. Street names are real roads of the district; estates,
shops, communities, parks and people are invented.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from yingji.demo import names
from yingji.demo.geometry import (
    M_PER_DEG_LAT,
    M_PER_DEG_LON,
    area_km2,
    geojson,
    length_m,
    nested_tiling,
    polygons_of,
    round7,
    to_metres,
    voronoi_tiles,
)

DEFAULT_SEED = 20200326  # 26 March 2020: the day the district's 应急委 was set up
DISTRICT_CODE = "370103"
DISTRICT_NAME = "市中区"
COMMITTEE_CODE = "EMC"

TOTAL_AREAS = 127
TOTAL_LINES = 322
TOTAL_POINTS = 4758
GANSHIQIAO = "370103003"
GANSHIQIAO_LINES = 40
GANSHIQIAO_POINTS = 663
LINE_SNAP_M = 50.0  # a point within this distance of a line of its sub-district is on it

# Hand-drawn district outline (lon, lat), clockwise from the north-west: narrow at the old
# commercial port in the north, widening over the hills to the south. ``district_outline``
# roughens its edges so it reads like a real boundary.
OUTLINE: tuple[tuple[float, float], ...] = (
    (116.975, 36.662), (116.990, 36.668), (117.008, 36.667), (117.024, 36.663),
    (117.031, 36.652), (117.033, 36.640), (117.040, 36.628), (117.046, 36.612),
    (117.052, 36.595), (117.058, 36.578), (117.063, 36.560), (117.062, 36.540),
    (117.055, 36.522), (117.040, 36.508), (117.018, 36.503), (116.995, 36.506),
    (116.972, 36.513), (116.950, 36.522), (116.928, 36.533), (116.910, 36.548),
    (116.902, 36.566), (116.905, 36.585), (116.915, 36.600), (116.930, 36.614),
    (116.945, 36.627), (116.957, 36.640), (116.966, 36.652),
)  # fmt: skip
OUTLINE_ROUGHNESS = 0.08  # midpoint displacement, as a share of the edge length
OUTLINE_SEED = 370103  # the outline is the same whatever the district seed


@dataclass(frozen=True)
class SubdistrictSpec:
    code: str
    name: str
    seed: tuple[float, float]  # roughly where the real sub-district lies
    zone: str  # old_city / urban / suburban: drives density and the mix of points
    areas: int


SUBDISTRICTS: tuple[SubdistrictSpec, ...] = (
    SubdistrictSpec("370103002", "大观园街道", (117.003, 36.658), "old_city", 7),
    SubdistrictSpec("370103003", "杆石桥街道", (117.012, 36.648), "old_city", 8),
    SubdistrictSpec("370103004", "四里村街道", (116.995, 36.645), "old_city", 7),
    SubdistrictSpec("370103006", "魏家庄街道", (116.985, 36.656), "old_city", 6),
    SubdistrictSpec("370103008", "二七街道", (116.980, 36.638), "urban", 8),
    SubdistrictSpec("370103009", "七里山街道", (117.003, 36.630), "urban", 8),
    SubdistrictSpec("370103010", "六里山街道", (116.982, 36.615), "urban", 8),
    SubdistrictSpec("370103012", "舜玉路街道", (117.022, 36.622), "urban", 8),
    SubdistrictSpec("370103014", "泺源街道", (117.022, 36.657), "old_city", 6),
    SubdistrictSpec("370103015", "王官庄街道", (116.960, 36.626), "urban", 7),
    SubdistrictSpec("370103016", "舜耕街道", (117.038, 36.608), "urban", 7),
    SubdistrictSpec("370103017", "白马山街道", (116.945, 36.600), "urban", 7),
    SubdistrictSpec("370103018", "七贤街道", (117.005, 36.600), "urban", 8),
    SubdistrictSpec("370103019", "十六里河街道", (117.030, 36.570), "suburban", 9),
    SubdistrictSpec("370103020", "兴隆街道", (117.045, 36.535), "suburban", 6),
    SubdistrictSpec("370103021", "党家街道", (116.985, 36.545), "suburban", 9),
    SubdistrictSpec("370103022", "陡沟街道", (116.935, 36.560), "suburban", 8),
)

# Parks (园区) are invented for the demo: names and boundaries are not the real ones.
PARKS: tuple[tuple[str, str, str], ...] = (
    ("370103P01", "七贤文化创意产业园", "370103018"),
    ("370103P02", "党家智能制造产业园", "370103021"),
    ("370103P03", "兴隆科技创新园", "370103020"),
)

# code, name, short name, head's title
DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("DEPT-EM", "区应急管理局", "应急局", "局长"),
    ("DEPT-PS", "公安市中分局", "公安分局", "局长"),
    ("DEPT-FIRE", "区消防救援大队", "消防大队", "大队长"),
    ("DEPT-HEALTH", "区卫生健康局", "卫健局", "局长"),
    ("DEPT-MARKET", "区市场监督管理局", "市场监管局", "局长"),
    ("DEPT-WATER", "区水务局", "水务局", "局长"),
    ("DEPT-FOREST", "区园林和林业绿化局", "园林林业局", "局长"),
    ("DEPT-NR", "自然资源和规划局市中分局", "自然资源分局", "局长"),
    ("DEPT-HOUSING", "区住房和城乡建设局", "住建局", "局长"),
    ("DEPT-ECO", "市生态环境局市中分局", "生态环境分局", "局长"),
    ("DEPT-AGRI", "区农业农村局", "农业农村局", "局长"),
    ("DEPT-TRANSPORT", "区交通运输局", "交通运输局", "局长"),
    ("DEPT-CITY", "区城市管理局", "城管局", "局长"),
    ("DEPT-EDU", "区教育和体育局", "教体局", "局长"),
    ("DEPT-CIVIL", "区民政局", "民政局", "局长"),
    ("DEPT-IND", "区工业和信息化局", "工信局", "局长"),
)


@dataclass(frozen=True)
class HeadquartersSpec:
    """One of the nine 指挥部 and why its office sits in its lead department.

    The seed report: each headquarters has an office headed by the lead department's
    principal, so the office director is the lead department's head. Lead departments:

    - 森林防灭火 → 园林和林业绿化局: it manages the forested hills of the south, where the
      fire risk is, and runs prevention and patrols; 应急局 and 消防 join as members.
    - 防汛抗旱 → 应急管理局: the 2018 reform moved flood-control offices to emergency
      management, and the report describes joint flood duty in the emergency command
      centre; 水务局 is the first member.
    - 地质灾害 → 自然资源分局: it surveys and monitors landslide and collapse hazards.
    - 生产安全 → 应急管理局: production safety is its statutory core.
    - 城市消防 → 消防救援大队: the professional fire service.
    - 城乡建设 → 住建局: construction sites, old housing, building safety.
    - 生态环境 → 生态环境分局: pollution incidents (the ammonia leak's discharge check).
    - 公共卫生 → 卫健局; 市场监管 → 市场监督管理局 (food and special-equipment safety).
    """

    code: str
    short_name: str
    lead: str
    members: tuple[str, ...]
    commander: int  # index into the deputy district heads (one may lead several)


HEADQUARTERS: tuple[HeadquartersSpec, ...] = (
    HeadquartersSpec(
        "HQ-FOREST", "森林防灭火", "DEPT-FOREST",
        ("DEPT-EM", "DEPT-FIRE", "DEPT-PS", "DEPT-AGRI", "DEPT-NR", "DEPT-CIVIL",
         "DEPT-TRANSPORT"),
        1,
    ),
    HeadquartersSpec(
        "HQ-FLOOD", "防汛抗旱", "DEPT-EM",
        ("DEPT-WATER", "DEPT-HOUSING", "DEPT-CITY", "DEPT-TRANSPORT", "DEPT-NR", "DEPT-AGRI",
         "DEPT-FIRE", "DEPT-PS", "DEPT-CIVIL", "DEPT-HEALTH", "DEPT-FOREST"),
        1,
    ),
    HeadquartersSpec(
        "HQ-GEO", "地质灾害", "DEPT-NR",
        ("DEPT-EM", "DEPT-HOUSING", "DEPT-WATER", "DEPT-TRANSPORT", "DEPT-CITY",
         "DEPT-FOREST", "DEPT-CIVIL", "DEPT-PS", "DEPT-FIRE"),
        2,
    ),
    HeadquartersSpec(
        "HQ-SAFETY", "生产安全", "DEPT-EM",
        ("DEPT-IND", "DEPT-HOUSING", "DEPT-TRANSPORT", "DEPT-MARKET", "DEPT-PS", "DEPT-FIRE",
         "DEPT-CITY", "DEPT-EDU", "DEPT-AGRI", "DEPT-ECO"),
        0,
    ),
    HeadquartersSpec(
        "HQ-FIRE", "城市消防", "DEPT-FIRE",
        ("DEPT-EM", "DEPT-PS", "DEPT-HOUSING", "DEPT-CITY", "DEPT-EDU", "DEPT-CIVIL",
         "DEPT-HEALTH", "DEPT-MARKET"),
        0,
    ),
    HeadquartersSpec(
        "HQ-BUILD", "城乡建设", "DEPT-HOUSING",
        ("DEPT-EM", "DEPT-NR", "DEPT-CITY", "DEPT-TRANSPORT", "DEPT-FIRE", "DEPT-PS",
         "DEPT-WATER"),
        2,
    ),
    HeadquartersSpec(
        "HQ-ENV", "生态环境", "DEPT-ECO",
        ("DEPT-EM", "DEPT-WATER", "DEPT-AGRI", "DEPT-HEALTH", "DEPT-FIRE", "DEPT-PS",
         "DEPT-CITY", "DEPT-IND"),
        3,
    ),
    HeadquartersSpec(
        "HQ-HEALTH", "公共卫生", "DEPT-HEALTH",
        ("DEPT-PS", "DEPT-MARKET", "DEPT-EDU", "DEPT-CIVIL", "DEPT-TRANSPORT", "DEPT-EM",
         "DEPT-AGRI", "DEPT-CITY"),
        4,
    ),
    HeadquartersSpec(
        "HQ-MARKET", "市场监管", "DEPT-MARKET",
        ("DEPT-HEALTH", "DEPT-PS", "DEPT-AGRI", "DEPT-EDU", "DEPT-EM", "DEPT-IND"),
        5,
    ),
)  # fmt: skip
# What each deputy district head (副区长) is in charge of, for their title.
DEPUTY_PORTFOLIOS = (
    "分管应急管理、消防",
    "分管水务、农业农村、园林林业",
    "分管自然资源、住房城乡建设",
    "分管生态环境",
    "分管卫生健康、民政",
    "分管市场监管、工业和信息化",
)

POINT_KINDS = (
    "shop", "residential", "restaurant", "hotel", "school", "kindergarten", "hospital",
    "nursing_home", "market", "warehouse", "gas_station", "construction_site", "factory",
)  # fmt: skip
KIND_WEIGHTS: dict[str, tuple[float, ...]] = {
    "old_city": (30, 32, 14, 5, 2, 2, 3, 1, 2, 1, 0.5, 1, 0.3),
    "urban": (24, 40, 10, 3, 3, 3, 2, 2, 2, 2, 1, 2, 2),
    "suburban": (16, 30, 8, 2, 3, 2, 2, 2, 3, 8, 2, 5, 14),
}
ZONE_POINT_DENSITY = {"old_city": 1.3, "urban": 1.0, "suburban": 0.8}
EXTINGUISHERS: dict[str, tuple[int, int]] = {
    "shop": (1, 3), "residential": (2, 8), "restaurant": (2, 4), "hotel": (10, 40),
    "school": (20, 60), "kindergarten": (4, 12), "hospital": (20, 80), "nursing_home": (6, 20),
    "market": (6, 20), "warehouse": (6, 30), "gas_station": (8, 16),
    "construction_site": (4, 20), "factory": (10, 80),
}  # fmt: skip
# Patrol cycle by risk: the report's "街道每月排计划，每日巡查" for the riskier places.
PATROL_BY_KIND: dict[str, str] = {
    "gas_station": "daily", "construction_site": "daily", "factory": "daily",
    "warehouse": "daily", "market": "daily", "hotel": "weekly", "school": "weekly",
    "kindergarten": "weekly", "hospital": "weekly", "nursing_home": "weekly",
    "restaurant": "weekly", "shop": "weekly", "residential": "monthly",
}  # fmt: skip

Row = dict[str, Any]


@dataclass(frozen=True)
class DemoDistrict:
    """The generated district as table rows (column name → value), in foreign-key order.

    ``persons`` carry an ``id`` that is local to the generator: the loader inserts them,
    learns their database ids and rewrites the ``*_id`` columns that point at them.
    Treat the rows as read-only (generations are cached).
    """

    seed: int
    outline: Polygon
    persons: list[Row]
    committees: list[Row]
    departments: list[Row]
    headquarters: list[Row]
    headquarters_members: list[Row]
    subdistricts: list[Row]
    local_forces: list[Row]
    areas: list[Row]
    lines: list[Row]
    points: list[Row]

    def tables(self) -> list[tuple[str, list[Row]]]:
        """(table name, rows) in the order they must be inserted."""
        return [
            ("org_person", self.persons),
            ("org_committee", self.committees),
            ("org_department", self.departments),
            ("org_headquarters", self.headquarters),
            ("org_headquarters_member", self.headquarters_members),
            ("org_subdistrict", self.subdistricts),
            ("org_local_force", self.local_forces),
            ("grid_area", self.areas),
            ("grid_line", self.lines),
            ("grid_point", self.points),
        ]


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder; ties by position)."""
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [math.floor(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda k: (-(exact[k] - counts[k]), k))
    for k in order[: total - sum(counts)]:
        counts[k] += 1
    return counts


@lru_cache(maxsize=4)
def generate_district(seed: int = DEFAULT_SEED) -> DemoDistrict:
    """The whole demo district for ``seed``: same seed, same rows; another seed, another city."""
    return _Generator(seed).run()


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.persons: list[Row] = []
        self.phones: set[str] = set()
        self.line_names: set[str] = set()  # street sections are named once in the district

    # -- people ------------------------------------------------------------------------

    def phone(self) -> str:
        while True:
            phone = names.mobile_phone(self.rng)
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def person(self, title: str, unit_type: str, unit_code: str) -> int:
        person_id = len(self.persons) + 1
        self.persons.append(
            {
                "id": person_id,
                "name": names.person_name(self.rng),
                "title": title,
                "phone": self.phone(),
                "unit_type": unit_type,
                "unit_code": unit_code,
            }
        )
        return person_id

    # -- the whole run -------------------------------------------------------------------

    def run(self) -> DemoDistrict:
        committees, departments, headquarters, members = self.organisation()
        area_geoms, sub_geoms, outline = self.territory()
        subdistricts, local_forces = self.subdistricts(sub_geoms)
        areas = self.areas(area_geoms)
        line_counts, point_counts = self.counts()
        lines: list[Row] = []
        points: list[Row] = []
        for i, spec in enumerate(SUBDISTRICTS):
            sub_lines = self.lines(spec, areas[i], area_geoms[i], line_counts[i])
            points.extend(self.points(spec, areas[i], area_geoms[i], sub_lines, point_counts[i]))
            lines.extend(row for row, _ in sub_lines)
        self.population(subdistricts, areas)
        parks, park_forces = self.parks(sub_geoms)
        return DemoDistrict(
            seed=self.seed,
            outline=outline,
            persons=self.persons,
            committees=committees,
            departments=departments,
            headquarters=headquarters,
            headquarters_members=members,
            subdistricts=subdistricts + parks,
            local_forces=local_forces + park_forces,
            areas=[row for sub in areas for row in sub],
            lines=lines,
            points=points,
        )

    # -- organisation: 1 + 9 + N ---------------------------------------------------------

    def organisation(self) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
        committee = {
            "code": COMMITTEE_CODE,
            "name": f"{DISTRICT_NAME}应急管理委员会",
            "first_director_id": self.person("区委书记", "committee", COMMITTEE_CODE),
            "director_id": self.person("区长", "committee", COMMITTEE_CODE),
        }
        deputies = [
            self.person(f"副区长（{portfolio}）", "government", DISTRICT_CODE)
            for portfolio in DEPUTY_PORTFOLIOS
        ]
        departments: list[Row] = []
        heads: dict[str, int] = {}
        for code, name, short, head_title in DEPARTMENTS:
            heads[code] = self.person(f"{name}{head_title}", "department", code)
            departments.append(
                {
                    "code": code,
                    "name": name,
                    "short_name": short,
                    "head_id": heads[code],
                    "duty_phone": names.landline(self.rng),
                }
            )
        headquarters: list[Row] = []
        members: list[Row] = []
        for hq in HEADQUARTERS:
            full = f"{DISTRICT_NAME}{hq.short_name}指挥部"
            headquarters.append(
                {
                    "code": hq.code,
                    "name": full,
                    "short_name": hq.short_name,
                    "commander_id": deputies[hq.commander],
                    "lead_department_code": hq.lead,
                    "office_name": f"{full}办公室",
                    "office_director_id": heads[hq.lead],
                    "office_phone": names.landline(self.rng),
                }
            )
            members.extend(
                {"headquarters_code": hq.code, "department_code": dept} for dept in hq.members
            )
        return [committee], departments, headquarters, members

    # -- territory: outline, sub-districts, areas ----------------------------------------

    def territory(self) -> tuple[list[list[Polygon]], list[Polygon], Polygon]:
        rough_outline = district_outline()
        rough_subs = voronoi_tiles(rough_outline, [s.seed for s in SUBDISTRICTS])
        rough_areas = []
        for spec, region in zip(SUBDISTRICTS, rough_subs, strict=True):
            seeds = self.spread_seeds(region, spec.areas)
            rough_areas.append(voronoi_tiles(region, seeds))
        return nested_tiling(rough_areas)

    def spread_seeds(self, region: Any, count: int) -> list[tuple[float, float]]:
        """``count`` well-spread points inside ``region`` (Mitchell's best candidate)."""
        minx, miny, maxx, maxy = region.bounds
        inner = region.buffer(-0.0008)
        if inner.is_empty:
            inner = region
        shapely.prepare(inner)
        seeds: list[tuple[float, float]] = []
        while len(seeds) < count:
            best, best_score = None, -1.0
            for _ in range(20):
                x = self.rng.uniform(minx, maxx)
                y = self.rng.uniform(miny, maxy)
                if not shapely.contains_xy(inner, x, y):
                    continue
                score = min(
                    (
                        math.hypot((x - sx) * M_PER_DEG_LON, (y - sy) * M_PER_DEG_LAT)
                        for sx, sy in seeds
                    ),
                    default=1e9,
                )
                if score > best_score:
                    best, best_score = (x, y), score
            if best is not None:
                seeds.append(best)
        return seeds

    def subdistricts(self, geoms: list[Polygon]) -> tuple[list[Row], list[Row]]:
        rows: list[Row] = []
        forces: list[Row] = []
        for spec, geom in zip(SUBDISTRICTS, geoms, strict=True):
            rows.append(self.territory_row(spec.code, spec.name, "subdistrict", None, geom))
            forces.append(self.local_force(spec.code, spec.name))
        return rows, forces

    def territory_row(
        self, code: str, name: str, kind: str, parent: str | None, geom: Polygon
    ) -> Row:
        centre = geom.centroid if geom.contains(geom.centroid) else geom.point_on_surface()
        road = self.rng.choice(names.MAIN_ROADS)
        return {
            "code": code,
            "name": name,
            "kind": kind,
            "parent_code": parent,
            "geometry": geojson(geom),
            "centroid_lon": round(centre.x, 7),
            "centroid_lat": round(centre.y, 7),
            "area_km2": round(area_km2(geom), 3),
            "population": 0,
            "office_address": f"{DISTRICT_NAME}{road}{self.rng.randint(1, 300)}号",
            "duty_phone": names.landline(self.rng),
        }

    def local_force(self, code: str, name: str) -> Row:
        """属地应急处置力量 led by the sub-district's (or park's) deputy head for safety."""
        short = name.removesuffix("街道")
        leader_title = f"{name}办事处副主任" if name.endswith("街道") else f"{name}管委会副主任"
        return {
            "subdistrict_code": code,
            "name": f"{short}应急处置队",
            "leader_id": self.person(leader_title, "subdistrict", code),
            "duty_phone": names.landline(self.rng),
            "members": self.rng.randint(30, 120),
        }

    def parks(self, sub_geoms: list[Polygon]) -> tuple[list[Row], list[Row]]:
        by_code = {s.code: g for s, g in zip(SUBDISTRICTS, sub_geoms, strict=True)}
        rows: list[Row] = []
        forces: list[Row] = []
        for code, name, parent in PARKS:
            host = by_code[parent]
            inner = host.buffer(-0.004)
            cx, cy = self.spread_seeds(inner, 1)[0]
            radius_m = self.rng.uniform(500, 900)
            ring = [
                (
                    cx + radius_m * self.rng.uniform(0.75, 1.0) * math.cos(a) / M_PER_DEG_LON,
                    cy + radius_m * self.rng.uniform(0.75, 1.0) * math.sin(a) / M_PER_DEG_LAT,
                )
                for a in (k * math.pi / 4 for k in range(8))
            ]
            shape = max(
                polygons_of(Polygon(ring).intersection(host.buffer(-0.0005))),
                key=lambda p: p.area,
            )
            rows.append(self.territory_row(code, name, "park", parent, round7(shape)))
            forces.append(self.local_force(code, name))
        return rows, forces

    def areas(self, geoms: list[list[Polygon]]) -> list[list[Row]]:
        community = names.community_names(self.rng, TOTAL_AREAS)
        rows: list[list[Row]] = []
        n = 0
        for spec, sub_geoms in zip(SUBDISTRICTS, geoms, strict=True):
            sub_rows = []
            dense = spec.zone == "old_city"
            for j, geom in enumerate(sub_geoms, start=1):
                households = self.rng.randint(1500, 4200) if dense else self.rng.randint(700, 3200)
                worker, worker_phone = names.person_name(self.rng), self.phone()
                sub_rows.append(
                    {
                        "code": f"{spec.code}-A{j:02d}",
                        "name": community[n],
                        "subdistrict_code": spec.code,
                        "geometry": geojson(geom),
                        "households": households,
                        "population": round(households * self.rng.uniform(2.4, 3.0)),
                        "responsible_name": names.person_name(self.rng),
                        "responsible_phone": self.phone(),
                        "responsible_title": self.rng.choice(("社区党委书记", "网格长")),
                        "patrol_cycle": "weekly",
                        "notes": f"专职网格员：{worker} {worker_phone}",
                    }
                )
                n += 1
            rows.append(sub_rows)
        return rows

    def population(self, subdistricts: list[Row], areas: list[list[Row]]) -> None:
        for row, sub_areas in zip(subdistricts, areas, strict=True):
            row["population"] = sum(a["population"] for a in sub_areas)

    def counts(self) -> tuple[list[int], list[int]]:
        """Lines and points per sub-district: 杆石桥 as reported, the rest by size and zone."""
        others = [k for k, s in enumerate(SUBDISTRICTS) if s.code != GANSHIQIAO]
        line_split = apportion(
            TOTAL_LINES - GANSHIQIAO_LINES, [SUBDISTRICTS[k].areas for k in others]
        )
        point_split = apportion(
            TOTAL_POINTS - GANSHIQIAO_POINTS,
            [SUBDISTRICTS[k].areas * ZONE_POINT_DENSITY[SUBDISTRICTS[k].zone] for k in others],
        )
        lines = [0] * len(SUBDISTRICTS)
        points = [0] * len(SUBDISTRICTS)
        for k, n_lines, n_points in zip(others, line_split, point_split, strict=True):
            lines[k], points[k] = n_lines, n_points
        g = next(k for k, s in enumerate(SUBDISTRICTS) if s.code == GANSHIQIAO)
        lines[g], points[g] = GANSHIQIAO_LINES, GANSHIQIAO_POINTS
        return lines, points

    # -- lines (线) -----------------------------------------------------------------------

    def lines(
        self,
        spec: SubdistrictSpec,
        area_rows: list[Row],
        area_geoms: list[Polygon],
        count: int,
    ) -> list[tuple[Row, LineString]]:
        """Street sections inside the sub-district's areas, spread by area size."""
        weights = [math.sqrt(g.area) for g in area_geoms]
        per_area = [1] * len(area_geoms) if count >= len(area_geoms) else [0] * len(area_geoms)
        for k, extra in enumerate(apportion(count - sum(per_area), weights)):
            per_area[k] += extra
        used = self.line_names
        out: list[tuple[Row, LineString]] = []
        for area_row, geom, n in zip(area_rows, area_geoms, per_area, strict=True):
            inner = geom.buffer(-0.00004)
            if inner.is_empty:
                inner = geom.buffer(-0.000001)
            shapely.prepare(inner)
            for _ in range(n):
                line = self.street_shape(inner)
                name, street = names.street_name(self.rng)
                while name in used:
                    name, street = names.street_name(self.rng)
                used.add(name)
                out.append(
                    (
                        {
                            "code": f"{spec.code}-L{len(out) + 1:03d}",
                            "name": name,
                            "subdistrict_code": spec.code,
                            "area_code": area_row["code"],
                            "geometry": geojson(line),
                            "length_m": round(length_m(line), 1),
                            "responsible_name": names.person_name(self.rng),
                            "responsible_phone": self.phone(),
                            "responsible_title": self.rng.choice(("街巷长", "路长")),
                            "patrol_cycle": "daily",
                            "notes": f"所属道路：{street}",
                        },
                        line,
                    )
                )
        return out

    def street_shape(self, inner: Any) -> LineString:
        """A street: 1–3 segments, mostly along the 经/纬 grid, clipped inside the area."""
        minx, miny, maxx, maxy = inner.bounds
        best: LineString | None = None
        for attempt in range(60):
            x, y = self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy)
            if not shapely.contains_xy(inner, x, y):
                continue
            heading = self.rng.choice((0, 90, 180, 270)) + self.rng.gauss(0, 12)
            pts = [(x, y)]
            for _ in range(self.rng.randint(1, 3)):
                heading += self.rng.gauss(0, 15)
                step_m = self.rng.uniform(150, 450)
                x += step_m * math.cos(math.radians(heading)) / M_PER_DEG_LON
                y += step_m * math.sin(math.radians(heading)) / M_PER_DEG_LAT
                pts.append((x, y))
            pieces = [
                g
                for g in shapely.get_parts(LineString(pts).intersection(inner))
                if isinstance(g, LineString) and not g.is_empty
            ]
            if not pieces:
                continue
            piece = round7(max(pieces, key=lambda g: g.length))
            if best is None or piece.length > best.length:
                best = piece
            if length_m(best) >= max(150.0 - attempt * 3, 30.0):
                break
        if best is None:
            raise RuntimeError("no room for a street in an area")
        return best

    # -- points (点) ----------------------------------------------------------------------

    def points(
        self,
        spec: SubdistrictSpec,
        area_rows: list[Row],
        area_geoms: list[Polygon],
        lines: list[tuple[Row, LineString]],
        count: int,
    ) -> list[Row]:
        weights = [math.sqrt(g.area) * self.rng.uniform(0.7, 1.3) for g in area_geoms]
        per_area = apportion(count, weights)
        kinds_weights = KIND_WEIGHTS[spec.zone]
        rows: list[Row] = []
        coords: list[tuple[float, float]] = []
        for area_row, geom, n in zip(area_rows, area_geoms, per_area, strict=True):
            shapely.prepare(geom)
            own_lines = [(r, g) for r, g in lines if r["area_code"] == area_row["code"]]
            place = area_row["name"].removesuffix("社区")
            estates = [names.estate_name(self.rng) for _ in range(1 + n // 25)]
            estates[0] = place + self.rng.choice(names.ESTATE_SUFFIXES)
            buildings: dict[str, int] = {}
            for _ in range(n):
                kind = self.rng.choices(POINT_KINDS, weights=kinds_weights)[0]
                x, y = self.point_position(geom, own_lines)
                estate = self.rng.choice(estates)
                if kind == "residential":
                    buildings[estate] = buildings.get(estate, 0) + 1
                title = self.rng.choice(names.RESPONSIBLE_TITLES[kind])
                low, high = EXTINGUISHERS[kind]
                rows.append(
                    {
                        "code": f"{spec.code}-P{len(rows) + 1:04d}",
                        "name": names.point_name(
                            self.rng,
                            kind,
                            place=place,
                            estate=estate,
                            number=buildings.get(estate, 0),
                        ),
                        "kind": kind,
                        "subdistrict_code": spec.code,
                        "area_code": area_row["code"],
                        "line_code": None,
                        "lon": x,
                        "lat": y,
                        "address": "",
                        "fire_extinguishers": self.rng.randint(low, high),
                        "responsible_name": names.person_name(self.rng),
                        "responsible_phone": self.phone(),
                        "responsible_title": title,
                        "patrol_cycle": PATROL_BY_KIND[kind],
                        "notes": "",
                    }
                )
                coords.append((x, y))
        self.attach_to_lines(rows, coords, lines)
        return rows

    def point_position(
        self, area: Polygon, own_lines: list[tuple[Row, LineString]]
    ) -> tuple[float, float]:
        """Mostly along a street of the area (shops face the street), else anywhere in it."""
        if own_lines and self.rng.random() < 0.75:
            for _ in range(10):
                _, line = self.rng.choice(own_lines)
                t = self.rng.random()
                a = line.interpolate(max(t - 0.01, 0.0), normalized=True)
                b = line.interpolate(min(t + 0.01, 1.0), normalized=True)
                dx = (b.x - a.x) * M_PER_DEG_LON
                dy = (b.y - a.y) * M_PER_DEG_LAT
                norm = math.hypot(dx, dy) or 1.0
                offset_m = self.rng.uniform(6, 45) * self.rng.choice((-1, 1))
                mid = line.interpolate(t, normalized=True)
                x = round(mid.x - dy / norm * offset_m / M_PER_DEG_LON, 7)
                y = round(mid.y + dx / norm * offset_m / M_PER_DEG_LAT, 7)
                if shapely.contains_xy(area, x, y):
                    return x, y
        minx, miny, maxx, maxy = area.bounds
        while True:
            x = round(self.rng.uniform(minx, maxx), 7)
            y = round(self.rng.uniform(miny, maxy), 7)
            if shapely.contains_xy(area, x, y):
                return x, y

    def attach_to_lines(
        self,
        rows: list[Row],
        coords: list[tuple[float, float]],
        lines: list[tuple[Row, LineString]],
    ) -> None:
        """``line_code`` for points within 50 m of a line of their sub-district; addresses."""
        streets = [r["notes"].removeprefix("所属道路：") for r, _ in lines]
        if lines:
            tree = shapely.STRtree([to_metres(g) for _, g in lines])
            pts = to_metres(shapely.points(np.array(coords)))
            (which, nearest), _dist = tree.query_nearest(
                pts, max_distance=LINE_SNAP_M, return_distance=True, all_matches=False
            )
            for k, j in zip(which.tolist(), nearest.tolist(), strict=True):
                rows[k]["line_code"] = lines[j][0]["code"]
                rows[k]["address"] = f"{DISTRICT_NAME}{streets[j]}{self.rng.randint(1, 400)}号"
        for row in rows:
            if not row["address"]:
                street = self.rng.choice(streets) if streets else self.rng.choice(names.MAIN_ROADS)
                row["address"] = f"{DISTRICT_NAME}{street}{self.rng.randint(1, 400)}号"


def district_outline() -> Polygon:
    """The hand-drawn outline with its straight edges roughened by midpoint displacement.

    Uses its own fixed random stream, so every district seed shares one outline.
    """
    rng = random.Random(OUTLINE_SEED)
    ring = list(OUTLINE)
    for level in range(3):
        rough: list[tuple[float, float]] = []
        for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
            dx, dy = (x1 - x0) * M_PER_DEG_LON, (y1 - y0) * M_PER_DEG_LAT
            shift_m = rng.uniform(-1, 1) * OUTLINE_ROUGHNESS * math.hypot(dx, dy) / (level + 1)
            norm = math.hypot(dx, dy) or 1.0
            mid = (
                (x0 + x1) / 2 - dy / norm * shift_m / M_PER_DEG_LON,
                (y0 + y1) / 2 + dx / norm * shift_m / M_PER_DEG_LAT,
            )
            rough.extend(((x0, y0), mid))
        ring = rough
    outline = Polygon([(round(x, 7), round(y, 7)) for x, y in ring])
    if not outline.is_valid:
        raise RuntimeError("roughened outline is not a simple polygon")
    return outline


def subdistrict_shapes(district: DemoDistrict) -> dict[str, Polygon]:
    """Sub-district polygons by code (parks excluded), rebuilt from the stored GeoJSON."""
    return {
        row["code"]: shapely.geometry.shape(row["geometry"])
        for row in district.subdistricts
        if row["kind"] == "subdistrict"
    }


def point_of(row: Row) -> Point:
    return Point(row["lon"], row["lat"])
