"""Reading incidents and the event stream: an incident's fields, the filtered and sorted
list, one incident with its reports, timeline and routing, and stream events after an id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.core.errors import not_found
from yingji.core.pagination import apply_sort
from yingji.intake import categories, lifecycle, routing
from yingji.intake.journal import pipeline_steps
from yingji.intake.models import (
    Correction,
    Incident,
    IncidentReport,
    Report,
    Routing,
    StreamEvent,
    TimelineEntry,
)
from yingji.intake.schemas import IncidentDetail, ReportRead, RoutingRead, TimelineRead
from yingji.intake.shapes import (
    category_read,
    event_dict,
    headquarters_ref,
    secondary_reads,
    subdistrict_ref,
)


def incident_read(incident: Incident, org: routing.Organisation) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "status_name": lifecycle.STATUS_NAMES[incident.status],
        "level": incident.level,
        "needs_assessment": incident.needs_assessment,
        "category": category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
            incident.category_matched,
        ),
        "secondary_categories": secondary_reads(incident),
        "occurred_at": incident.occurred_at,
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "lon": incident.lon,
        "lat": incident.lat,
        "address": incident.address,
        "subdistrict": subdistrict_ref(incident, org),
        "location": incident.location,
        "casualties": {
            "deaths": incident.deaths,
            "missing": incident.missing,
            "serious_injuries": incident.serious_injuries,
            "injuries": incident.injuries,
            "trapped": incident.trapped,
        },
        "direct_loss_cny": incident.direct_loss_cny,
        "affected_people": incident.affected_people,
        "report_count": incident.report_count,
        "channels": incident.channels,
        "headquarters": headquarters_ref(org, incident.headquarters_code),
        "trusted": incident.trusted,
        "production_safety": incident.production_safety,
        "deadlines": incident.deadlines,
        "deadlines_done": incident.deadlines_done,
        "overdue": incident.overdue,
        "next_statuses": lifecycle.allowed_next(incident.status),
        "merged_into_id": incident.merged_into_id,
        "level_floor": incident.level_floor,
    }


# Fields an incident list can be sorted by. Level codes I < II < III < IV sort as text too.
INCIDENT_SORT_FIELDS = {
    "id": Incident.id,
    "level": Incident.level,
    "status": Incident.status,
    "occurred_at": Incident.occurred_at,
    "created_at": Incident.created_at,
    "last_report_at": Incident.last_report_at,
    "report_count": Incident.report_count,
    "subdistrict": Incident.subdistrict_code,
    "category": Incident.category_code,
}


def list_stmt(
    *,
    status: list[str] | None = None,
    level: list[str] | None = None,
    category: str | None = None,
    subdistrict: str | None = None,
    headquarters: str | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    sort: str | None = None,
    hide_merged: bool = False,
) -> Select[Any]:
    """Incidents matching the filters.

    ``hide_merged`` leaves out incidents merged away into another (status ``merged``) unless
    ``status`` names them: the queue shows each live incident once, its reports live on the lead.
    """
    stmt = apply_sort(
        select(Incident).order_by(Incident.id.desc()),
        sort,
        INCIDENT_SORT_FIELDS,  # type: ignore[arg-type]  # ORM attributes are column expressions
        tiebreak=Incident.id,  # type: ignore[arg-type]  # as above
    )
    if status:
        stmt = stmt.where(Incident.status.in_(status))
    elif hide_merged:
        stmt = stmt.where(Incident.status != "merged")
    if level:
        stmt = stmt.where(Incident.level.in_(level))
    if category:
        stmt = stmt.where(
            Incident.category_code.startswith(
                categories.normalise(category).rstrip("0") or category
            )
        )
    if subdistrict:
        stmt = stmt.where(Incident.subdistrict_code == subdistrict)
    if headquarters:
        stmt = stmt.where(Incident.headquarters_code == headquarters)
    if channel:
        stmt = stmt.where(
            select(IncidentReport.id)
            .where(IncidentReport.incident_id == Incident.id, IncidentReport.channel == channel)
            .exists()
        )
    if since:
        stmt = stmt.where(Incident.occurred_at >= since)
    if until:
        stmt = stmt.where(Incident.occurred_at < until)
    return stmt


def corrections_stmt(*, incident_id: int | None = None) -> Select[Correction]:
    """Corrections, newest first; of one incident when asked (named as the one it ended in,
    or as any incident it touched)."""
    stmt = select(Correction).order_by(Correction.id.desc())
    if incident_id is not None:
        stmt = stmt.where(Correction.incident_id == incident_id)
    return stmt


def get_incident(db: Session, incident_id: int, *, territory: str | None) -> Incident:
    incident = db.get(Incident, incident_id)
    if incident is None or (territory is not None and incident.subdistrict_code != territory):
        raise not_found("事件", "Incident", field="id")
    return incident


def incident_detail(db: Session, incident: Incident, org: routing.Organisation) -> IncidentDetail:
    reports = db.scalars(
        select(Report).where(Report.incident_id == incident.id).order_by(Report.id)
    )
    timeline = db.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.id)
    )
    routes = db.scalars(
        select(Routing).where(Routing.incident_id == incident.id).order_by(Routing.id)
    )
    return IncidentDetail(
        **incident_read(incident, org),
        reports=[
            ReportRead(
                id=r.id,
                channel=r.channel,
                source_id=r.source_id,
                received_at=r.received_at,
                occurred_at=r.occurred_at,
                reported_at=r.reported_at,
                title=r.title,
                text=r.text,
                category_code=r.category_code,
                lon=r.lon,
                lat=r.lat,
                address=r.address,
                reporter={"name": r.reporter_name, "phone": r.reporter_phone},
                casualties=r.casualties,
                direct_loss_cny=r.direct_loss_cny,
                merged=r.merged,
                raw_body=r.raw_body,
            )
            for r in reports
        ],
        timeline=[entry for t in timeline for entry in timeline_entries(t)],
        routing=[
            RoutingRead(
                target_type=r.target_type,
                target_code=r.target_code,
                target_name=r.target_name,
                reason=r.reason,
                routed_at=r.routed_at,
                withdrawn_at=r.withdrawn_at,
            )
            for r in routes
        ],
    )


def timeline_entries(t: TimelineEntry) -> list[TimelineRead]:
    """A timeline record as the API shows it: a report's pipeline record as its steps."""
    steps = pipeline_steps(t.kind, t.data)
    if steps is None:
        steps = [
            {
                "kind": t.kind,
                "result": t.result,
                "duration_ms": t.duration_ms,
                "actor": {"type": t.actor_type, "id": t.actor_id, "name": t.actor_name},
                "message": t.message,
                "message_en": t.message_en,
                "data": t.data,
            }
        ]
    return [
        TimelineRead(id=t.id, seq=seq, at=t.at, report_id=t.report_id, **step)
        for seq, step in enumerate(steps)
    ]


def read_events(
    db: Session,
    *,
    after_id: int,
    limit: int = 500,
    subdistrict: str | None = None,
    headquarters: str | None = None,
    levels: list[str] | None = None,
) -> list[dict[str, Any]]:
    stmt = select(StreamEvent).where(StreamEvent.id > after_id).order_by(StreamEvent.id)
    if subdistrict:
        stmt = stmt.where(StreamEvent.subdistrict_code == subdistrict)
    if headquarters:
        stmt = stmt.where(StreamEvent.headquarters_code == headquarters)
    if levels:
        stmt = stmt.where(StreamEvent.level.in_(levels))
    return [event_dict(e) for e in db.scalars(stmt.limit(limit))]


def last_event_id(db: Session) -> int:
    return int(db.scalar(select(func.max(StreamEvent.id))) or 0)


def count_reports(db: Session) -> int:
    return int(db.scalar(select(func.count(Report.id))) or 0)


def count_merged_reports(db: Session) -> int:
    """Reports that joined an existing incident (the rest founded one)."""
    return int(db.scalar(select(func.count(Report.id)).where(Report.merged.is_(True))) or 0)
