"""Closed vocabularies of the enterprise ledger, stored as stable English codes and shown in
the Chinese the bureau's ledgers use. ``parse_*`` accept the code or either label.

Industry codes are GB/T 4754-2017 (国民经济行业分类): a section letter, then the two-digit
division, three-digit group or four-digit class (``C``, ``C26``, ``C266``, ``C2661``). The
names of the divisions and classes the district's supervised enterprises fall in are listed;
any other code of the right shape is accepted and shown by its code.
"""

from __future__ import annotations

import re
from enum import StrEnum

from yingji.core.choices import choice_label, parse_choice
from yingji.core.errors import ZhValueError

# code → (中文, English)
ENTERPRISE_KINDS: dict[str, tuple[str, str]] = {
    "hazchem_storage": ("危化品储存经营", "Hazardous chemicals storage and trade"),
    "hazchem_trade": ("危化品经营（无储存）", "Hazardous chemicals trade without storage"),
    "hazchem_use": ("危化品使用", "Hazardous chemicals use"),
    "industrial": ("规模以上工业", "Industrial enterprise above designated size"),
    "trade": ("工贸", "Industry and trade"),
}

# 安全生产标准化 grade; "none" when the enterprise holds no certificate.
STANDARDISATION_GRADES: dict[str, tuple[str, str]] = {
    "1": ("一级", "Grade 1"),
    "2": ("二级", "Grade 2"),
    "3": ("三级", "Grade 3"),
    "none": ("未达标", "None"),
}

LICENCE_KINDS: dict[str, tuple[str, str]] = {
    "safety_production": ("安全生产许可证", "Safety production licence"),
    "hazchem_trade": ("危险化学品经营许可证", "Hazardous chemicals trade licence"),
    "hazchem_registration": ("危险化学品登记证", "Hazardous chemicals registration"),
    "hazchem_use": ("危险化学品安全使用许可证", "Hazardous chemicals use licence"),
    "refined_oil": ("成品油零售经营批准证书", "Refined oil retail certificate"),
    "fire_acceptance": ("消防验收意见书", "Fire acceptance"),
}

UNIT_KINDS: dict[str, tuple[str, str]] = {
    "production": ("生产单元", "Production unit"),
    "storage": ("储存单元", "Storage unit"),
}


class RiskColour(StrEnum):
    """四色 risk colours, most serious first (重大/较大/一般/低风险)."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"


RISK_COLOUR_LABELS: dict[str, tuple[str, str]] = {
    "red": ("重大风险", "Major risk"),
    "orange": ("较大风险", "Considerable risk"),
    "yellow": ("一般风险", "Moderate risk"),
    "blue": ("低风险", "Low risk"),
}
COLOUR_RANK: dict[str, int] = {"red": 4, "orange": 3, "yellow": 2, "blue": 1}

INDUSTRIES: dict[str, tuple[str, str]] = {
    "C": ("制造业", "Manufacturing"),
    "C13": ("农副食品加工业", "Agri-food processing"),
    "C14": ("食品制造业", "Food manufacturing"),
    "C15": ("酒、饮料和精制茶制造业", "Beverages"),
    "C17": ("纺织业", "Textiles"),
    "C22": ("造纸和纸制品业", "Paper"),
    "C23": ("印刷和记录媒介复制业", "Printing"),
    "C26": ("化学原料和化学制品制造业", "Chemicals"),
    "C2641": ("涂料制造", "Paints"),
    "C2662": ("专项化学用品制造", "Special chemicals"),
    "C27": ("医药制造业", "Pharmaceuticals"),
    "C29": ("橡胶和塑料制品业", "Rubber and plastics"),
    "C30": ("非金属矿物制品业", "Non-metallic minerals"),
    "C33": ("金属制品业", "Metal products"),
    "C34": ("通用设备制造业", "General machinery"),
    "C35": ("专用设备制造业", "Special machinery"),
    "C36": ("汽车制造业", "Motor vehicles"),
    "C38": ("电气机械和器材制造业", "Electrical machinery"),
    "C39": ("计算机、通信和其他电子设备制造业", "Electronics"),
    "D44": ("电力、热力生产和供应业", "Power and heat"),
    "D45": ("燃气生产和供应业", "Gas supply"),
    "F51": ("批发业", "Wholesale"),
    "F5162": ("石油及制品批发", "Petroleum wholesale"),
    "F5166": ("化肥批发", "Fertiliser wholesale"),
    "F5169": ("其他化工产品批发", "Other chemicals wholesale"),
    "F52": ("零售业", "Retail"),
    "F5265": ("机动车燃油零售", "Motor fuel retail"),
    "F5266": ("机动车燃气零售", "Motor gas retail"),
    "G59": ("装卸搬运和仓储业", "Warehousing"),
    "G5942": ("危险化学品仓储", "Hazardous chemicals warehousing"),
}
_INDUSTRY_SHAPE = re.compile(r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$")


def parse_kind(value: object) -> str:
    return parse_choice(value, ENTERPRISE_KINDS, "企业类型", "Enterprise kind")


def parse_grade(value: object) -> str:
    return parse_choice(value, STANDARDISATION_GRADES, "标准化等级", "Standardisation grade")


def parse_licence_kind(value: object) -> str:
    return parse_choice(value, LICENCE_KINDS, "证照类型", "Licence kind")


def parse_unit_kind(value: object) -> str:
    return parse_choice(value, UNIT_KINDS, "单元类型", "Unit kind")


def parse_colour(value: object) -> str:
    return parse_choice(value, RISK_COLOUR_LABELS, "风险等级", "Risk colour")


def parse_industry(value: object) -> str:
    """A GB/T 4754-2017 code (``C2641``) or the Chinese name of a listed one."""
    if not isinstance(value, str):
        raise ZhValueError("行业代码应为文本", "The industry code must be text")
    text = value.strip().upper()
    if _INDUSTRY_SHAPE.match(text):
        return text
    for code, (zh, _en) in INDUSTRIES.items():
        if value.strip() == zh:
            return code
    raise ZhValueError(
        f"行业代码「{value.strip()[:20]}」不符合 GB/T 4754-2017（门类字母加 2–4 位数字，如 C2641）",
        f"Industry code {value.strip()[:20]!r} is not GB/T 4754-2017 (a letter and 2-4 digits)",
    )


def industry_label(code: str) -> str:
    """The name of the code, or of its nearest listed parent (class → group → division)."""
    for n in (len(code), 4, 3, 1):
        if code[:n] in INDUSTRIES:
            return INDUSTRIES[code[:n]][0]
    return code


def industry_division(code: str) -> str:
    """The two-digit division (大类) a statistic groups by: ``C2641`` → ``C26``."""
    return code[:3] if len(code) >= 3 else code


label = choice_label
