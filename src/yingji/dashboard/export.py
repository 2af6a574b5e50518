"""The filtered incident list as an Excel workbook (导出 Excel)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

from openpyxl import Workbook

from yingji.dashboard.stats import CHANNEL_NAMES, LEVEL_NAMES, STATUS_NAMES

LOCAL = timezone(timedelta(hours=8), "CST")  # the district's clock (北京时间)

COLUMNS: list[tuple[str, str, str]] = [
    ("id", "编号", "No."),
    ("title", "事件", "Incident"),
    ("level", "级别", "Level"),
    ("status", "状态", "Status"),
    ("category", "类别", "Category"),
    ("category_code", "类别代码", "Category code"),
    ("subdistrict", "街道", "Sub-district"),
    ("headquarters", "指挥部", "Headquarters"),
    ("channels", "来源渠道", "Channels"),
    ("report_count", "报告数", "Reports"),
    ("occurred_at", "发生时间（北京时间）", "Occurred (UTC+8)"),
    ("created_at", "上报时间（北京时间）", "Reported (UTC+8)"),
    ("address", "地点", "Place"),
    ("lon", "经度", "Longitude"),
    ("lat", "纬度", "Latitude"),
    ("deaths", "死亡", "Deaths"),
    ("missing", "失踪", "Missing"),
    ("serious_injuries", "重伤", "Seriously injured"),
    ("injuries", "受伤", "Injured"),
    ("trapped", "被困", "Trapped"),
    ("direct_loss_cny", "直接经济损失（元）", "Direct loss (CNY)"),
    ("needs_assessment", "待评估", "Needs assessment"),
    ("overdue", "报告超时", "Report overdue"),
]


def _local(t: datetime | str) -> datetime:
    value = datetime.fromisoformat(t) if isinstance(t, str) else t
    return value.astimezone(LOCAL).replace(tzinfo=None)  # Excel has no time zones


def _row(i: dict[str, Any], en: bool) -> list[Any]:
    pick = 1 if en else 0
    casualties = i.get("casualties") or {}
    yes, no = ("yes", "") if en else ("是", "")
    values = {
        "id": i["id"],
        "title": i["title"],
        "level": LEVEL_NAMES[i["level"]][pick],
        "status": STATUS_NAMES.get(i["status"], (i["status"], i["status"]))[pick],
        "category": i["category"]["display"],
        "category_code": i["category"]["code"] or "",
        "subdistrict": (i.get("subdistrict") or {}).get("name", ""),
        "headquarters": (i.get("headquarters") or {}).get("name", ""),
        "channels": "、".join(CHANNEL_NAMES.get(c, (c, c))[pick] for c in i["channels"]),
        "report_count": i["report_count"],
        "occurred_at": _local(i["occurred_at"]),
        "created_at": _local(i["created_at"]),
        "address": i.get("address") or "",
        "lon": i.get("lon"),
        "lat": i.get("lat"),
        "direct_loss_cny": i.get("direct_loss_cny"),
        "needs_assessment": yes if i["needs_assessment"] else no,
        "overdue": yes if i["overdue"] else no,
        **{k: casualties.get(k) for k in ("deaths", "missing", "serious_injuries", "injuries")},
        "trapped": casualties.get("trapped"),
    }
    return [values[key] for key, _, _ in COLUMNS]


def workbook(incidents: Iterable[dict[str, Any]], *, en: bool, title: str) -> bytes:
    """An .xlsx of incidents as the incident list shows them (``incident_read`` dicts)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    header = [en_name if en else zh for _, zh, en_name in COLUMNS]
    ws.append(header)
    for incident in incidents:
        ws.append(_row(incident, en))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
