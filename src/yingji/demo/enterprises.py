"""Demo enterprises at the seed report's scale: "辖区危险化学品储存经营及规模以上工业企业235家
已全部录入，累计辨识风险点7207余个、危险源25788余个".

235 enterprises (hazardous-chemicals storage and trade, filling stations, chemicals use and
industrial enterprises above designated size), each with a valid 统一社会信用代码 (GB 32100),
licences with expiries around today, production and storage units, and exactly 7,207 risk
points holding exactly 25,788 hazard sources, with two or three control measures each.

Enterprises stand on the district's own factory, warehouse and filling-station points where
the sub-district has them (their grid point is then set), else inside the sub-district.
Deterministic: a function of the seed and ``today``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session

from yingji.core.creditcode import ALPHABET, with_check
from yingji.demo import names
from yingji.demo.district import (
    DEFAULT_SEED,
    SUBDISTRICTS,
    DemoDistrict,
    apportion,
    generate_district,
)
from yingji.enterprise.models import Enterprise, EnterpriseLicence, EnterpriseUnit
from yingji.prevention.risk import rules
from yingji.prevention.risk.models import (
    ControlMeasure,
    HazardSource,
    RiskAssessment,
    RiskPoint,
)

ENTERPRISES = 235
RISK_POINTS = 7207
HAZARD_SOURCES = 25788
DISTRICT_DIVISION = "370103"  # 济南市市中区

Row = dict[str, Any]

# (kind, industry codes, share of the 235, name stems, name endings)
PROFILES: tuple[tuple[str, tuple[str, ...], int, tuple[str, ...]], ...] = (
    ("hazchem_storage", ("G5942", "F5169", "F5162"), 38, ("化工", "化学品", "石化")),
    ("hazchem_storage", ("F5265",), 26, ()),  # filling stations
    ("hazchem_trade", ("F5169", "F5166", "F5162"), 24, ("化工", "化学品", "化工贸易")),
    ("hazchem_use", ("C2641", "C2662", "C27", "C29"), 27, ("化工", "涂料", "制药", "塑胶")),
    ("industrial", ("C13", "C14", "C15", "C17", "C22", "C23", "C30", "C33", "C34", "C35",
                    "C36", "C38", "C39", "D44", "D45"), 120, ()),
)  # fmt: skip
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "C13": ("食品", "粮油"), "C14": ("食品", "乳业"), "C15": ("饮料", "酒业"),
    "C17": ("纺织",), "C22": ("纸业", "包装"), "C23": ("印务", "彩印"), "C30": ("建材", "水泥制品"),
    "C33": ("金属制品", "钢结构"), "C34": ("机械", "重工"), "C35": ("装备", "专用设备"),
    "C36": ("汽车零部件", "汽车配件"), "C38": ("电气", "电器"), "C39": ("电子", "光电"),
    "D44": ("热力", "热电"), "D45": ("燃气",),
}  # fmt: skip
ENDINGS = ("有限公司", "有限责任公司", "股份有限公司")

# Risk points by enterprise kind: (name, kind, hazard sources with GB 6441 accident types)
Source = tuple[str, tuple[str, ...]]
RiskTemplate = tuple[str, str, tuple[Source, ...]]
_CHEM_POINTS: tuple[RiskTemplate, ...] = (
    ("甲类仓库", "site", (("易燃液体泄漏", ("火灾", "爆炸")), ("静电积聚", ("火灾", "爆炸")),
                         ("包装破损", ("中毒和窒息",)), ("通风不良", ("中毒和窒息",)),
                         ("叉车作业", ("车辆伤害",)))),
    ("储罐区", "facility", (("储罐超压", ("容器爆炸",)), ("罐体腐蚀泄漏", ("火灾", "中毒和窒息")),
                           ("呼吸阀失效", ("爆炸",)), ("雷击", ("火灾", "爆炸")),
                           ("防火堤破损", ("火灾",)))),
    ("装卸站台", "activity", (("槽车装卸泄漏", ("火灾", "中毒和窒息")), ("静电接地失效", ("爆炸",)),
                             ("车辆溜车", ("车辆伤害",)), ("高处作业", ("高处坠落",)))),
    ("危化品分装作业", "activity", (("有毒气体逸散", ("中毒和窒息",)), ("灼烫", ("灼烫",)),
                                 ("电气设备非防爆", ("火灾", "爆炸")))),
    ("配电室", "facility", (("电气线路老化", ("触电", "火灾")), ("带电作业", ("触电",)))),
    ("消防泵房", "facility", (("消防泵失效", ("火灾",)), ("电机绝缘破损", ("触电",)))),
    ("动火作业", "activity", (("动火未审批", ("火灾", "爆炸")), ("可燃气体未检测", ("爆炸",)),
                             ("作业监护缺失", ("火灾",)))),
    ("受限空间作业", "activity", (("缺氧", ("中毒和窒息",)), ("有毒气体积聚", ("中毒和窒息",)),
                                 ("救援不当", ("中毒和窒息",)))),
    ("危废暂存间", "site", (("危废混存反应", ("火灾", "中毒和窒息")), ("渗漏", ("其他伤害",)))),
    ("办公区", "site", (("电器火灾", ("火灾",)), ("疏散通道堵塞", ("其他伤害",)))),
)  # fmt: skip
_STATION_POINTS: tuple[RiskTemplate, ...] = (
    ("埋地油罐区", "facility", (("油罐渗漏", ("火灾", "爆炸")), ("液位仪失效", ("火灾",)),
                               ("人孔井油气积聚", ("爆炸", "中毒和窒息")))),
    ("加油作业区", "activity", (("加油枪跑冒", ("火灾",)), ("车辆未熄火加油", ("火灾", "爆炸")),
                               ("静电", ("火灾", "爆炸")),
                               ("车辆撞击加油机", ("车辆伤害", "火灾")))),
    ("卸油作业", "activity", (("卸油口泄漏", ("火灾", "爆炸")), ("静电接地未连接", ("爆炸",)),
                             ("油气回收失效", ("中毒和窒息", "火灾")))),
    ("站房", "site", (("电气火灾", ("火灾",)), ("燃气灶具泄漏", ("爆炸",)))),
    ("配电间", "facility", (("配电箱漏电", ("触电",)), ("线路过载", ("火灾",)))),
)  # fmt: skip
_PLANT_POINTS: tuple[RiskTemplate, ...] = (
    ("冲压车间", "site", (("冲床误操作", ("机械伤害",)), ("安全光幕失效", ("机械伤害",)),
                         ("物料坠落", ("物体打击",)))),
    ("机加工车间", "site", (("旋转部件卷入", ("机械伤害",)), ("切屑飞溅", ("物体打击",)),
                           ("砂轮破碎", ("物体打击",)))),
    ("焊接作业", "activity", (("弧光灼伤", ("灼烫",)), ("焊接烟尘", ("中毒和窒息",)),
                             ("焊渣引燃", ("火灾",)), ("焊机漏电", ("触电",)))),
    ("起重作业", "activity", (("吊物坠落", ("起重伤害",)), ("钢丝绳断裂", ("起重伤害",)),
                             ("限位失效", ("起重伤害",)))),
    ("叉车作业", "activity", (("叉车撞人", ("车辆伤害",)), ("货物倾倒", ("物体打击",)))),
    ("锅炉房", "facility", (("锅炉超压", ("锅炉爆炸",)), ("燃气泄漏", ("爆炸", "火灾")),
                           ("高温管道", ("灼烫",)))),
    ("空压机房", "facility", (("储气罐超压", ("容器爆炸",)), ("噪声", ("其他伤害",)))),
    ("配电室", "facility", (("电气线路老化", ("触电", "火灾")), ("带电作业", ("触电",)))),
    ("原料仓库", "site", (("堆垛倒塌", ("物体打击",)), ("电气火灾", ("火灾",)),
                         ("货架超载", ("坍塌",)))),
    ("涂装线", "facility", (("有机溶剂挥发", ("火灾", "爆炸", "中毒和窒息")),
                           ("静电", ("火灾",)))),
    ("粉尘作业区", "site", (("粉尘积聚", ("其他爆炸",)), ("除尘器火花", ("其他爆炸", "火灾")))),
    ("有限空间作业", "activity", (("缺氧", ("中毒和窒息",)), ("有毒气体", ("中毒和窒息",)))),
    ("高处作业", "activity", (("未系安全带", ("高处坠落",)), ("平台护栏缺失", ("高处坠落",)))),
    ("食堂", "site", (("燃气泄漏", ("爆炸", "火灾")), ("油烟管道积油", ("火灾",)))),
)  # fmt: skip
CONTROLS: tuple[tuple[str, str], ...] = (
    ("engineering", "设置可燃/有毒气体检测报警并与通风联锁"),
    ("engineering", "安全防护装置（防护罩、光幕、联锁）完好有效"),
    ("management", "执行作业票证审批和作业前安全确认"),
    ("management", "落实岗位巡检，每班检查并记录"),
    ("training", "岗位人员安全操作规程培训并考核合格"),
    ("ppe", "按规定佩戴防护用品（防护眼镜、防毒面具、安全带）"),
    ("emergency", "配备应急器材并每季度开展现场处置方案演练"),
)
CONTROL_LEVELS = ("company", "workshop", "team", "post")


@dataclass
class EnterprisesDemo:
    enterprises: list[Row] = field(default_factory=list)
    licences: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    risk_points: list[Row] = field(default_factory=list)
    # hazard sources and controls name their risk point by (enterprise code, point code)
    sources: list[Row] = field(default_factory=list)
    controls: list[Row] = field(default_factory=list)
    # the risk points' database ids once loaded, in the order of ``risk_points``
    point_ids: list[int] = field(default_factory=list)


def enterprise_code(seed: int, n: int) -> str:
    """The credit code of demo enterprise ``n`` (1-based): 9 1 370103 MA + 7 + check."""
    rng = random.Random(f"credit-{seed}-{n}")
    body = "".join(rng.choice(ALPHABET) for _ in range(7))
    return with_check(f"91{DISTRICT_DIVISION}MA{body}")


DEMO_ENTERPRISE_CODE = enterprise_code(DEFAULT_SEED, 1)


def _industrial_subdistricts() -> list[tuple[str, float]]:
    weights = {"suburban": 6.0, "urban": 1.5, "old_city": 0.3}
    return [(s.code, weights[s.zone]) for s in SUBDISTRICTS]


def generate_enterprises(
    seed: int, today: date, district: DemoDistrict | None = None
) -> EnterprisesDemo:
    """Every demo enterprise row for ``seed`` with dates relative to ``today``."""
    rng = random.Random(f"enterprises-{seed}")
    district = district or generate_district(seed)
    out = EnterprisesDemo()
    spots: dict[str, list[Row]] = {}
    for p in district.points:
        if p["kind"] in ("factory", "warehouse", "gas_station"):
            spots.setdefault(f"{p['kind']}:{p['subdistrict_code']}", []).append(p)
    subs = _industrial_subdistricts()
    sub_codes = [c for c, _ in subs]
    sub_weights = [w for _, w in subs]
    sub_names = {s.code: s.name for s in SUBDISTRICTS}
    used_names: set[str] = set()
    n = 0
    for kind, industries, share, stems in PROFILES:
        for _ in range(share):
            n += 1
            industry = rng.choice(industries)
            station = industry == "F5265"
            spot_kind = "gas_station" if station else (
                "warehouse" if kind in ("hazchem_storage", "hazchem_trade") else "factory"
            )  # fmt: skip
            sub = rng.choices(sub_codes, weights=sub_weights)[0]
            free = spots.get(f"{spot_kind}:{sub}") or []
            point = free.pop(rng.randrange(len(free))) if free else None
            if point is None:
                sub, point = _any_spot(rng, spots, spot_kind, sub)
            name = _name(rng, kind, industry, stems, sub_names[point["subdistrict_code"]])
            while name in used_names:
                name = _name(rng, kind, industry, stems, sub_names[point["subdistrict_code"]])
            used_names.add(name)
            out.enterprises.append(_enterprise(rng, seed, n, name, kind, industry, point, today))
            code = out.enterprises[-1]["code"]
            out.licences.extend(_licences(rng, code, kind, station, today))
            out.units.extend(_units(rng, code, kind, station))
    _risk_points(rng, out)
    return out


def _any_spot(
    rng: random.Random, spots: dict[str, list[Row]], kind: str, sub: str
) -> tuple[str, Row]:
    """A free point of ``kind`` anywhere (the sub-district had none left); the industrial
    point kinds are plentiful enough that the district never runs out."""
    for pool_kind in (kind, "factory", "warehouse"):
        pools = [k for k, rows in spots.items() if k.startswith(pool_kind + ":") and rows]
        if pools:
            key = sorted(pools)[rng.randrange(len(pools))]
            row = spots[key].pop(rng.randrange(len(spots[key])))
            return row["subdistrict_code"], row
    raise RuntimeError(f"no free {kind} point left in the demo district for {sub}")


def _name(
    rng: random.Random, kind: str, industry: str, stems: tuple[str, ...], sub_name: str
) -> str:
    if industry == "F5265":
        brand = rng.choice(names.FUEL_BRANDS)
        place = sub_name.removesuffix("街道")
        side = rng.choice(("", "东", "西", "南", "北"))
        return f"{brand}济南{place}{side}{rng.choice(('加油站', '加油加气站'))}"
    word = rng.choice(stems or INDUSTRY_WORDS.get(industry, ("实业",)))
    lead = rng.choice(("济南", "山东", "济南市"))
    return f"{lead}{names.brand(rng)}{word}{rng.choice(ENDINGS)}"


def _enterprise(
    rng: random.Random, seed: int, n: int, name: str, kind: str, industry: str,
    point: Row, today: date,
) -> Row:  # fmt: skip
    employees = {
        "hazchem_storage": (8, 60), "hazchem_trade": (5, 30), "hazchem_use": (40, 400),
        "industrial": (50, 1200),
    }[kind]  # fmt: skip
    if industry == "F5265":
        employees = (8, 20)
    grade = rng.choices(("1", "2", "3", "none"), weights=(3, 22, 60, 15))[0]
    principal = names.person_name(rng)
    contacts = [
        {"name": names.person_name(rng), "role": role, "phone": names.mobile_phone(rng)}
        for role in rng.sample(("安全员", "设备主管", "仓库主管", "生产主管"), 2)
    ]
    return {
        "code": enterprise_code(seed, n),
        "name": name,
        "industry_code": industry,
        "kind": kind,
        "subdistrict_code": point["subdistrict_code"],
        "grid_point_code": point["code"],
        "address": point["address"] or point["name"],
        "lon": point["lon"],
        "lat": point["lat"],
        "legal_rep_name": principal if rng.random() < 0.6 else names.person_name(rng),
        "legal_rep_phone": names.mobile_phone(rng),
        "principal_name": principal,
        "principal_phone": names.mobile_phone(rng),
        "safety_manager_name": names.person_name(rng),
        "safety_manager_phone": names.mobile_phone(rng),
        "contacts": contacts,
        "employees": rng.randint(*employees),
        "standardisation_grade": grade,
        "standardisation_expiry": None
        if grade == "none"
        else today + timedelta(days=rng.randint(-40, 3 * 365)),
        "has_major_hazard": False,
        "risk_colour": None,
        "active": True,
    }


def _licences(rng: random.Random, code: str, kind: str, station: bool, today: date) -> list[Row]:
    kinds: tuple[str, ...]
    if station:
        kinds = ("hazchem_trade", "refined_oil")
    elif kind == "hazchem_storage":
        kinds = ("hazchem_trade", "hazchem_registration")
    elif kind == "hazchem_trade":
        kinds = ("hazchem_trade",)
    elif kind == "hazchem_use":
        kinds = ("hazchem_use", "safety_production")
    else:
        kinds = ("fire_acceptance",)
    rows = []
    for licence in kinds:
        issued = today - timedelta(days=rng.randint(200, 3 * 365 - 30))
        rows.append(
            {
                "enterprise_code": code,
                "kind": licence,
                "number": f"鲁济{rng.choice('危安消')}字〔{issued.year}〕"
                f"{rng.randint(1, 999):03d}号",
                "issuer": "济南市应急管理局"
                if licence != "fire_acceptance"
                else "市中区消防救援大队",
                "issued_on": issued,
                # three-year licences: some expire within the month, a few have lapsed
                "expires_on": issued + timedelta(days=3 * 365),
                "scope": "",
            }
        )
    return rows


def _units(rng: random.Random, code: str, kind: str, station: bool) -> list[Row]:
    def unit(number: int, name: str, unit_kind: str) -> Row:
        return {
            "enterprise_code": code, "code": f"U{number:02d}", "name": name,
            "kind": unit_kind, "notes": "",
        }  # fmt: skip

    if station:
        return [unit(1, "埋地油罐区", "storage")]
    if kind in ("hazchem_storage", "hazchem_trade"):
        return [unit(i, f"{i}号仓库", "storage") for i in range(1, rng.randint(1, 3) + 1)]
    if kind == "hazchem_use":
        return [unit(1, "生产车间", "production"), unit(2, "原料库", "storage")]
    return []


def _templates(e: Row) -> tuple[RiskTemplate, ...]:
    if e["industry_code"] == "F5265":
        return _STATION_POINTS
    if e["kind"] in ("hazchem_storage", "hazchem_trade"):
        return _CHEM_POINTS
    if e["kind"] == "hazchem_use":
        return _CHEM_POINTS + _PLANT_POINTS
    return _PLANT_POINTS


def _risk_points(rng: random.Random, out: EnterprisesDemo) -> None:
    """7,207 points apportioned by size; 25,788 sources apportioned over the points."""
    weights = [
        (e["employees"] ** 0.5) * (0.4 if e["industry_code"] == "F5265" else 1.0)
        for e in out.enterprises
    ]
    per_enterprise = [max(n, 1) for n in apportion(RISK_POINTS, weights)]
    per_enterprise[-1] -= sum(per_enterprise) - RISK_POINTS
    planned: list[tuple[Row, RiskTemplate, int]] = []
    for e, count in zip(out.enterprises, per_enterprise, strict=True):
        templates = _templates(e)
        for i in range(count):
            template = templates[i % len(templates)]
            planned.append((e, template, i // len(templates) + 1))
    source_weights = [len(t[2]) * rng.uniform(0.6, 1.4) for _, t, _ in planned]
    per_point = [max(n, 1) for n in apportion(HAZARD_SOURCES, source_weights)]
    per_point[-1] -= sum(per_point) - HAZARD_SOURCES
    for k, ((e, (base, kind, sources), number), n_sources) in enumerate(
        zip(planned, per_point, strict=True)
    ):
        point_code = f"RP{k + 1:05d}"
        name = base if number == 1 else f"{base}（{number}）"
        out.risk_points.append(
            {
                "enterprise_code": e["code"],
                "code": point_code,
                "name": name,
                "kind": kind,
                "location": name,
                "lon": round(e["lon"] + rng.uniform(-0.0006, 0.0006), 7),
                "lat": round(e["lat"] + rng.uniform(-0.0005, 0.0005), 7),
                "tag": f"YJ-{e['code'][-6:]}-{point_code}",
                "responsible_name": names.person_name(rng),
                "responsible_phone": names.mobile_phone(rng),
                "active": True,
            }
        )
        for j in range(n_sources):
            source_name, types = sources[j % len(sources)]
            out.sources.append(
                {
                    "point": (e["code"], point_code),
                    "enterprise_code": e["code"],
                    "name": source_name
                    if j < len(sources)
                    else f"{source_name}（{j // len(sources) + 1}）",
                    "hazard_types": list(types),
                    "consequence": "、".join(types),
                }
            )  # fmt: skip
        for kind_, content in rng.sample(CONTROLS, rng.choice((2, 2, 3))):
            out.controls.append(
                {
                    "point": (e["code"], point_code),
                    "enterprise_code": e["code"],
                    "kind": kind_,
                    "content": content,
                    "control_level": rng.choice(CONTROL_LEVELS),
                    "responsible_name": names.person_name(rng),
                    "responsible_phone": names.mobile_phone(rng),
                    "active": True,
                }
            )


def load_enterprises_demo(
    session: Session,
    *,
    seed: int = DEFAULT_SEED,
    today: date,
    district: DemoDistrict | None = None,
) -> EnterprisesDemo:
    """Insert the demo enterprises and their risk points (the caller commits)."""
    data = generate_enterprises(seed, today, district)
    session.execute(insert(Enterprise), data.enterprises)
    session.execute(insert(EnterpriseLicence), data.licences)
    if data.units:
        session.execute(insert(EnterpriseUnit), data.units)
    ids = session.scalars(
        insert(RiskPoint).returning(RiskPoint.id, sort_by_parameter_order=True),
        data.risk_points,
    ).all()
    point_ids = {
        (p["enterprise_code"], p["code"]): pid for p, pid in zip(data.risk_points, ids, strict=True)
    }
    _assess(session, data, list(ids), seed=seed, today=today)
    data.point_ids = list(ids)
    for rows, model in ((data.sources, HazardSource), (data.controls, ControlMeasure)):
        batch = [
            {**{k: v for k, v in r.items() if k != "point"}, "risk_point_id": point_ids[r["point"]]}
            for r in rows
        ]
        for start in range(0, len(batch), 5000):
            session.execute(insert(model), batch[start : start + 5000])
    return data


# LEC factor choices by how dangerous the enterprise's trade is: (L, E, C) weights. Storage of
# hazardous chemicals gets the likelier and graver factors, so its points are redder.
_LEC_PROFILES: dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]] = {
    "chem": ((1, 3, 12, 30, 25, 14, 15), (4, 20, 30, 16, 18, 12), (1, 6, 18, 35, 25, 15)),
    "plant": ((0.3, 1.5, 8, 30, 30, 15, 15), (2, 22, 30, 16, 18, 12), (0.3, 2, 12, 35, 30, 20)),
}


def _assess(
    session: Session, data: EnterprisesDemo, point_ids: list[int], *, seed: int, today: date
) -> None:
    """One assessment per demo risk point (LEC mostly, LS for a fifth), graded by the default
    bands exactly as the API would; the points' colours and the enterprises' roll-up follow."""
    rng = random.Random(f"assessments-{seed}")
    kind_of = {e["code"]: e["kind"] for e in data.enterprises}
    rows: list[Row] = []
    at = datetime.combine(today - timedelta(days=40), datetime.min.time(), tzinfo=UTC)
    for point in data.risk_points:
        profile = "plant" if kind_of[point["enterprise_code"]] == "industrial" else "chem"
        inputs: dict[str, float]
        if rng.random() < 0.2:
            ls_l = rng.choices(range(1, 6), (35, 33, 20, 9, 3))[0]
            ls_s = rng.choices(range(1, 6), (20, 32, 28, 14, 6))[0]
            grade = rules.ls(ls_l, ls_s, rules.DEFAULT_LS_BANDS)
            method, kind, inputs = "LS", "ls_bands", {"l": ls_l, "s": ls_s}
        else:
            lw, ew, cw = _LEC_PROFILES[profile]
            factors = (
                rng.choices(rules.LEC_L, lw)[0], rng.choices(rules.LEC_E, ew)[0],
                rng.choices(rules.LEC_C, cw)[0],
            )  # fmt: skip
            grade = rules.lec(*factors, rules.DEFAULT_LEC_BANDS)
            method, kind = "LEC", "lec_bands"
            inputs = dict(zip("lec", factors, strict=True))
        rows.append(
            {
                "method": method, "inputs": inputs, "score": grade.score, "colour": grade.colour,
                "level": grade.level, "rule_kind": kind, "rule_version": 1,
                "assessed_by": point["responsible_name"],
                "assessed_at": at + timedelta(hours=rng.randint(0, 30 * 24)), "note": "",
            }
        )  # fmt: skip
    for row, pid in zip(rows, point_ids, strict=True):
        row["risk_point_id"] = pid
    assessment_ids = session.scalars(
        insert(RiskAssessment).returning(RiskAssessment.id, sort_by_parameter_order=True), rows
    ).all()
    session.connection().execute(
        update(RiskPoint.__table__)
        .where(RiskPoint.__table__.c.id == bindparam("pid"))
        .values(
            colour=bindparam("new_colour"),
            score=bindparam("new_score"),
            latest_assessment_id=bindparam("aid"),
            control_level=bindparam("level_code"),
        ),
        [
            {
                "pid": pid,
                "new_colour": r["colour"],
                "new_score": r["score"],
                "aid": aid,
                "level_code": rules.CONTROL_LEVEL[r["colour"]],
            }
            for r, pid, aid in zip(rows, point_ids, assessment_ids, strict=True)
        ],
    )
    worst: dict[str, list[str | None]] = {}
    for point, row in zip(data.risk_points, rows, strict=True):
        worst.setdefault(point["enterprise_code"], []).append(row["colour"])
    session.connection().execute(
        update(Enterprise.__table__)
        .where(Enterprise.__table__.c.code == bindparam("ecode"))
        .values(risk_colour=bindparam("colour_now"), risk_colour_at=bindparam("at_now")),
        [
            {"ecode": code, "colour_now": rules.worst(colours), "at_now": at + timedelta(days=31)}
            for code, colours in worst.items()
        ],
    )
