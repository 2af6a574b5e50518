"""Counting incidents for the statistics panels: a pure function of the rows and ``now``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

LEVELS = ("I", "II", "III", "IV")
OPEN_STATUSES = frozenset({"reported", "verified", "responding", "controlled"})
STATUS_NAMES: dict[str, tuple[str, str]] = {
    "reported": ("待甄别", "To screen"),
    "verified": ("已核实", "Verified"),
    "responding": ("处置中", "Responding"),
    "controlled": ("已控制", "Controlled"),
    "closed": ("已结束", "Closed"),
    "false_alarm": ("误报", "False alarm"),
}
STATUS_KEYS = frozenset(STATUS_NAMES)
# An incident a duty officer merged into another is kept (status ``merged``) but is no event
# of its own: its reports count under the incident it joined, so it is left out of every count.
NOT_COUNTED = frozenset({"merged"})
CHANNEL_NAMES: dict[str, tuple[str, str]] = {
    "notice": ("上级通知", "Upper-level notice"),
    "grid": ("网格上报", "Grid report"),
    "public": ("社会反映", "Public report"),
    "internet": ("互联网监测", "Internet monitoring"),
    "alarm": ("一键报警", "One-key alarm"),
    "sensor": ("物联感知", "Sensor"),
    "cap": ("预警信息", "CAP warning"),
}
LEVEL_NAMES: dict[str, tuple[str, str]] = {
    "I": ("I 级（特别重大）", "Level I (extraordinary)"),
    "II": ("II 级（重大）", "Level II (major)"),
    "III": ("III 级（较大）", "Level III (large)"),
    "IV": ("IV 级（一般）", "Level IV (ordinary)"),
}
# The four classes of 突发事件 (GB/T 35561-2017), by the first digit of the code.
CATEGORY_CLASSES: dict[str, tuple[str, str]] = {
    "1": ("自然灾害", "Natural disasters"),
    "2": ("事故灾难", "Accidents and disasters"),
    "3": ("公共卫生事件", "Public health incidents"),
    "4": ("社会安全事件", "Social security incidents"),
}
UNCLASSIFIED = ("未分类", "Unclassified")
EVERYDAY_MAJOR = "9"  # the platform's everyday help classes (日常求助), not GB/T 35561
UNLOCATED = ("未定位", "Not located")
HOURS_SHOWN = 48


@dataclass(frozen=True)
class IncidentRow:
    """The few facts of an incident that the counts need."""

    level: str
    status: str
    category_code: str | None
    subdistrict_code: str | None
    channels: list[str]
    occurred_at: datetime


def _bucket(key: str, names: tuple[str, str], count: int) -> dict[str, object]:
    return {"key": key, "name": names[0], "name_en": names[1], "count": count}


def _floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def _floor_day(t: datetime) -> datetime:
    return t.replace(hour=0, minute=0, second=0, microsecond=0)


def count(
    rows: Iterable[IncidentRow],
    *,
    now: datetime,
    days: int,
    open_count: int,
    subdistrict_names: Mapping[str, str],
    day_offset: timedelta = timedelta(hours=8),
) -> dict[str, object]:
    """Counts by category class, level, sub-district, channel and status of the incidents
    that occurred in the last ``days`` days, with hourly (48 h) and daily trends.

    Days and hours are cut in the district's local time (``day_offset``, UTC+8 for China),
    so "today" on the wall screen starts at local midnight. The platform's everyday help
    requests (日常求助, codes ``9xxxx``, outside GB/T 35561) are no 突发事件: they are counted
    apart (``everyday_help``) and left out of every other count.
    """
    since = now - timedelta(days=days)
    levels: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    subs: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    hours: Counter[datetime] = Counter()
    per_day: Counter[datetime] = Counter()
    local_now = now + day_offset
    first_hour = _floor_hour(local_now) - timedelta(hours=HOURS_SHOWN - 1)
    first_day = _floor_day(local_now) - timedelta(days=days - 1)
    total = 0
    everyday = 0
    for r in rows:
        if r.status in NOT_COUNTED or not since <= r.occurred_at <= now:
            continue
        if (r.category_code or "").startswith(EVERYDAY_MAJOR):
            everyday += 1
            continue
        total += 1
        levels[r.level] += 1
        classes[(r.category_code or "")[:1]] += 1
        subs[r.subdistrict_code or ""] += 1
        statuses[r.status] += 1
        for c in set(r.channels):
            channels[c] += 1
        local = r.occurred_at + day_offset
        if _floor_hour(local) >= first_hour:
            hours[_floor_hour(local)] += 1
        if _floor_day(local) >= first_day:
            per_day[_floor_day(local)] += 1

    def iso(local: datetime) -> str:
        return (local - day_offset).isoformat()

    return {
        "total": total,
        "everyday_help": everyday,
        "open": open_count,
        "since": since.isoformat(),
        "until": now.isoformat(),
        "by_level": [_bucket(lv, LEVEL_NAMES[lv], levels[lv]) for lv in LEVELS],
        "by_category": [
            _bucket(k or "-", CATEGORY_CLASSES.get(k, UNCLASSIFIED), n)
            for k, n in sorted(classes.items(), key=lambda kv: (kv[0] == "", kv[0]))
        ],
        "by_subdistrict": [
            _bucket(k or "-", (subdistrict_names.get(k, k), subdistrict_names.get(k, k)), n)
            if k
            else _bucket("-", UNLOCATED, n)
            for k, n in subs.most_common()
        ],
        "by_channel": [
            _bucket(k, CHANNEL_NAMES.get(k, (k, k)), n) for k, n in channels.most_common()
        ],
        "by_status": [
            _bucket(k, STATUS_NAMES[k], statuses[k]) for k in STATUS_NAMES if statuses[k]
        ],
        "by_hour": [
            {
                "at": iso(first_hour + timedelta(hours=i)),
                "count": hours[first_hour + timedelta(hours=i)],
            }
            for i in range(HOURS_SHOWN)
        ],
        "by_day": [
            {
                "at": iso(first_day + timedelta(days=i)),
                "count": per_day[first_day + timedelta(days=i)],
            }
            for i in range(days)
        ],
    }
