"""Intake's stream event types (``GET /api/v1/stream``, the bus), named once.

The values are the wire strings other systems and the dashboard already match on
(``web/src/api/events.ts`` lists the same): they never change. Each event's ``payload`` is
the incident (:func:`yingji.intake.journal.event_payload`) with the type's extra fields
merged in; the extras are typed below.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict


class IntakeEvent(StrEnum):
    """An incident's life as the stream shows it."""

    CREATED = "incident.created"  # a report found a new incident
    MERGED = "incident.merged"  # a report merged into an open incident
    STATUS = "incident.status"  # a lifecycle move (verified, responding, closed...)
    LEVEL = "incident.level"  # the level set by hand
    DEADLINE = "incident.deadline"  # a reporting deadline met (首报, 续报...)
    OVERDUE = "incident.overdue"  # a reporting deadline passed unmet
    # A duty officer's corrections (甄别研判; intake/corrections.py)
    COMBINED = "incident.combined"  # the lead: incidents were merged into it
    MERGED_AWAY = "incident.merged_away"  # an incident merged into the lead
    SPLIT = "incident.split"  # a report left for a new incident
    REPORT_MOVED = "incident.report_moved"  # a report left for, or came from, another incident
    RECLASSIFIED = "incident.reclassified"  # category (and level, routing) set by an officer
    RELOCATED = "incident.relocated"  # position set by an officer; sub-district, grid follow
    ROUTING_WITHDRAWN = "incident.routing_withdrawn"  # to the parties it no longer reaches


class Created(TypedDict):
    report_id: int


class Merged(TypedDict):
    report_id: int
    level_from: str


Status = TypedDict("Status", {"from": str})


class Level(TypedDict):
    level_from: str


class Deadline(TypedDict):
    step: str


class Overdue(TypedDict):
    steps: list[str]


class Combined(TypedDict):
    merged: list[int]
    routing: dict[str, object]
    correction_id: int


class MergedAway(TypedDict):
    merged_into: int
    withdrawn: list[dict[str, str]]


class Split(TypedDict):
    report_id: int
    new_incident_id: int


ReportMoved = TypedDict(
    "ReportMoved", {"report_id": int, "from": int, "to": int, "routing": dict[str, object]}
)


class Reclassified(TypedDict):
    category_from: str | None
    routing: dict[str, object]


class Relocated(TypedDict):
    routing: dict[str, object]


class RoutingWithdrawn(TypedDict):
    routing: dict[str, object]


PAYLOAD_EXTRAS: dict[IntakeEvent, type] = {
    IntakeEvent.CREATED: Created,
    IntakeEvent.MERGED: Merged,
    IntakeEvent.STATUS: Status,
    IntakeEvent.LEVEL: Level,
    IntakeEvent.DEADLINE: Deadline,
    IntakeEvent.OVERDUE: Overdue,
    IntakeEvent.COMBINED: Combined,
    IntakeEvent.MERGED_AWAY: MergedAway,
    IntakeEvent.SPLIT: Split,
    IntakeEvent.REPORT_MOVED: ReportMoved,
    IntakeEvent.RECLASSIFIED: Reclassified,
    IntakeEvent.RELOCATED: Relocated,
    IntakeEvent.ROUTING_WITHDRAWN: RoutingWithdrawn,
}
"""Each type's extra payload fields (documentation, and the tests check every type has one)."""
