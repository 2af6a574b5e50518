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


PAYLOAD_EXTRAS: dict[IntakeEvent, type] = {
    IntakeEvent.CREATED: Created,
    IntakeEvent.MERGED: Merged,
    IntakeEvent.STATUS: Status,
    IntakeEvent.LEVEL: Level,
    IntakeEvent.DEADLINE: Deadline,
    IntakeEvent.OVERDUE: Overdue,
}
"""Each type's extra payload fields (documentation, and the tests check every type has one)."""
