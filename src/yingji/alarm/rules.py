"""Pure rules of the alarm: who is told by kind, the limits, masking, the station's steps,
the caller's view. No database, no clock (``now`` is passed)."""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import orjson


class Kind(StrEnum):
    fire = "fire"
    medical = "medical"
    police = "police"
    other = "other"


KIND_NAMES = {
    Kind.fire: ("火警", "fire"),
    Kind.medical: ("医疗急救", "medical"),
    Kind.police: ("报警求助", "police"),
    Kind.other: ("其他求助", "other"),
}

# The public numbers every page and every refusal shows (the numbers themselves: 110 公安,
# 119 消防救援, 120 医疗急救, by the Ministry of Industry and Information Technology's
# numbering plan for special services).
NUMBERS = (("110", "报警", "police"), ("119", "火警", "fire"), ("120", "急救", "ambulance"))

# Which linkage endpoint (社会联动) an alarm goes to, by kind. An alarm of no kind or
# "other" goes to 110: the police's linkage centre is the one that takes any call for help
# and hands it on (110 社会联动, 公安部《110接处警工作规则》).
LINKAGE: dict[Kind | None, tuple[str, ...]] = {
    Kind.fire: ("119",),
    Kind.medical: ("120",),
    Kind.police: ("110",),
    Kind.other: ("110",),
    None: ("110",),
}

# The category the report is filed under, by kind (GB/T 35561-2017 and the platform's 9xxxx
# everyday help classes); none: intake's classifier reads the caller's words.
CATEGORY: dict[Kind | None, str | None] = {
    Kind.fire: "21C00",  # 火灾事故
    Kind.medical: "91A00",  # 医疗求助 (120)
    Kind.police: "40000",  # 社会安全事件
    Kind.other: None,
    None: None,
}


def linkage_numbers(kind: Kind | None) -> tuple[str, ...]:
    return LINKAGE[kind]


def title_of(kind: Kind | None) -> str:
    return f"一键报警：{KIND_NAMES[kind][0]}" if kind else "一键报警"


# ------------------------------------------------------------------ the caller's secret
def secret_for(key: str, idempotency_key: str) -> str:
    """The per-alarm secret: HMAC-SHA256 of the idempotency key under the server's key
    (RFC 2104). Derived, not stored, so a spooled alarm (no row yet) gets the same secret its
    replayed row will accept, and a replay of the POST answers the same secret."""
    mac = hmac.new(key.encode(), b"yingji-alarm:" + idempotency_key.encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def secret_ok(key: str, idempotency_key: str, given: str | None) -> bool:
    """Constant-time check; compared as UTF-8 bytes, since ``compare_digest`` refuses str with
    non-ASCII characters (a fuzzed secret once made that a 500)."""
    if not given:
        return False
    expected = secret_for(key, idempotency_key).encode()
    return hmac.compare_digest(expected, given.encode("utf-8", "surrogatepass"))


def body_hash(payload: dict[str, Any]) -> str:
    """SHA-256 of the body with sorted keys: the same alarm sent again hashes the same."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


# ------------------------------------------------------------------ positions
@dataclass(frozen=True)
class Fix:
    lon: float
    lat: float
    crs: str
    accuracy_m: float | None


def parse_position(value: Any) -> tuple[Fix | None, str, str]:
    """The caller's position, or why there is none (Chinese, English). Never raises: an
    alarm with a garbage position is taken without one."""
    if value is None:
        return None, "未提供位置", "no position given"
    if not isinstance(value, dict):
        return None, "位置格式无效", "the position is not an object"
    lon, lat = value.get("lon"), value.get("lat")
    numbers = all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in (lon, lat)
    )
    if not numbers:
        return None, "位置坐标无效（须为有限数字）", "the coordinates are not finite numbers"
    assert isinstance(lon, int | float) and isinstance(lat, int | float)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return None, "位置坐标超出范围", "the coordinates are out of range"
    crs = value.get("crs", "wgs84")
    if not isinstance(crs, str) or crs.strip().lower().replace("-", "") not in (
        "wgs84", "gcj02", "bd09", "bd09ll",
    ):  # fmt: skip
        return None, "不支持的坐标系", "unknown coordinate system"
    acc = value.get("accuracy_m")
    accuracy: float | None = None
    if isinstance(acc, int | float) and not isinstance(acc, bool) and math.isfinite(acc):
        accuracy = float(acc) if acc > 0 else None
    return Fix(float(lon), float(lat), crs, accuracy), "", ""


# ------------------------------------------------------------------ limits
@dataclass(frozen=True)
class Counts:
    device_ever: int
    device_in_window: int
    address_in_window: int


def limited(counts: Counts, *, device_max: int, address_max: int) -> str | None:
    """Which limit an alarm meets: ``device``, ``address`` or None. A device's first alarm
    is never limited, by either (a person in danger must get through once at least)."""
    if counts.device_ever == 0:
        return None
    if counts.device_in_window >= device_max:
        return "device"
    if counts.address_in_window >= address_max:
        return "address"
    return None


def window_start(now: datetime, seconds: float) -> datetime:
    return now - timedelta(seconds=seconds)


LIMIT_MESSAGE = (
    "报警过于频繁，本次已记录，值班中心可见。情况紧急请立即拨打 110（报警）、"
    "119（火警）、120（急救）。"
)
LIMIT_MESSAGE_EN = (
    "Too many alarms from this device; this one is recorded and the centre can see it. "
    "In an emergency call 110 (police), 119 (fire) or 120 (ambulance) now."
)


# ------------------------------------------------------------------ masking
def mask_phone(phone: str) -> str:
    """139****5678: the first three and last four digits of a mobile, the rest hidden
    (个人信息保护法 第五十一条: 去标识化 for staff who do not call back)."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 2)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


# ------------------------------------------------------------------ the station
STATION_STEPS = ("notified", "accepted", "on_the_way", "arrived")
STATION_NAMES = {
    "": ("未派站", "no station"),
    "notified": ("已通知救援站", "station notified"),
    "accepted": ("救援站已接警", "station accepted"),
    "on_the_way": ("救援站正在赶来", "station on the way"),
    "arrived": ("救援站已到达", "station arrived"),
}


def station_move_ok(current: str, to: str) -> bool:
    """Forward only (a step may be skipped: a station nearby arrives without "on the way")."""
    if to not in STATION_STEPS[1:] or current not in STATION_STEPS:
        return False
    return STATION_STEPS.index(to) > STATION_STEPS.index(current)
