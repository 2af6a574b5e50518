"""Incidents shaped for answers and stream events: the category with its names,
headquarters and subdistrict as named references, the answer to an accepted report, the
payload of a stream event. Shared by the write path, the readers and the moves.
"""

from __future__ import annotations

from typing import Any

from yingji.intake import categories, routing
from yingji.intake.models import Incident, Report, StreamEvent
from yingji.intake.schemas import CategoryRead, NamedRef, ReportAccepted


def category_read(
    code: str | None, confidence: float, low: bool, source: str | None = None
) -> CategoryRead:
    p = categories.path(code) if code else None
    return CategoryRead(
        code=p.code if p else None,
        names=p.names if p else [],
        display=p.display if p else "未分类",
        confidence=confidence,
        low_confidence=low,
        source=source or ("rules" if p else "none"),
    )


def headquarters_ref(org: routing.Organisation, code: str | None) -> NamedRef | None:
    if not code:
        return None
    name = org.headquarters.get(code, (code, ""))[0]
    return NamedRef(code=code, name=name)


def subdistrict_ref(incident: Incident, org: routing.Organisation) -> NamedRef | None:
    code = incident.subdistrict_code
    if not code:
        return None
    return NamedRef(code=code, name=org.subdistricts.get(code, code))


def accepted(
    report: Report, incident: Incident, org: routing.Organisation, *, replayed: bool = False
) -> ReportAccepted:
    return ReportAccepted(
        report_id=report.id,
        incident_id=incident.id,
        merged=report.merged,
        replayed=replayed,
        level=incident.level,  # type: ignore[arg-type]
        needs_assessment=incident.needs_assessment,
        status=incident.status,
        category_code=category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
        ),
        subdistrict=subdistrict_ref(incident, org),
        headquarters=headquarters_ref(org, incident.headquarters_code),
    )


def event_payload(incident: Incident, org: routing.Organisation, **extra: Any) -> dict[str, Any]:
    hq = headquarters_ref(org, incident.headquarters_code)
    sub = subdistrict_ref(incident, org)
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "level": incident.level,
        "needs_assessment": incident.needs_assessment,
        "category": category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
        ).model_dump(),
        "subdistrict": sub.model_dump() if sub else None,
        "headquarters": hq.model_dump() if hq else None,
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
