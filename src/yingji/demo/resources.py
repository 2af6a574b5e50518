"""Demo resources at the seed report's scale, placed inside the demo district.

Warehouses of several departments and of every sub-district with realistic stock by batch
(each batch entered through an "in" movement of the ledger, with its audit entry), the
2020–2030 reserve targets, 28 flood-control teams with 1,300+ members, professional teams,
7 social rescue forces, 4 enterprise agreement partners, 64 experts, a micro rescue station
per sub-district with its trainings and drills, and the 16 video feeds of the report
(应急, 公安, 卫生, 市场监管, 防汛防灾, 森林防火).

Deterministic: the rows are a function of the seed and of ``today`` (production and expiry
dates are set relative to it, so the expiry alerts mean something on the day the demo runs).
Every position lies inside its sub-district's polygon from the district generator.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import shapely
from shapely.geometry import Point, Polygon
from sqlalchemy import insert
from sqlalchemy.orm import Session

from yingji.audit.models import AuditEntry
from yingji.audit.service import SYSTEM, jsonable
from yingji.demo import names
from yingji.demo.district import DEFAULT_SEED, SUBDISTRICTS, generate_district, subdistrict_shapes
from yingji.resources import places, supplies
from yingji.resources.catalogue import DEFAULT_CATALOGUE
from yingji.resources.models import (
    Expert,
    ReserveTarget,
    Station,
    StationSession,
    StockBatch,
    StockMovement,
    Team,
    TeamMember,
    VideoFeed,
    Warehouse,
)
from yingji.resources.rules import local_date

Row = dict[str, Any]
SUB_NAMES = {s.code: s.name for s in SUBDISTRICTS}
SOUTH = ("370103019", "370103020", "370103021", "370103022", "370103017")  # hills, forest

# Stock profiles: item code → (low, high) quantity of a warehouse holding it.
PROFILES: dict[str, dict[str, tuple[int, int]]] = {
    "central": {
        "SANDBAG": (8000, 15000), "PUMP": (6, 14), "LIFEJACKET": (300, 600),
        "LIFEBUOY": (80, 150), "ASSAULTBOAT": (2, 4), "RAINCOAT": (300, 500),
        "RUBBERBOOT": (300, 500), "TARPAULIN": (1500, 3000), "TENT": (60, 120),
        "COTTONQUILT": (400, 800), "FOLDINGBED": (150, 300), "LIGHTING": (30, 60),
        "GENERATOR": (4, 8), "RADIO": (30, 60), "PROTSUIT": (200, 400),
        "GASMASK": (60, 120), "HYDRAULICTOOL": (2, 4), "CHAINSAW": (4, 8),
        "WATER": (200, 400), "INSTANTFOOD": (120, 240), "SHOVEL": (200, 400),
    },
    "flood": {
        "SANDBAG": (5000, 12000), "PUMP": (8, 20), "LIFEJACKET": (200, 400),
        "LIFEBUOY": (50, 120), "ASSAULTBOAT": (2, 5), "RAINCOAT": (150, 300),
        "RUBBERBOOT": (150, 300), "TARPAULIN": (1000, 2500), "LIGHTING": (20, 40),
        "GENERATOR": (3, 6), "SHOVEL": (150, 300), "GRAVEL": (30, 80),
    },
    "fire": {
        "EXTINGUISHER": (300, 600), "FIREHOSE": (60, 120), "FIREBLANKET": (100, 200),
        "HAZMATSUIT": (20, 40), "GASMASK": (40, 80), "HYDRAULICTOOL": (2, 4),
        "LIGHTING": (15, 30), "AMMONIANEUT": (300, 800), "ABSORBENT": (150, 400),
    },
    "health": {
        "MASK": (10000, 30000), "PROTSUIT": (800, 1500), "FIRSTAID": (100, 300),
        "DISINFECT": (500, 1500), "TENT": (10, 20),
    },
    "eco": {
        "ABSORBENT": (300, 800), "AMMONIANEUT": (400, 1000), "HAZMATSUIT": (15, 30),
        "GASMASK": (30, 60), "PROTSUIT": (100, 200),
    },
    "civil": {
        "TENT": (150, 300), "COTTONQUILT": (1500, 3000), "FOLDINGBED": (300, 600),
        "WATER": (300, 800), "INSTANTFOOD": (200, 500), "RAINCOAT": (200, 400),
    },
    "forest": {
        "EXTINGUISHER": (200, 400), "CHAINSAW": (6, 12), "SHOVEL": (200, 400),
        "FIREBLANKET": (50, 100), "RADIO": (20, 40), "LIGHTING": (10, 20),
        "WATER": (100, 200),
    },
    "subdistrict": {
        "SANDBAG": (800, 3000), "PUMP": (1, 5), "LIFEJACKET": (20, 80),
        "RAINCOAT": (30, 80), "EXTINGUISHER": (40, 120), "LIGHTING": (4, 12),
        "FIRSTAID": (5, 20), "SHOVEL": (20, 60), "TENT": (2, 10), "MASK": (500, 3000),
        "PROTSUIT": (10, 60),
    },
}  # fmt: skip

# code, name, owner department, profile, sub-district it stands in
DEPARTMENT_WAREHOUSES: tuple[tuple[str, str, str, str, str], ...] = (
    ("WH-EM-01", "区应急物资储备库", "DEPT-EM", "central", "370103012"),
    ("WH-EM-02", "南部山区应急物资储备点", "DEPT-EM", "central", "370103019"),
    ("WH-WATER-01", "区防汛物资仓库", "DEPT-WATER", "flood", "370103008"),
    ("WH-WATER-02", "兴隆防汛物资储备点", "DEPT-WATER", "flood", "370103020"),
    ("WH-FIRE-01", "消防救援大队器材库", "DEPT-FIRE", "fire", "370103009"),
    ("WH-HEALTH-01", "卫生应急物资库", "DEPT-HEALTH", "health", "370103004"),
    ("WH-ECO-01", "环境应急物资库", "DEPT-ECO", "eco", "370103021"),
    ("WH-CIVIL-01", "区救灾物资仓库", "DEPT-CIVIL", "civil", "370103015"),
    ("WH-FOREST-01", "森林防火物资库", "DEPT-FOREST", "forest", "370103022"),
)

FLOOD_SKILLS = (
    "抢险",
    "排涝",
    "水上救援",
    "堤防加固",
    "沙袋封堵",
    "冲锋舟驾驶",
    "急救",
    "电力抢修",
)
CERTIFICATES = ("救生员证", "冲锋舟驾驶证", "急救员证", "电工证", "起重作业证", "潜水员证")
SPECIALTY_POOL = (
    ("危化", "市化工研究院"), ("防汛", "区水务局水利技术服务中心"), ("地质", "省地质调查院"),
    ("消防", "市消防协会"), ("医疗", "区人民医院"), ("建筑", "建筑设计研究院"),
    ("环境", "市环境监测中心站"), ("安全生产", "安全生产技术服务中心"), ("气象", "市气象局"),
    ("电力", "供电公司市中供电中心"),
)  # fmt: skip
AVAILABILITY_WEIGHTS = (("available", "busy", "unavailable"), (80, 15, 5))
TITLES = ("高级工程师", "教授", "研究员", "主任医师", "副教授", "工程师", "副主任医师")

PROFESSIONAL_TEAMS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("TEAM-PRO-01", "消防救援大队特勤站", "DEPT-FIRE",
     ("灭火", "破拆", "危化处置", "高空救援"), "370103009"),
    ("TEAM-PRO-02", "消防救援大队七贤站", "DEPT-FIRE", ("灭火", "破拆", "水上救援"), "370103018"),
    ("TEAM-PRO-03", "危险化学品应急救援队", "DEPT-EM",
     ("危化处置", "堵漏", "洗消", "侦检"), "370103021"),
    ("TEAM-PRO-04", "卫生应急医疗救援队", "DEPT-HEALTH", ("急救", "检伤分类", "转运"), "370103004"),
    ("TEAM-PRO-05", "地质灾害应急抢险队", "DEPT-NR", ("地质勘查", "边坡抢险", "监测"), "370103019"),
)  # fmt: skip
SOCIAL_FORCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("蓝天救援队市中分队", ("水上救援", "山地搜救", "急救")),
    ("红十字应急救护队", ("急救", "心肺复苏", "救护培训")),
    ("山地搜救志愿队", ("山地搜救", "绳索救援")),
    ("水上救援志愿队", ("水上救援", "潜水")),
    ("应急通信志愿队", ("应急通信", "无人机")),
    ("心理援助志愿队", ("心理疏导",)),
    ("搜救犬志愿队", ("搜救犬", "废墟搜救")),
)
ENTERPRISES: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, int, str], ...]], ...] = (
    ("市中工程机械租赁有限公司", ("工程抢险", "挖掘", "吊装"),
     (("挖掘机", 6, "台"), ("装载机", 4, "台"), ("汽车吊", 2, "台"))),
    ("泉城应急物流有限公司", ("物资运输", "仓储"), (("厢式货车", 12, "辆"), ("叉车", 4, "台"))),
    ("市中供水抢修公司", ("供水抢修", "排涝"), (("抢修车", 5, "辆"), ("大流量排水泵", 6, "台"))),
    ("历下商贸连锁集团（市中门店）", ("生活物资供应",),
     (("饮用水", 2000, "箱"), ("方便食品", 1500, "箱"))),
)  # fmt: skip
# The 16 feeds: owner department, count (应急 4, 公安 3, 卫生 2, 市场监管 2, 防汛防灾 3, 森林防火 2)
VIDEO_OWNERS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("DEPT-EM", 4, ("应急指挥中心楼顶", "京台高速殷家林立交", "危化品企业集中区", "二环南路高点")),
    ("DEPT-PS", 3, ("经十路英雄山路口", "泉城公园南门", "大观园商圈")),
    ("DEPT-HEALTH", 2, ("区人民医院急诊入口", "区疾控中心")),
    ("DEPT-MARKET", 2, ("七里山农贸市场", "特种设备重点单位")),
    ("DEPT-WATER", 3, ("兴济河闸口", "玉符河段", "下穿立交积水点")),
    ("DEPT-FOREST", 2, ("金鸡岭林区瞭望塔", "兴隆山林区卡口")),
)  # fmt: skip


@dataclass
class ResourcesDemo:
    warehouses: list[Row] = field(default_factory=list)
    batches: list[Row] = field(default_factory=list)  # with "warehouse_code"
    targets: list[Row] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    members: list[Row] = field(default_factory=list)  # with "team_code"
    experts: list[Row] = field(default_factory=list)
    stations: list[Row] = field(default_factory=list)
    sessions: list[Row] = field(default_factory=list)  # with "station_code"
    videos: list[Row] = field(default_factory=list)


class _Placer:
    """Uniform random points inside each sub-district's polygon (kept a little inside the
    boundary, so nothing sits on a line shared with a neighbour)."""

    def __init__(self, shapes: dict[str, Polygon], rng: random.Random) -> None:
        self.shapes = shapes
        self.rng = rng
        self.inner: dict[str, Any] = {}
        for code, shape in shapes.items():
            inner = shape.buffer(-0.0005)
            self.inner[code] = inner if not inner.is_empty else shape
            shapely.prepare(self.inner[code])

    def point(self, code: str) -> tuple[float, float]:
        target = self.inner[code]
        minx, miny, maxx, maxy = target.bounds
        while True:
            lon = round(self.rng.uniform(minx, maxx), 6)
            lat = round(self.rng.uniform(miny, maxy), 6)
            if shapely.contains_xy(target, lon, lat):
                return lon, lat


def generate_resources(seed: int, today: date) -> ResourcesDemo:
    """Every demo resource row for ``seed``, with dates relative to ``today``."""
    rng = random.Random(f"resources-{seed}")
    district = generate_district(seed)
    place = _Placer(subdistrict_shapes(district), rng)
    out = ResourcesDemo()
    catalogue = {e.code: e for e in DEFAULT_CATALOGUE}
    sub_codes = sorted(SUB_NAMES)

    def warehouse(
        code: str, name: str, owner_type: str, owner: str, sub: str, profile: str
    ) -> None:
        lon, lat = place.point(sub)
        out.warehouses.append(
            {
                "code": code, "name": name, "owner_type": owner_type, "owner_code": owner,
                "subdistrict_code": sub, "lon": lon, "lat": lat,
                "address": f"济南市市中区{rng.choice(names.MAIN_ROADS)}{rng.randint(1, 300)}号",
                "keeper_name": names.person_name(rng), "keeper_phone": names.mobile_phone(rng),
                "area_m2": float(
                    rng.choice((300, 500, 800, 1200)) if owner_type == "department" else 120
                ),
                "notes": "",
            }
        )  # fmt: skip
        for item_code, (low, high) in PROFILES[profile].items():
            entry = catalogue[item_code]
            total = rng.randint(low, high)
            if rng.random() < 0.08:  # some stock has run low: the alerts have something to say
                total = max(1, entry.min_stock // 3) if profile == "subdistrict" else total // 10
            parts = rng.choice((1, 1, 2, 2, 3))
            for k in range(parts):
                qty = total // parts + (total % parts if k == 0 else 0)
                if qty <= 0:
                    continue
                age_days = rng.randint(30, 4 * 365)
                produced = today - timedelta(days=age_days)
                expiry = None
                if entry.shelf_life_days:
                    expiry = produced + timedelta(days=entry.shelf_life_days)
                    if rng.random() < 0.1:  # a batch about to expire
                        expiry = today + timedelta(days=rng.randint(3, 60))
                        produced = min(produced, expiry - timedelta(days=30))
                out.batches.append(
                    {
                        "warehouse_code": code, "item_code": item_code,
                        "batch_no": f"{produced:%Y%m}-{code[-5:]}-{item_code[:4]}{k + 1}",
                        "production_date": produced, "expiry_date": expiry,
                        "quantity_milli": qty * 1000,
                        "received_at": datetime.combine(
                            produced + timedelta(days=rng.randint(5, 25)), time(9), tzinfo=UTC
                        ),
                    }
                )  # fmt: skip

    for code, name, dept, profile, sub in DEPARTMENT_WAREHOUSES:
        warehouse(code, name, "department", dept, sub, profile)
    for sub in sub_codes:
        warehouse(
            f"WH-{sub}", f"{SUB_NAMES[sub]}应急物资储备点", "subdistrict", sub, sub, "subdistrict"
        )

    # Reserve targets 2020–2030: the plan rises from 70 % of today's holding to 130 %.
    held: dict[str, int] = {}
    for b in out.batches:
        held[b["item_code"]] = held.get(b["item_code"], 0) + b["quantity_milli"] // 1000
    for item_code, qty in sorted(held.items()):
        for year in range(2020, 2031):
            factor = 0.7 + 0.06 * (year - 2020)
            out.targets.append(
                {"year": year, "item_code": item_code, "quantity_milli": round(qty * factor) * 1000}
            )

    def team(code: str, name: str, kind: str, owner_type: str, owner: str, sub: str,
             skills: tuple[str, ...], members: int, equipment: list[Row],
             agreement_until: date | None = None) -> None:  # fmt: skip
        lon, lat = place.point(sub)
        out.teams.append(
            {
                "code": code, "name": name, "kind": kind, "owner_type": owner_type,
                "owner_code": owner, "skills": list(skills), "equipment": equipment,
                "leader_name": names.person_name(rng), "leader_phone": names.mobile_phone(rng),
                "duty_phone": names.landline(rng), "lon": lon, "lat": lat, "subdistrict_code": sub,
                "address": f"济南市市中区{rng.choice(names.MAIN_ROADS)}{rng.randint(1, 300)}号",
                "agreement_until": agreement_until, "status": "standby",
                "status_incident_ref": None,
                "status_changed_at": datetime.combine(today, time(0), tzinfo=UTC),
            }
        )  # fmt: skip
        for k in range(members):
            out.members.append(
                {
                    "team_code": code, "name": names.person_name(rng),
                    "role": "队长" if k == 0 else ("副队长" if k == 1 else "队员"),
                    "phone": names.mobile_phone(rng),
                    "skills": rng.sample(skills, k=min(len(skills), rng.randint(1, 3))),
                    "certificates": rng.sample(CERTIFICATES, k=rng.randint(0, 2)),
                }
            )  # fmt: skip

    # 28 flood-control teams: one per sub-district and 11 of the departments (1,300+ people).
    flood_owners = [("subdistrict", s, s) for s in sub_codes] + [
        ("department", d, rng.choice(sub_codes))
        for d in ("DEPT-WATER",) * 4 + ("DEPT-EM",) * 2 + ("DEPT-HOUSING",) * 2
        + ("DEPT-CITY",) * 2 + ("DEPT-TRANSPORT",)
    ]  # fmt: skip
    sizes = [rng.randint(42, 54) for _ in flood_owners]
    while sum(sizes) < 1300:
        sizes[rng.randrange(len(sizes))] += 1
    dept_names = {d["code"]: d["short_name"] for d in district.departments}
    for n, ((owner_type, owner, sub), size) in enumerate(zip(flood_owners, sizes, strict=True), 1):
        who = SUB_NAMES[owner] if owner_type == "subdistrict" else dept_names[owner]
        team(
            f"TEAM-FLOOD-{n:02d}",
            f"{who}防汛应急抢险队" + ("" if owner_type == "subdistrict" else f"（{n}）"),
            "flood", owner_type, owner, sub, FLOOD_SKILLS, size,
            [{"name": "抽水泵", "quantity": rng.randint(2, 6), "unit": "台"},
             {"name": "冲锋舟", "quantity": rng.randint(0, 2), "unit": "艘"},
             {"name": "救生衣", "quantity": size, "unit": "件"}],
        )  # fmt: skip
    for code, name, dept, skills, sub in PROFESSIONAL_TEAMS:
        team(code, name, "professional", "department", dept, sub, skills, rng.randint(18, 36),
             [{"name": "抢险救援车", "quantity": rng.randint(1, 4), "unit": "辆"}])  # fmt: skip
    for n, (name, skills) in enumerate(SOCIAL_FORCES, 1):
        team(f"TEAM-SOC-{n:02d}", name, "social", "none", "", rng.choice(sub_codes), skills,
             rng.randint(12, 40), [])  # fmt: skip
    for n, (name, skills, equipment) in enumerate(ENTERPRISES, 1):
        team(
            f"TEAM-ENT-{n:02d}", name, "enterprise", "none", "", rng.choice(sub_codes), skills,
            rng.randint(8, 20), [{"name": e, "quantity": q, "unit": u} for e, q, u in equipment],
            agreement_until=date(today.year + rng.randint(1, 3), 12, 31),
        )  # fmt: skip

    # 64 experts, spread over the specialties.
    for n in range(1, 65):
        specialty, org = SPECIALTY_POOL[(n - 1) % len(SPECIALTY_POOL)]
        extra = rng.choice([s for s, _ in SPECIALTY_POOL if s != specialty])
        lon, lat = place.point(rng.choice(sub_codes))
        out.experts.append(
            {
                "code": f"EXP-{n:03d}", "name": names.person_name(rng),
                "specialties": [specialty] + ([extra] if rng.random() < 0.3 else []),
                "title": rng.choice(TITLES), "organisation": org,
                "phone": names.mobile_phone(rng), "email": f"expert{n:03d}@yingji.example",
                "availability": rng.choices(AVAILABILITY_WEIGHTS[0], AVAILABILITY_WEIGHTS[1])[0],
                "lon": lon, "lat": lat, "subdistrict_code": _sub_of(place, lon, lat),
            }
        )  # fmt: skip

    # A micro rescue station per sub-district: patrol car, fire motorcycles, trainings, drills.
    for sub in sub_codes:
        lon, lat = place.point(sub)
        code = f"STA-{sub}"
        out.stations.append(
            {
                "code": code, "name": f"{SUB_NAMES[sub]}微型应急救援站", "subdistrict_code": sub,
                "lon": lon, "lat": lat,
                "address": f"济南市市中区{rng.choice(names.MAIN_ROADS)}{rng.randint(1, 300)}号",
                "leader_name": names.person_name(rng), "duty_phone": names.landline(rng),
                "members": [
                    {"name": names.person_name(rng), "role": "站长" if k == 0 else "队员",
                     "phone": names.mobile_phone(rng)}
                    for k in range(rng.randint(6, 10))
                ],
                "vehicles": [
                    {"kind": "patrol_car", "plate": f"鲁A{rng.randint(10000, 99999)}", "count": 1},
                    {"kind": "fire_motorcycle", "plate": "", "count": rng.randint(1, 3)},
                ],
                "equipment": [
                    {"name": "灭火器", "quantity": rng.randint(10, 30), "unit": "具"},
                    {"name": "消防水带", "quantity": rng.randint(4, 10), "unit": "盘"},
                    {"name": "急救箱", "quantity": rng.randint(2, 5), "unit": "个"},
                    {"name": "对讲机", "quantity": rng.randint(4, 8), "unit": "部"},
                ],
                "facilities": ["应急文化长廊", "应急安全模拟体验屋"][: rng.randint(1, 2)],
            }
        )  # fmt: skip
        for _ in range(rng.randint(3, 8)):
            kind = rng.choice(("training", "drill"))
            out.sessions.append(
                {
                    "station_code": code, "kind": kind,
                    "title": rng.choice(
                        ("消防安全培训", "心肺复苏培训", "防汛知识讲座", "燃气安全培训")
                        if kind == "training"
                        else ("居民疏散演练", "初起火灾扑救演练", "防汛应急演练", "地震避险演练")
                    ),
                    "held_on": today - timedelta(days=rng.randint(1, 365)),
                    "participants": rng.randint(20, 200), "notes": "",
                }
            )  # fmt: skip

    # The 16 video feeds.
    n = 0
    for dept, count, spots in VIDEO_OWNERS:
        for k in range(count):
            n += 1
            sub = rng.choice(SOUTH) if dept == "DEPT-FOREST" else rng.choice(sub_codes)
            lon, lat = place.point(sub)
            code = f"CAM-{n:02d}"
            kind = "hls" if n % 5 else ("rtsp" if n % 10 else "snapshot")
            url = {
                "hls": f"https://video.yingji.example/hls/{code.lower()}/index.m3u8",
                "rtsp": f"rtsp://10.16.{n}.10:554/Streaming/Channels/101",
                "snapshot": f"https://video.yingji.example/snapshot/{code.lower()}.jpg",
            }[kind]
            out.videos.append(
                {
                    "code": code, "name": f"{spots[k]}", "owner_department_code": dept,
                    "lon": lon, "lat": lat, "subdistrict_code": sub, "stream_kind": kind,
                    "stream_url": url, "view_range_m": float(rng.choice((100, 150, 200, 300))),
                    "status": "offline" if n == 7 else ("fault" if n == 13 else "online"),
                    "status_checked_at": datetime.combine(today, time(8), tzinfo=UTC),
                }
            )  # fmt: skip
    return out


def _sub_of(place: _Placer, lon: float, lat: float) -> str:
    here = Point(lon, lat)
    return next(code for code, shape in place.shapes.items() if shape.contains(here))


def load_resources_demo(
    session: Session, *, seed: int = DEFAULT_SEED, today: date | None = None
) -> None:
    """Insert the demo resources (the caller commits). Needs the demo district loaded first."""
    day = today or local_date(datetime.now(UTC))
    data = generate_resources(seed, day)
    supplies.seed_catalogue(session)
    wh_ids = dict(
        zip(
            [w["code"] for w in data.warehouses],
            session.scalars(
                insert(Warehouse).returning(Warehouse.id, sort_by_parameter_order=True),
                data.warehouses,
            ).all(),
            strict=True,
        )
    )
    batch_rows = [
        {k: v for k, v in b.items() if k != "warehouse_code"}
        | {"warehouse_id": wh_ids[b["warehouse_code"]]}
        for b in data.batches
    ]
    batch_ids = session.scalars(
        insert(StockBatch).returning(StockBatch.id, sort_by_parameter_order=True), batch_rows
    ).all()
    group = uuid.uuid4().hex
    movements = [
        {
            "at": b["received_at"], "kind": "in", "warehouse_id": b["warehouse_id"],
            "batch_id": bid,
            "item_code": b["item_code"], "quantity_milli": b["quantity_milli"],
            "balance_after_milli": b["quantity_milli"], "group_id": group,
            "reason": "演示数据：期初入库",
            "actor_type": SYSTEM.type, "actor_id": SYSTEM.id, "actor_name": SYSTEM.name,
        }
        for b, bid in zip(batch_rows, batch_ids, strict=True)
    ]  # fmt: skip
    movement_ids = session.scalars(
        insert(StockMovement).returning(StockMovement.id, sort_by_parameter_order=True), movements
    ).all()
    session.execute(
        insert(AuditEntry),
        [
            {
                "actor_type": SYSTEM.type, "actor_id": SYSTEM.id, "actor_name": SYSTEM.name,
                "action": "stock_in", "object_type": "stock_movement", "object_id": str(mid),
                "after": {**jsonable(m), "id": mid},
                "reason": "演示数据：期初入库",
            }
            for m, mid in zip(movements, movement_ids, strict=True)
        ],
    )  # fmt: skip
    session.execute(insert(ReserveTarget), data.targets)
    team_ids = dict(
        zip(
            [t["code"] for t in data.teams],
            session.scalars(
                insert(Team).returning(Team.id, sort_by_parameter_order=True), data.teams
            ).all(),
            strict=True,
        )
    )
    session.execute(
        insert(TeamMember),
        [
            {k: v for k, v in m.items() if k != "team_code"} | {"team_id": team_ids[m["team_code"]]}
            for m in data.members
        ],
    )
    session.execute(insert(Expert), data.experts)
    station_ids = dict(
        zip(
            [s["code"] for s in data.stations],
            session.scalars(
                insert(Station).returning(Station.id, sort_by_parameter_order=True), data.stations
            ).all(),
            strict=True,
        )
    )
    session.execute(
        insert(StationSession),
        [
            {k: v for k, v in s.items() if k != "station_code"}
            | {"station_id": station_ids[s["station_code"]]}
            for s in data.sessions
        ],
    )
    session.execute(insert(VideoFeed), data.videos)
    for kind in places.COUNTERS:
        places.bump(session, kind)
    session.flush()
