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
    """The filtered incident list (newest first) as .xlsx bytes, and how many rows it holds.

    ``filters`` are intake's list filters; the caller's territory overrides the sub-district.
    """
    if territory is not None:
        filters = {**filters, "subdistrict": territory}
    rows = db.scalars(intake.list_stmt(**filters).limit(EXPORT_MAX_ROWS))
    organisation = intake.organisation(db)
    incidents = [_plain(intake.incident_read(r, organisation)) for r in rows]
    title = "Incidents" if en else "事件列表"
    return export.workbook(incidents, en=en, title=title), len(incidents)
