"""The supplies catalogue (应急物资目录) as data, and the GB/T 38565-2020 code structure.

What could be established of GB/T 38565-2020《应急物资分类及编码》from public sources:
§5.2 (quoted e.g. at https://www.huanwenwen.com/article-55155.html) — codes are hierarchical,
four levels in seven digits: level 1 is the major class (大类), one digit, ``1`` basic living
supplies (基本生活保障物资), ``2`` emergency equipment and accessories (应急装备及配套物资),
``3`` engineering materials and machinery (工程材料与机械加工设备); levels 2–4 (中类, 小类,
细类) are two digits each, ``01``–``99``; ``99`` at any level is the catch-all (收容类目).

What could NOT be established: the code table itself (the standard's chapter 6). The
standard is sold, and no public copy of the table could be found to check codes against. So
each item here carries the major class (which is established) and a ``gb_code`` that is empty
until an operator who holds the standard fills it in; a code entered is checked against the
§5.2 structure (:func:`check_gb_code`). The item ``code`` is our own stable key, and
``category`` groups items for the reserve plan. The whole catalogue is configurable: these
rows are the defaults a new installation starts from, editable through the API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from yingji.core.errors import ZhValueError

MAJOR_CLASSES: dict[int, tuple[str, str]] = {
    1: ("基本生活保障物资", "Basic living supplies"),
    2: ("应急装备及配套物资", "Emergency equipment and accessories"),
    3: ("工程材料与机械加工设备", "Engineering materials and machinery"),
}

# Reserve-plan categories (local, configurable): code → (Chinese, English).
CATEGORIES: dict[str, tuple[str, str]] = {
    "flood": ("防汛抗旱", "Flood control and drought relief"),
    "fire": ("消防灭火", "Fire fighting"),
    "hazmat": ("危化品处置", "Hazardous chemicals"),
    "protection": ("个体防护", "Personal protection"),
    "rescue": ("救援装备", "Rescue equipment"),
    "lighting": ("照明通信", "Lighting and communication"),
    "living": ("生活保障", "Living supplies"),
    "medical": ("医疗防疫", "Medical and epidemic prevention"),
    "engineering": ("工程抢险", "Engineering repair"),
}

_GB_CODE_RE = re.compile(r"[1-3](?:0[1-9]|[1-9][0-9]){3}")


def check_gb_code(code: str) -> str:
    """A GB/T 38565-2020 code checked against §5.2: 7 digits, major class 1–3, then three
    two-digit levels 01–99. Raises :class:`ZhValueError` otherwise."""
    if not _GB_CODE_RE.fullmatch(code):
        raise ZhValueError(
            "GB/T 38565 编码应为 7 位数字：大类 1–3，中类、小类、细类各两位 01–99",
            "A GB/T 38565 code is 7 digits: major class 1-3, then three levels 01-99",
        )
    return code


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name: str
    name_en: str
    unit: str
    whole_units: bool
    major_class: int
    category: str
    shelf_life_days: int | None = None
    min_stock: int = 0
    spec: str = ""


# The defaults: what a district's reserve holds for its hazards (flood, fire, the ammonia
# tanker of the seed report, shelter). Columns: code | name | English | unit | 整 (whole units)
# or 可分 (fractions allowed) | GB/T 38565 major class | category | shelf life (days, empty if
# none) | catalogue low-stock line | spec (``-`` for none).
_DEFAULT_TABLE = """
SANDBAG | 编织袋（沙袋） | Sandbag | 条 | 整 | 3 | flood | 1825 | 2000 | -
PUMP | 抽水泵 | Water pump | 台 | 整 | 2 | flood |  | 4 | 流量≥50m³/h
LIFEJACKET | 救生衣 | Life jacket | 件 | 整 | 2 | flood | 1825 | 100 | -
LIFEBUOY | 救生圈 | Life buoy | 个 | 整 | 2 | flood | 1825 | 40 | -
ASSAULTBOAT | 冲锋舟 | Assault boat | 艘 | 整 | 2 | flood |  | 1 | -
RAINCOAT | 雨衣 | Raincoat | 件 | 整 | 1 | flood | 1095 | 100 | -
RUBBERBOOT | 雨靴 | Rubber boots | 双 | 整 | 1 | flood | 1095 | 100 | -
TARPAULIN | 防汛彩条布 | Tarpaulin | 平方米 | 可分 | 3 | flood | 1095 | 500 | -
EXTINGUISHER | 灭火器 | Fire extinguisher | 具 | 整 | 2 | fire | 1825 | 50 | -
FIREHOSE | 消防水带 | Fire hose | 盘 | 整 | 2 | fire | 3650 | 20 | -
FIREBLANKET | 灭火毯 | Fire blanket | 块 | 整 | 2 | fire | 1825 | 30 | -
HAZMATSUIT | 防化服 | Chemical protective suit | 套 | 整 | 2 | hazmat | 1825 | 10 | -
AMMONIANEUT | 氨中和剂 | Ammonia neutraliser | 千克 | 可分 | 3 | hazmat | 730 | 200 | -
ABSORBENT | 吸附棉 | Absorbent pad | 千克 | 可分 | 3 | hazmat | 1825 | 100 | -
PROTSUIT | 防护服 | Protective suit | 套 | 整 | 2 | protection | 1095 | 100 | -
GASMASK | 防毒面具 | Gas mask | 个 | 整 | 2 | protection | 1825 | 30 | -
MASK | 医用防护口罩 | Medical respirator | 只 | 整 | 2 | medical | 1095 | 2000 | -
FIRSTAID | 急救包 | First-aid kit | 个 | 整 | 2 | medical | 1095 | 20 | -
DISINFECT | 消毒液 | Disinfectant | 升 | 可分 | 1 | medical | 730 | 100 | -
LIGHTING | 应急照明灯 | Emergency light | 台 | 整 | 2 | lighting |  | 10 | -
GENERATOR | 发电机 | Generator | 台 | 整 | 2 | lighting |  | 2 | -
RADIO | 对讲机 | Two-way radio | 部 | 整 | 2 | lighting |  | 10 | -
TENT | 救灾帐篷 | Relief tent | 顶 | 整 | 1 | living | 3650 | 20 | 12m²
COTTONQUILT | 棉被 | Quilt | 床 | 整 | 1 | living | 3650 | 100 | -
FOLDINGBED | 折叠床 | Folding bed | 张 | 整 | 1 | living |  | 50 | -
WATER | 瓶装饮用水 | Bottled water | 箱 | 整 | 1 | living | 365 | 100 | -
INSTANTFOOD | 方便食品 | Ready-to-eat food | 箱 | 整 | 1 | living | 270 | 50 | -
CHAINSAW | 油锯 | Chainsaw | 台 | 整 | 2 | rescue |  | 2 | -
HYDRAULICTOOL | 液压破拆工具组 | Hydraulic rescue tools | 套 | 整 | 2 | rescue |  | 1 | -
SHOVEL | 铁锹 | Shovel | 把 | 整 | 3 | engineering |  | 100 | -
GRAVEL | 碎石料 | Gravel | 吨 | 可分 | 3 | engineering |  | 20 | -
"""


def parse_table(text: str) -> tuple[CatalogueEntry, ...]:
    """Catalogue rows from the ``|``-separated table above (or a site's own, same columns)."""
    out = []
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        code, name, name_en, unit, whole, major, category, shelf, minimum, spec = cells
        spec = "" if spec == "-" else spec
        out.append(
            CatalogueEntry(
                code=code,
                name=name,
                name_en=name_en,
                unit=unit,
                whole_units=whole == "整",
                major_class=int(major),
                category=category,
                shelf_life_days=int(shelf) if shelf else None,
                min_stock=int(minimum),
                spec=spec,
            )
        )
    return tuple(out)


DEFAULT_CATALOGUE: tuple[CatalogueEntry, ...] = parse_table(_DEFAULT_TABLE)


def entry(code: str) -> CatalogueEntry | None:
    return next((e for e in DEFAULT_CATALOGUE if e.code == code), None)
