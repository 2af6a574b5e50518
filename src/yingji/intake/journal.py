"""What a transaction records about incidents, written at its end by :func:`append_events`:
timeline steps and routing/link rows collected in the session (bulk-inserted in one go,
not flushed row by row), then the stream events last, under the event lock.

A report's way through the pipeline (received, located, classified, graded, merged or
founded, screened, routed, pushed) is one timeline record of kind ``pipeline`` holding its
steps, not a row per step: eight rows per new incident were a fifth of the intake writer's
time (py-spy, ``yingji bench intake``). Readers expand it (:func:`pipeline_steps`), so the timeline
API shows each step as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.bulk import insert_rows, insert_with_ids
from yingji.intake import routing
from yingji.intake.locks import EVENT_LOCK_KEY, advisory_lock, is_postgres
from yingji.intake.models import (
    IncidentLike,
    IncidentReport,
    Routing,
    StreamEvent,
    TimelineEntry,
)
from yingji.intake.prepare import Step
from yingji.intake.shapes import event_payload

SYSTEM_ACTOR = audit.SYSTEM


@dataclass
class PendingEvent:
    """A stream event to write at the end of the transaction; ``timeline`` also notes the push
    on the incident's timeline."""

    incident: IncidentLike
    type: str  # a member of a domain's event enum (intake.events, command.events)
    extra: Mapping[str, Any]
    report_id: int | None
    timeline: bool


def buffered_rows(db: Session, name: str) -> list[dict[str, Any]]:
    """Rows of a table collected in this transaction and bulk-inserted by ``append_events``."""
    return db.info.setdefault(name, [])


PIPELINE = "pipeline"


def _step(step: Step, actor: audit.Actor) -> dict[str, Any]:
    return {
        "kind": step.kind,
        "result": step.result,
        "duration_ms": step.duration_ms,
        "actor": {"type": actor.type, "id": actor.id, "name": actor.name},
        "message": step.message[:1000],
        "message_en": step.message_en[:1000],
        "data": step.data,
    }


def record_pipeline_step(
    db: Session,
    incident: IncidentLike,
    step: Step,
    *,
    actor: audit.Actor,
    at: datetime,
    report_id: int,
) -> None:
    """Add a step to a report's pipeline record (one timeline row per report, buffered)."""
    records: dict[int, dict[str, Any]] = db.info.setdefault("intake_pipeline", {})
    row = records.get(report_id)
    if row is None:
        row = records[report_id] = {
            "incident_id": incident.id,
            "report_id": report_id,
            "at": at,
            "kind": PIPELINE,
            "actor_type": actor.type,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "data": {"steps": []},
        }
        buffered_rows(db, "intake_timeline").append(row)
    row["data"]["steps"].append(_step(step, actor))


def _close_pipeline(row: dict[str, Any]) -> None:
    """A pipeline record's own columns summarise its steps (for whoever reads the table)."""
    steps = row["data"]["steps"]
    results = {s["result"] for s in steps}
    row["result"] = "flagged" if "flagged" in results else "ok"
    row["duration_ms"] = round(sum(s["duration_ms"] or 0.0 for s in steps), 3)
    row["message"] = "；".join(s["message"] for s in steps)[:1000]
    row["message_en"] = "; ".join(s["message_en"] for s in steps)[:1000]


def pipeline_steps(kind: str, data: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The steps of a pipeline record, in order; None for a record of a single step."""
    return list(data.get("steps", [])) if kind == PIPELINE else None


def record_step(
    db: Session,
    incident: IncidentLike,
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
        insert_rows(db.connection(), model.__table__, rows)
    events: list[dict[str, Any]] = []
    if pending:
        if is_postgres(db):
            advisory_lock(db, EVENT_LOCK_KEY)
        rows = [
            {
                "at": now,
                "type": str(pe.type),  # the wire string, whichever enum named it
                "incident_id": pe.incident.id,
                "subdistrict_code": pe.incident.subdistrict_code,
                "headquarters_code": pe.incident.headquarters_code,
                "level": pe.incident.level,
                "payload": event_payload(pe.incident, org, **pe.extra),
            }
            for pe in pending
        ]
        ids = insert_with_ids(db.connection(), StreamEvent.__table__, rows)
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
                pushed = Step(
                    "pushed",
                    "ok",
                    0.0,
                    f"已推送实时事件流（事件 {event_id}）与事件总线",
                    f"pushed to the live stream and bus (event {event_id})",
                    {"event_id": event_id, "type": row["type"]},
                )
                if pe.report_id in db.info.get("intake_pipeline", {}):
                    record_pipeline_step(
                        db,
                        pe.incident,
                        pushed,
                        actor=SYSTEM_ACTOR,
                        at=now,
                        report_id=pe.report_id,  # type: ignore[arg-type]  # in the pipeline: not None
                    )
                else:
                    record_step(
                        db, pe.incident, pushed, actor=SYSTEM_ACTOR, at=now, report_id=pe.report_id
                    )
    for row in db.info.pop("intake_pipeline", {}).values():
        _close_pipeline(row)
    timeline = db.info.pop("intake_timeline", [])
    insert_rows(db.connection(), TimelineEntry.__table__, timeline)
    return events
