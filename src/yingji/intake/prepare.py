"""The pipeline's first half, before anything is written: locate, classify, grade.

Runs in the request, so a report that cannot be accepted (outside the district, an unknown
category code...) is refused with a clear error and nothing is written. Each step's result
and duration is kept for the incident's timeline. The second half — merge, route, write,
push — runs in the writer (:mod:`yingji.intake.writer`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from yingji.core.db import Database
from yingji.core.errors import invalid
from yingji.geo.transform import Crs
from yingji.grid import service as grid_service
from yingji.grid.locate import GridIndex
from yingji.intake import categories, classify, grading, places
from yingji.intake.canonical import canonical_hash
from yingji.intake.schemas import CHANNEL_NAMES, ReportIn

FUTURE_TOLERANCE = timedelta(minutes=10)


@dataclass
class Step:
    """One pipeline step as the timeline records it."""

    kind: str
    result: str
    duration_ms: float
    message: str
    message_en: str
    data: dict[str, Any] = field(default_factory=dict)


RECEIVED = "report_received"  # the one pipeline step that is the sender's, not the system's


@dataclass
class Sender:
    type: str
    id: str
    name: str


@dataclass
class Prepared:
    """A report ready for the writer: parsed, located, classified, graded."""

    report: ReportIn
    raw_body: str
    body_hash: str
    sender: Sender
    received_at: datetime
    lon: float | None
    lat: float | None
    located: dict[str, Any]
    subdistrict: tuple[str, str] | None
    local_force: tuple[str, str] | None
    category: classify.Classification
    category_path: categories.CategoryPath | None
    facts: grading.Facts
    grade: grading.Grade
    steps: list[Step]
    # how far along its grid line the report lies (metres from the line's start), when a line
    # is near: the evidence of place merging weighs with the policy (``places.place_of``)
    line_offset_m: float | None = None
    # the evidence of place under the merge policy in force, set by the writer (``write``)
    place: Any = None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 3)


# ------------------------------------------------------------------ address matching
_names_lock = threading.Lock()
_names_cache: dict[int, list[tuple[str, float, float, str]]] = {}


def _place_names(index: GridIndex) -> list[tuple[str, float, float, str]]:
    """(name, lon, lat, kind) of every grid point, line and area, longest names first."""
    key = id(index)
    cached = _names_cache.get(key)
    if cached is not None:
        return cached
    from shapely.geometry import shape

    out: list[tuple[str, float, float, str]] = []
    for p in index.points:
        out.append((p.name, p.lon, p.lat, "point"))
        if p.address:
            out.append((p.address, p.lon, p.lat, "point"))
    for ln in index.lines:
        c = shape(ln.geometry).interpolate(0.5, normalized=True)
        out.append((ln.name, c.x, c.y, "line"))
    for a in index.areas:
        c = shape(a.geometry).representative_point()
        out.append((a.name, c.x, c.y, "area"))
    for s in index.subdistricts:
        c = shape(s.geometry).representative_point()
        out.append((s.name, c.x, c.y, "subdistrict"))
    out = [o for o in out if len(o[0]) >= 2]
    out.sort(key=lambda o: (-len(o[0]), o[3]))
    with _names_lock:
        _names_cache.clear()
        _names_cache[key] = out
    return out


def match_address(index: GridIndex, address: str) -> tuple[str, float, float, str] | None:
    """The grid place whose name (longest first) occurs in the address, if any."""
    text = address.strip()
    if not text:
        return None
    for name, lon, lat, kind in _place_names(index):
        if name in text:
            return name, lon, lat, kind
    return None


# ------------------------------------------------------------------ the steps
def _locate(db: Session | Database, report: ReportIn) -> tuple[dict[str, Any], Step, float | None]:
    """The location facts (``GET /api/v1/grid/locate``'s answer as JSON), the step, and how
    far along the nearest grid line the position lies."""
    started = time.perf_counter()
    if report.location is not None:
        loc = report.location
        pos = grid_service.find(db, lon=loc.lon, lat=loc.lat, crs=loc.crs)
        how, how_en = f"按坐标（{loc.crs.value}）", f"by coordinates ({loc.crs.value})"
    else:
        index, _ = grid_service.locate_index(db)
        hit = match_address(index, report.address)
        if hit is None:
            raise invalid(
                "address",
                f"地址“{report.address}”与网格中的任何名称都不匹配，请提供坐标",
                f"The address '{report.address}' matches no name in the grid; send coordinates",
                "address_not_found",
            )
        name, lon, lat, kind = hit
        pos = grid_service.find(db, lon=lon, lat=lat, crs=Crs.wgs84)
        how, how_en = f"按地址匹配网格名称“{name}”", f"by address, matching grid {kind} '{name}'"
    facts = grid_service.located_facts(pos)
    line_hit = pos.found.line
    offset = (
        places.line_offset_m(line_hit.line.geometry, pos.wgs_lon, pos.wgs_lat)
        if line_hit is not None and line_hit.distance_m <= places.MAX_LINE_SNAP_M
        else None
    )
    area, point = facts["area"], facts["point"]
    parts = [facts["subdistrict"]["name"]]
    if area:
        parts.append(area["name"])
    if point:
        parts.append(f"{point['name']}（{point['distance_m']:.0f} 米）")
    step = Step(
        "located",
        "ok",
        _ms(started),
        f"定位{how}：{' / '.join(parts)}",
        f"located {how_en}: {' / '.join(parts)}",
        {"subdistrict": facts["subdistrict"]["code"], "area": area["code"] if area else None},
    )
    return facts, step, offset


def _classify(report: ReportIn) -> tuple[classify.Classification, Step]:
    started = time.perf_counter()
    if report.category_code:
        p = categories.path(report.category_code)
        if p is None:
            raise invalid(
                "category_code",
                f"未知的突发事件类别代码：{report.category_code}（应为 GB/T 35561 代码，如 21A03）",
                f"Unknown category code {report.category_code} (a GB/T 35561 code, e.g. 21A03)",
                code="unknown_category",
            )
        result = classify.Classification(p.code, 1.0, False, "given")
        return result, Step(
            "classified",
            "ok",
            _ms(started),
            f"类别由报送方给出并已校验：{p.display}",
            f"category given and validated: {p.code}",
            {"code": p.code, "source": "given", "confidence": 1.0},
        )
    result = classify.classify(report.title, report.text)
    if result.code is None:
        msg, msg_en = "未能识别类别，待值班员研判", "category not recognised: for the duty officer"
    else:
        display = categories.path(result.code).display  # type: ignore[union-attr]  # a code classify returns is always in the table
        flag = "（置信度低，待值班员研判）" if result.low_confidence else ""
        msg = f"按关键词推断类别：{display}，置信度 {result.confidence:.2f}{flag}"
        msg_en = f"category inferred {result.code}, confidence {result.confidence:.2f}" + (
            " (low: for the duty officer)" if result.low_confidence else ""
        )
    return result, Step(
        "classified",
        "flagged" if result.low_confidence else "ok",
        _ms(started),
        msg,
        msg_en,
        {
            "code": result.code,
            "source": result.source,
            "confidence": result.confidence,
            "matched": result.matched,
        },
    )


def facts_of(report: ReportIn) -> grading.Facts:
    c = report.casualties
    return grading.Facts(
        deaths=c.deaths if c else None,
        missing=c.missing if c else None,
        serious_injuries=c.serious_injuries if c else None,
        injuries=c.injuries if c else None,
        trapped=c.trapped if c else None,
        direct_loss_cny=report.direct_loss_cny,
        affected_people=report.affected_people,
    )


def grade_step(
    facts: grading.Facts, path: categories.CategoryPath | None, level_hint: str | None
) -> tuple[grading.Grade, Step]:
    started = time.perf_counter()
    rule = path.grading_rule if path else "general"
    g = grading.grade(facts, rule=rule)
    reasons = list(g.reasons)
    if level_hint and grading.rank(level_hint) < grading.rank(g.level):
        g = grading.Grade(level_hint, g.needs_assessment, g.rule, [f"预警级别 {level_hint}"])
        reasons = g.reasons
    provisional = "（暂定，待评估）" if g.needs_assessment else ""
    return g, Step(
        "graded",
        "flagged" if g.needs_assessment else "ok",
        _ms(started),
        f"定级 {g.level}（{g.name}）{provisional}：{'；'.join(reasons)}",
        f"graded {g.level}" + (" (provisional, needs assessment)" if g.needs_assessment else ""),
        {"level": g.level, "rule": g.rule, "needs_assessment": g.needs_assessment},
    )


def prepare(
    db: Session | Database,
    report: ReportIn,
    *,
    raw_body: str,
    payload: dict[str, Any],
    sender: Sender,
    now: datetime,
    level_hint: str | None = None,
) -> Prepared:
    """Locate, classify and grade a report; raises ``ApiError`` if it cannot be accepted.

    ``db`` may be the ``Database``: locating then opens a session only when the grid's
    revision is due to be checked (once a second), not for every report."""
    if report.occurred_at - now > FUTURE_TOLERANCE:
        raise invalid(
            "occurred_at",
            "发生时间不能晚于当前时间",
            "occurred_at lies in the future",
            code="future_time",
        )
    received = Step(
        RECEIVED,
        "ok",
        0.0,
        f"收到{_channel_name(report.channel)}报告（{report.source_id}）",
        f"report received on channel {report.channel} ({report.source_id})",
        {"channel": report.channel, "source_id": report.source_id},
    )
    located, locate_step, line_offset = _locate(db, report)
    category, classify_step = _classify(report)
    path = categories.path(category.code) if category.code else None
    facts = facts_of(report)
    grade, grade_step_ = grade_step(facts, path, level_hint)
    lf = located["local_force"]
    sub = located["subdistrict"]
    return Prepared(
        report=report,
        raw_body=raw_body,
        body_hash=canonical_hash(payload),
        sender=sender,
        received_at=now,
        lon=located["wgs84"]["lon"],
        lat=located["wgs84"]["lat"],
        located=located,
        subdistrict=(sub["code"], sub["name"]),
        local_force=(lf["subdistrict_code"], lf["name"]) if lf else None,
        category=category,
        category_path=path,
        facts=facts,
        grade=grade,
        steps=[received, locate_step, classify_step, grade_step_],
        line_offset_m=line_offset,
    )


def _channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def prepare_unlocated(
    db: Session | Database,
    report: ReportIn,
    *,
    raw_body: str,
    payload: dict[str, Any],
    sender: Sender,
    now: datetime,
    reason: str,
    reason_en: str,
) -> Prepared:
    """Classify and grade a report that cannot be placed in the district, without refusing it.

    For channels that must never refuse a report for its place (the one-key alarm: a caller
    just outside the boundary, or a phone that gave no position or a garbage one): the
    report goes in unlocated, so it founds its own incident (merging needs a position),
    goes to no sub-district and is answered by the centre. The ``located`` step says why,
    flagged for the duty officer. ``report.location`` must be None (the position, if any,
    is kept by the sender's own domain and named in ``reason``)."""
    if report.location is not None:
        raise ValueError("prepare_unlocated takes a report without location")
    received = Step(
        RECEIVED,
        "ok",
        0.0,
        f"收到{_channel_name(report.channel)}报告（{report.source_id}）",
        f"report received on channel {report.channel} ({report.source_id})",
        {"channel": report.channel, "source_id": report.source_id},
    )
    locate_step = Step(
        "located",
        "flagged",
        0.0,
        f"未能定位到本区：{reason}；转值班中心处置",
        f"not located in the district: {reason_en}; routed to the centre",
        {"subdistrict": None, "area": None, "outside_district": True},
    )
    category, classify_step = _classify(report)
    path = categories.path(category.code) if category.code else None
    facts = facts_of(report)
    grade, grade_step_ = grade_step(facts, path, None)
    return Prepared(
        report=report,
        raw_body=raw_body,
        body_hash=canonical_hash(payload),
        sender=sender,
        received_at=now,
        lon=None,
        lat=None,
        located={"outside_district": True, "reason": reason, "reason_en": reason_en},
        subdistrict=None,
        local_force=None,
        category=category,
        category_path=path,
        facts=facts,
        grade=grade,
        steps=[received, locate_step, classify_step, grade_step_],
    )
