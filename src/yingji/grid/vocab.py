"""Closed vocabularies of the grid ledger: point types (点位类型) and patrol cycles (巡查周期).

Stored as stable English codes; shown and accepted in Chinese, the words the sub-districts'
ledgers use. ``parse_*`` accept either form and raise ZhValueError with the allowed values.
"""

from __future__ import annotations

from yingji.core.choices import choice_label, parse_choice

# code → (中文, English)
POINT_KINDS: dict[str, tuple[str, str]] = {
    "shop": ("商铺", "Shop"),
    "restaurant": ("餐饮店", "Restaurant"),
    "residential": ("居民楼", "Residential building"),
    "school": ("学校", "School"),
    "kindergarten": ("幼儿园", "Kindergarten"),
    "hospital": ("医疗机构", "Clinic or hospital"),
    "nursing_home": ("养老机构", "Nursing home"),
    "hotel": ("宾馆酒店", "Hotel"),
    "market": ("农贸市场", "Market"),
    "factory": ("工业企业", "Factory"),
    "warehouse": ("仓储物流", "Warehouse"),
    "gas_station": ("加油站", "Filling station"),
    "construction_site": ("建筑工地", "Construction site"),
}

PATROL_CYCLES: dict[str, tuple[str, str]] = {
    "daily": ("每日", "Daily"),
    "weekly": ("每周", "Weekly"),
    "monthly": ("每月", "Monthly"),
}


def parse_point_kind(value: object) -> str:
    """A point type code from its code, Chinese label or English label."""
    return parse_choice(value, POINT_KINDS, "点位类型", "Point type")


def parse_patrol_cycle(value: object) -> str:
    """A patrol cycle code from its code, Chinese label or English label."""
    return parse_choice(value, PATROL_CYCLES, "巡查周期", "Patrol cycle")


def point_kind_label(code: str) -> str:
    return choice_label(POINT_KINDS, code)


def patrol_cycle_label(code: str) -> str:
    return choice_label(PATROL_CYCLES, code)
