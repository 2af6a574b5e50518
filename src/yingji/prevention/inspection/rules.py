"""Inspection frequencies as rule tables, and the pure arithmetic of task windows.

No database and no clock here: callers pass the day and the table body.

Hazardous chemicals (危化品 kinds): 《危险化学品企业安全风险隐患排查治理导则》(应急〔2019〕78号),
排查频次 — 装置操作人员现场巡检间隔不得大于 2 小时，涉及"两重点一重大"的生产、储存装置和部位
不得大于 1 小时; 基层车间（装置）直接管理人员、工艺设备技术人员每天至少两次; 基层车间至少每周
一次; 基层单位（厂）至少每月一次; 季节性排查每季度一次, 重大活动及节假日前一次 (see
../shared/standards/NOTES_standards.md, marked "sure" there; confirmed).

Industrial and trade enterprises: Shandong's DB37/T 2883-2016 (工贸企业生产安全事故隐患排查
治理体系细则). Its text was not available to check: the table below is entered as data with
the common levels (岗位每班、班组每日、车间每周、厂每月、季节性每季、节假日前) and is stored
``confirmed=False`` (待核实) until someone checks it against the standard and publishes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from yingji.core.errors import ZhValueError
from yingji.prevention.ruleset.service import TableSpec, register

LOCAL = ZoneInfo("Asia/Shanghai")
HAZCHEM_KINDS = frozenset({"hazchem_storage", "hazchem_trade", "hazchem_use"})
PERIODS = ("hour", "day", "week", "month", "quarter", "holiday")
# a record without a tag may prove the spot by the phone's position within this radius
POSITION_RADIUS_M = 100.0
# a clock a little ahead on the phone is not a record "in the future"
FUTURE_SKEW = timedelta(minutes=5)

# 节假日 (国务院办公厅 2026 年部分节假日安排; the eve's check is due in the 3 days before)
HOLIDAYS_2026 = [
    "2026-01-01",
    "2026-02-17",
    "2026-04-05",
    "2026-05-01",
    "2026-06-19",
    "2026-09-25",
    "2026-10-01",
]

HAZCHEM_TABLE: dict[str, Any] = {
    "levels": {
        # control level (risk.ControlMeasure.control_level) → the checks it takes
        "post": [
            {
                "key": "operator_patrol",
                "period": "hour",
                "every": 2,
                "every_major": 1,
                "zh": "装置操作人员现场巡检",
                "en": "Operator patrol",
            }
        ],
        "team": [
            {
                "key": "technical_daily",
                "period": "day",
                "times": 2,
                "zh": "车间技术人员每天两次专业检查",
                "en": "Workshop technical, twice a day",
            }
        ],
        "workshop": [
            {
                "key": "workshop_weekly",
                "period": "week",
                "times": 1,
                "zh": "基层车间每周排查",
                "en": "Workshop weekly",
            }
        ],
        "company": [
            {
                "key": "plant_monthly",
                "period": "month",
                "times": 1,
                "zh": "基层单位（厂）每月排查",
                "en": "Plant monthly",
            },
            {
                "key": "seasonal",
                "period": "quarter",
                "times": 1,
                "zh": "季节性排查",
                "en": "Seasonal, quarterly",
            },
            {
                "key": "holiday",
                "period": "holiday",
                "days_before": 3,
                "zh": "节假日前排查",
                "en": "Before holidays",
            },
        ],
    },
    "holidays": HOLIDAYS_2026,
}

INDUSTRIAL_TABLE: dict[str, Any] = {
    "levels": {
        "post": [
            {
                "key": "post_shift",
                "period": "day",
                "times": 3,
                "zh": "岗位每班检查",
                "en": "Post, every shift",
            }
        ],
        "team": [
            {
                "key": "team_daily",
                "period": "day",
                "times": 1,
                "zh": "班组每日检查",
                "en": "Team daily",
            }
        ],
        "workshop": [
            {
                "key": "workshop_weekly",
                "period": "week",
                "times": 1,
                "zh": "车间每周检查",
                "en": "Workshop weekly",
            }
        ],
        "company": [
            {
                "key": "plant_monthly",
                "period": "month",
                "times": 1,
                "zh": "厂级每月检查",
                "en": "Plant monthly",
            },
            {
                "key": "seasonal",
                "period": "quarter",
                "times": 1,
                "zh": "季节性检查",
                "en": "Seasonal, quarterly",
            },
            {
                "key": "holiday",
                "period": "holiday",
                "days_before": 3,
                "zh": "节假日前检查",
                "en": "Before holidays",
            },
        ],
    },
    "holidays": HOLIDAYS_2026,
}


def validate_table(body: Any) -> Any:
    """A frequency table: ``levels`` of checks, each with a known period and positive counts."""
    if not isinstance(body, dict) or not isinstance(body.get("levels"), dict):
        raise ZhValueError("频次表应含 levels", "A frequency table holds 'levels'")
    for level, checks in body["levels"].items():
        if level not in ("post", "team", "workshop", "company") or not isinstance(checks, list):
            raise ZhValueError(f"未知管控层级：{level}", f"Unknown control level {level!r}")
        for c in checks:
            if not isinstance(c, dict) or c.get("period") not in PERIODS or not c.get("key"):
                raise ZhValueError(
                    "每项检查需 key 与已知 period", "Each check needs key and period"
                )
            for n in ("every", "every_major", "times", "days_before"):
                if n in c and not (isinstance(c[n], int) and 1 <= c[n] <= 24):
                    raise ZhValueError(f"{n} 应为 1–24", f"{n} must be 1 to 24")
    for d in body.get("holidays", []):
        date.fromisoformat(d)
    return body


HAZCHEM = register(
    TableSpec(
        kind="inspection_freq_hazchem",
        title_zh="危化品企业排查频次",
        title_en="Hazchem frequencies",
        default=HAZCHEM_TABLE,
        confirmed=True,
        validate=validate_table,
        source="《危险化学品企业安全风险隐患排查治理导则》(应急〔2019〕78号) 排查频次",
    )
)
INDUSTRIAL = register(
    TableSpec(
        kind="inspection_freq_industrial",
        title_zh="工贸企业排查频次",
        title_en="Industrial/trade frequencies",
        default=INDUSTRIAL_TABLE,
        confirmed=False,
        validate=validate_table,
        source="DB37/T 2883-2016 工贸企业生产安全事故隐患排查治理体系细则（待核实 / unconfirmed）",
    )
)


def table_kind(enterprise_kind: str) -> str:
    return HAZCHEM.kind if enterprise_kind in HAZCHEM_KINDS else INDUSTRIAL.kind


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive


def _at(d: date, hour: float = 0.0) -> datetime:
    local = datetime.combine(d, time(0), tzinfo=LOCAL) + timedelta(hours=hour)
    return local.astimezone(UTC)


def windows(check: dict[str, Any], day: date, *, major: bool, holidays: list[str]) -> list[Window]:
    """The task windows of one check that START on local ``day``. Longer periods start on
    their first day (Monday, the 1st, the quarter's first day); a holiday check's window is
    the ``days_before`` days ending on the eve."""
    period = check["period"]
    if period == "hour":
        every = int(check.get("every_major", check["every"]) if major else check["every"])
        return [Window(_at(day, h), _at(day, h + every)) for h in range(0, 24, every)]
    if period == "day":
        times = int(check.get("times", 1))
        step = 24 / times
        return [Window(_at(day, i * step), _at(day, (i + 1) * step)) for i in range(times)]
    if period == "week":
        if day.weekday() != 0:
            return []
        return [Window(_at(day), _at(day + timedelta(days=7)))]
    if period in ("month", "quarter"):
        if day.day != 1 or (period == "quarter" and day.month % 3 != 1):
            return []
        months = 1 if period == "month" else 3
        y, m = divmod(day.month - 1 + months, 12)
        return [Window(_at(day), _at(date(day.year + y, m + 1, 1)))]
    if period == "holiday":
        before = int(check.get("days_before", 3))
        out = []
        for h in holidays:
            start = date.fromisoformat(h) - timedelta(days=before)
            if start == day:
                out.append(Window(_at(start), _at(date.fromisoformat(h))))
        return out
    raise ValueError(f"unknown period {period!r}")


def local_day(at: datetime) -> date:
    return at.astimezone(LOCAL).date()


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Equirectangular distance: within a few hundred metres it is the haversine's to < 0.1 %."""
    import math

    k = math.pi / 180
    x = (lon2 - lon1) * k * math.cos((lat1 + lat2) / 2 * k)
    y = (lat2 - lat1) * k
    return 6_371_000.0 * math.hypot(x, y)
