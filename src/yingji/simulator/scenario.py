"""What the simulator sends: pure functions of a random generator, positions and ``now``.

Each tick yields a few reports: an event somewhere in the district reported on one channel,
sometimes again by other people on other channels a little later and a little apart
(clustered duplicates the intake must merge), now and then a report that must be refused
(outside the district, longitude and latitude swapped, an unknown channel, no place at all),
and on a flood day mostly waterlogging, flooding and landslides at many times the rate.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from yingji.geo.distance import LocalFrame

# (text, weight on a normal day, weight on a flood day)
EVENTS: list[tuple[str, float, float]] = [
    ("居民楼着火了，浓烟很大，有人被困", 3, 0.5),
    ("路口两车相撞，一人受伤", 4, 1),
    ("燃气管道泄漏，闻到很浓的煤气味", 2, 0.5),
    ("电梯困人，里面有老人", 2, 0.5),
    ("工地脚手架坍塌，有工人被埋", 1, 0.2),
    ("化工厂储罐泄漏，有刺鼻气味", 0.5, 0.2),
    ("学校食堂多名学生呕吐腹泻，疑似食物中毒", 0.5, 0.2),
    ("商场门口人员聚集拥挤", 1, 0.2),
    ("山上冒烟，疑似山火", 1, 0),
    ("下穿涵洞积水很深，有车被淹", 0.5, 8),
    ("小区地下车库进水倒灌", 0.3, 5),
    ("河水上涨漫过堤坝", 0.1, 4),
    ("山体滑坡，道路被堵", 0.2, 3),
    ("路面塌陷出现一个大坑", 0.3, 2),
]
CHANNELS = ["grid", "public", "internet", "alarm", "sensor", "notice"]
CHANNEL_WEIGHTS = [4, 5, 2, 2, 1, 0.5]
BAD_KINDS = ["outside", "swapped", "unknown_channel", "no_place"]


@dataclass(frozen=True)
class Settings:
    reports_per_min: float = 20.0
    flood_day: bool = False
    flood_multiplier: float = 10.0
    duplicate_share: float = 0.4  # events reported more than once
    bad_share: float = 0.05


def _body(
    rng: random.Random, channel: str, text: str, lon: float, lat: float, occurred: datetime,
    now: datetime,
) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "channel": channel,
        "source_id": f"sim-{channel}-{uuid.UUID(int=rng.getrandbits(128)).hex}",
        "occurred_at": occurred.isoformat(),
        "reported_at": now.isoformat(),
        "title": "",
        "text": text,
        "location": {"lon": round(lon, 7), "lat": round(lat, 7), "crs": "wgs84"},
        "reporter": {"name": rng.choice(["张", "王", "李", "赵", "刘"]) + "先生", "phone": ""},
        "extra": {"simulated": True},
    }
    if channel == "sensor":
        body["reporter"] = {"name": "物联感知网关", "phone": ""}
    return body


def event_reports(
    rng: random.Random,
    positions: list[tuple[float, float]],
    now: datetime,
    settings: Settings,
) -> list[dict[str, Any]]:
    """The reports of one event: one, or a cluster of up to five on several channels."""
    texts = [e[0] for e in EVENTS]
    weights = [e[2] if settings.flood_day else e[1] for e in EVENTS]
    text = rng.choices(texts, weights)[0]
    lon, lat = rng.choice(positions)
    occurred = now - timedelta(minutes=rng.uniform(0, 20))
    count = rng.randint(2, 5) if rng.random() < settings.duplicate_share else 1
    frame = LocalFrame.around(lon, lat)
    out = []
    for k in range(count):
        dx, dy = (0.0, 0.0) if k == 0 else (rng.uniform(-80, 80), rng.uniform(-80, 80))
        plon, plat = frame.to_lonlat(dx, dy)
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        seen = occurred + timedelta(minutes=rng.uniform(0, 10) if k else 0)
        out.append(_body(rng, channel, text, plon, plat, min(seen, now), now))
    return out


def bad_report(
    rng: random.Random, positions: list[tuple[float, float]], now: datetime
) -> tuple[str, dict[str, Any]]:
    """A report the intake must refuse, and why."""
    lon, lat = rng.choice(positions)
    kind = rng.choice(BAD_KINDS)
    body = _body(rng, "public", "这里出事了", lon, lat, now, now)
    if kind == "outside":
        body["location"] = {"lon": 121.47, "lat": 31.23, "crs": "wgs84"}  # Shanghai
    elif kind == "swapped":
        body["location"] = {"lon": lat, "lat": lon, "crs": "wgs84"}
    elif kind == "unknown_channel":
        body["channel"] = "fax"
    else:
        del body["location"]
    return kind, body


def tick(
    rng: random.Random,
    positions: list[tuple[float, float]],
    now: datetime,
    settings: Settings,
    seconds: float,
) -> tuple[list[dict[str, Any]], list[tuple[str, dict[str, Any]]]]:
    """The good and the bad reports of ``seconds`` of simulated time at the set rate."""
    rate = settings.reports_per_min * (settings.flood_multiplier if settings.flood_day else 1)
    expected = rate * seconds / 60.0
    events = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
    good: list[dict[str, Any]] = []
    bad: list[tuple[str, dict[str, Any]]] = []
    for _ in range(events):
        if rng.random() < settings.bad_share:
            bad.append(bad_report(rng, positions, now))
        else:
            good.extend(event_reports(rng, positions, now, settings))
    return good, bad


def cap_alert(
    rng: random.Random, positions: list[tuple[float, float]], now: datetime, flood_day: bool
) -> bytes:
    """A CAP 1.2 warning from the city weather service over part of the district."""
    lon, lat = rng.choice(positions)
    d = 0.01
    ring = [(lat - d, lon - d), (lat - d, lon + d), (lat + d, lon + d), (lat + d, lon - d)]
    polygon = " ".join(f"{a:.5f},{b:.5f}" for a, b in [*ring, ring[0]])
    code, event, colour, severity = (
        ("11B03", "暴雨", "橙色", "Severe") if flood_day else ("11B06", "大风", "蓝色", "Minor")
    )
    sent = now.astimezone().replace(microsecond=0).isoformat()
    identifier = f"37010041600000_{now:%Y%m%d%H%M%S}_{rng.randint(0, 9)}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>37010041600000</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>{event}</event>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>GB/T 35561</valueName><value>{code}</value></eventCode>
    <senderName>济南市气象台（模拟）</senderName>
    <headline>济南市气象台发布{event}{colour}预警信号</headline>
    <description>模拟预警：未来数小时内将出现{event}天气，请注意防范。</description>
    <area><areaDesc>市中区</areaDesc><polygon>{polygon}</polygon></area>
  </info>
</alert>""".encode()
