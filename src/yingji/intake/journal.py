"""What a transaction records about incidents, written at its end by :func:`append_events`:
timeline steps and routing/link rows collected in the session (bulk-inserted in one go,
not flushed row by row), then the stream events last, under the event lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.intake import routing
from yingji.intake.locks import EVENT_LOCK_KEY, advisory_lock, is_postgres
from yingji.intake.models import Incident, IncidentReport, Routing, StreamEvent, TimelineEntry
from yingji.intake.prepare import Step
from yingji.intake.shapes import event_payload

SYSTEM_ACTOR = audit.SYSTEM


@dataclass
class PendingEvent:
    """A stream event to write at the end of the transaction; ``timeline`` also notes the push
    on the incident's timeline."""

    incident: Incident
    type: str
    extra: dict[str, Any]
    report_id: int | None
    timeline: bool


def buffered_rows(db: Session, name: str) -> list[dict[str, Any]]:
    """Rows of a table collected in this transaction and bulk-inserted by ``append_events``."""
    return db.info.setdefault(name, [])


def record_step(
    db: Session,
    incident: Incident,
    step: Step,
    *,
    actor: audit.Actor,
    at: datetime,
    report_id: int | None = None,
) -> None:
    """Put a step on an incident's timeline (buffered, written by ``append_events``)."""
    buffered_rows(db, "intake_timeline").append(
        {
            "incident_id": incident.id,
            "report_id": report_id,
            "at": at,
            "kind": step.kind,
            "result": step.result,
            "duration_ms": step.duration_ms,
            "actor_type": actor.type,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "message": step.message[:1000],
            "message_en": step.message_en[:1000],
            "data": step.data,
        }
    )


def append_events(
    db: Session, pending: list[PendingEvent], org: routing.Organisation, now: datetime
) -> list[dict[str, Any]]:
    """Write what the transaction collected: links, routing, timeline, then the stream events
    last, under the event lock, noting each push on its incident's timeline."""
    db.flush()
    for name, model in (
        ("intake_incident_report", IncidentReport),
        ("intake_routing", Routing),
    ):
        rows = db.info.pop(name, [])
        if rows:
            db.connection().execute(insert(model.__table__), rows)
    events: list[dict[str, Any]] = []
    if pending:
        if is_postgres(db):
            advisory_lock(db, EVENT_LOCK_KEY)
        rows = [
            {
                "at": now,
                "type": pe.type,
                "incident_id": pe.incident.id,
                "subdistrict_code": pe.incident.subdistrict_code,
                "headquarters_code": pe.incident.headquarters_code,
                "level": pe.incident.level,
                "payload": event_payload(pe.incident, org, **pe.extra),
            }
            for pe in pending
        ]
        ids = [
            row[0]
            for row in db.connection().execute(
                insert(StreamEvent.__table__).returning(
                    StreamEvent.__table__.c.id, sort_by_parameter_order=True
                ),
                rows,
            )
        ]
        for pe, row, event_id in zip(pending, rows, ids, strict=True):
            events.append(
                {
                    "id": event_id,
                    "type": row["type"],
                    "at": now.isoformat(),
                    "incident_id": row["incident_id"],
                    "subdistrict_code": row["subdistrict_code"],
                    "headquarters_code": row["headquarters_code"],
                    "level": row["level"],
                    "payload": row["payload"],
                }
            )
            if pe.timeline:
                record_step(
                    db,
                    pe.incident,
                    Step(
                        "pushed",
                        "ok",
                        0.0,
                        f"已推送实时事件流（事件 {event_id}）与事件总线",
                        f"pushed to the live stream and bus (event {event_id})",
                        {"event_id": event_id, "type": row["type"]},
                    ),
                    actor=SYSTEM_ACTOR,
                    at=now,
                    report_id=pe.report_id,
                )
    timeline = db.info.pop("intake_timeline", [])
    if timeline:
        db.connection().execute(insert(TimelineEntry.__table__), timeline)
    return events
