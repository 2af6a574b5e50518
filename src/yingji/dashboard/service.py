"""What the dashboard computes itself; everything else it reads through other domains."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.dashboard import export, stats
from yingji.intake import service as intake
from yingji.org import service as org


def outline(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The outer boundary (区界) of a set of GeoJSON polygons: their union, as GeoJSON."""
    if not geometries:
        return None
    merged = unary_union([shape(g).buffer(0) for g in geometries])
    return dict(mapping(merged))


def district_outline(db: Session, *, territory: str | None) -> dict[str, Any]:
    """The district boundary as a GeoJSON Feature, or the caller's own sub-district's."""
    rows = [
        (code, name, geometry)
        for code, name, geometry in org.subdistrict_geometries(db)
        if territory is None or code == territory
    ]
    return {
        "type": "Feature",
        "geometry": outline([g for _, _, g in rows]),
        "properties": {"subdistricts": [code for code, _, _ in rows]},
    }


def incident_stats(
    db: Session, *, territory: str | None, days: int, now: datetime
) -> dict[str, Any]:
    """The statistics panels' counts, over the incidents the caller may see."""
    window = intake.list_stmt(subdistrict=territory, since=now - timedelta(days=days)).subquery()
    rows = [
        stats.IncidentRow(
            level=r.level,
            status=r.status,
            category_code=r.category_code,
            subdistrict_code=r.subdistrict_code,
            channels=list(r.channels or []),
            occurred_at=r.occurred_at,
        )
        for r in db.execute(
            select(
                window.c.level,
                window.c.status,
                window.c.category_code,
                window.c.subdistrict_code,
                window.c.channels,
                window.c.occurred_at,
            )
        )
    ]
    open_stmt = intake.list_stmt(subdistrict=territory, status=sorted(stats.OPEN_STATUSES))
    open_count = db.scalar(select(func.count()).select_from(open_stmt.order_by(None).subquery()))
    return stats.count(
        rows,
        now=now,
        days=days,
        open_count=int(open_count or 0),
        subdistrict_names={s.code: s.name for s in org.list_subdistricts(db)},
    )


EXPORT_MAX_ROWS = 50_000


def _plain(read: dict[str, Any]) -> dict[str, Any]:
    """An incident as intake shows it, nested models as plain dicts."""
    return {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in read.items()}


def export_incidents(
    db: Session, *, territory: str | None, en: bool, filters: dict[str, Any]
) -> tuple[bytes, int]:
    """The filtered incident list (in the list's order) as .xlsx bytes, and how many rows it holds.

    ``filters`` are intake's list filters; the caller's territory overrides the sub-district.
    """
    if territory is not None:
        filters = {**filters, "subdistrict": territory}
    rows = db.scalars(intake.list_stmt(**filters).limit(EXPORT_MAX_ROWS))
    organisation = intake.organisation(db)
    incidents = [_plain(intake.incident_read(r, organisation)) for r in rows]
    title = "Incidents" if en else "事件列表"
    return export.workbook(incidents, en=en, title=title), len(incidents)


def open_incidents(db: Session, *, territory: str | None) -> list[dict[str, Any]]:
    """The open incidents for the live board (map, duty queue), in intake's field names but
    only the fields the board draws: about a tenth of the full incident list's bytes."""
    sub = intake.list_stmt(subdistrict=territory, status=sorted(stats.OPEN_STATUSES)).subquery()
    names = {s.code: s.name for s in org.list_subdistricts(db)}
    hq_names = {code: name for code, (name, _) in intake.organisation(db).headquarters.items()}
    categories: dict[tuple[str | None, bool], dict[str, Any]] = {}

    def category(code: str | None, confidence: float, low: bool) -> dict[str, Any]:
        key = (code, low)
        if key not in categories:
            read = intake.category_read(code, confidence, low)
            categories[key] = {
                "code": read.code,
                "display": read.display,
                "low_confidence": read.low_confidence,
            }
        return categories[key]

    c = sub.c
    rows = db.execute(
        select(
            c.id, c.title, c.status, c.level, c.needs_assessment, c.category_code,
            c.category_confidence, c.low_confidence, c.occurred_at, c.created_at, c.updated_at,
            c.lon, c.lat, c.address, c.subdistrict_code, c.headquarters_code, c.report_count,
            c.channels, c.overdue,
        ).order_by(c.id)
    )  # fmt: skip
    return [
        {
            "id": r.id,
            "title": r.title,
            "status": r.status,
            "level": r.level,
            "needs_assessment": r.needs_assessment,
            "category": category(r.category_code, r.category_confidence, r.low_confidence),
            "occurred_at": r.occurred_at.isoformat(),
            "created_at": r.created_at.isoformat(),
            "updated_at": r.updated_at.isoformat(),
            "lon": r.lon,
            "lat": r.lat,
            "address": r.address,
            "subdistrict": {"code": r.subdistrict_code, "name": names.get(r.subdistrict_code, "")}
            if r.subdistrict_code
            else None,
            "headquarters": {
                "code": r.headquarters_code,
                "name": hq_names.get(r.headquarters_code, r.headquarters_code),
            }
            if r.headquarters_code
            else None,
            "report_count": r.report_count,
            "channels": list(r.channels or []),
            "overdue": r.overdue,
        }
        for r in rows
    ]
