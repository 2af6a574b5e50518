"""Incidents shaped for answers and stream events: the category with its names,
headquarters and subdistrict as named references, the answer to an accepted report, the
payload of a stream event. Shared by the write path, the readers and the moves.
"""

from __future__ import annotations

from typing import Any

from yingji.intake import categories, routing
from yingji.intake.models import IncidentLike, Report, StreamEvent
from yingji.intake.schemas import CategoryRead, NamedRef, ReportAccepted


def category_dict(
    code: str | None,
    confidence: float,
    low: bool,
    source: str | None = None,
    matched: list[str] | None = None,
) -> dict[str, Any]:
    """An incident's category as JSON (the shape of ``CategoryRead``): built as a plain dict
    for the stream events intake writes per report."""
    p = categories.path(code) if code else None
    return {
        "code": p.code if p else None,
        "names": list(p.names) if p else [],
        "display": p.display if p else "未分类",
        "confidence": confidence,
        "low_confidence": low,
        "source": source or ("rules" if p else "none"),
        "matched": list(matched or []),
        "emergency": categories.is_emergency(p.code if p else None),
    }


def category_read(
    code: str | None,
    confidence: float,
    low: bool,
    source: str | None = None,
    matched: list[str] | None = None,
) -> CategoryRead:
    return CategoryRead(**category_dict(code, confidence, low, source, matched))


def secondary_reads(incident: IncidentLike) -> list[CategoryRead]:
    """The scene's secondary categories (issue 13), each as a ``CategoryRead``: brought by a
    joining report's own classification, so shown as ``merged``."""
    return [category_read(c, 1.0, False, "merged") for c in incident.secondary_codes or ()]


def headquarters_ref(org: routing.Organisation, code: str | None) -> NamedRef | None:
    if not code:
        return None
    name = org.headquarters.get(code, (code, ""))[0]
    return NamedRef(code=code, name=name)


def subdistrict_ref(incident: IncidentLike, org: routing.Organisation) -> NamedRef | None:
    code = incident.subdistrict_code
    if not code:
        return None
    return NamedRef(code=code, name=org.subdistricts.get(code, code))


def accepted(
    report: Report, incident: IncidentLike, org: routing.Organisation, *, replayed: bool = False
) -> ReportAccepted:
    return ReportAccepted(
        report_id=report.id,
        incident_id=incident.id,
        merged=report.merged,
        replayed=replayed,
        level=incident.level,
        needs_assessment=incident.needs_assessment,
        status=incident.status,
        category_code=category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
            incident.category_matched,
        ),
        subdistrict=subdistrict_ref(incident, org),
        headquarters=headquarters_ref(org, incident.headquarters_code),
    )


def event_payload(
    incident: IncidentLike, org: routing.Organisation, **extra: Any
) -> dict[str, Any]:
    hq, sub = incident.headquarters_code, incident.subdistrict_code
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "level": incident.level,
        "needs_assessment": incident.needs_assessment,
        "category": category_dict(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
            incident.category_matched,
        ),
        "secondary_codes": list(incident.secondary_codes or ()),
        # as ``IncidentRead.secondary_categories``: a live board replaces its row by this
        "secondary_categories": [
            category_dict(c, 1.0, False, "merged") for c in incident.secondary_codes or ()
        ],
        "subdistrict": {"code": sub, "name": org.subdistricts.get(sub, sub)} if sub else None,
        "headquarters": {"code": hq, "name": org.headquarters.get(hq, (hq, ""))[0]} if hq else None,
        "lon": incident.lon,
        "lat": incident.lat,
        "report_count": incident.report_count,
        "occurred_at": incident.occurred_at.isoformat(),
        "overdue": incident.overdue,
        **extra,
    }


def event_dict(e: StreamEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.type,
        "at": e.at.isoformat(),
        "incident_id": e.incident_id,
        "subdistrict_code": e.subdistrict_code,
        "headquarters_code": e.headquarters_code,
        "level": e.level,
        "payload": e.payload,
    }
