"""Command's stream event types, named once, with their payloads.

They go out through intake's ``annotate`` (a :class:`~yingji.command.incidents.Note` with an
event type) on ``GET /api/v1/stream`` and the bus. The values are the wire strings other
systems and the dashboard already match on (``web/src/api/events.ts`` lists the same, and the
dashboard groups them by the part before the dot: ``task.``, ``plan.``...): they never change.
Each event's ``payload`` is the incident with the type's extra fields (typed below) merged in.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypedDict


class CommandEvent(StrEnum):
    PLAN_ACTIVATED = "plan.activated"
    PLAN_RESPONSE_RAISED = "plan.response_raised"
    TASK_ASSIGNED = "task.assigned"  # one per party
    TASK_STATUS = "task.status"
    TASK_REASSIGNED = "task.reassigned"
    TASK_RESOURCES = "task.resources"
    TASK_ESCALATED = "task.escalated"  # one per incident per burst
    AFTERMATH_LISTED = "aftermath.listed"
    REVIEW_SAVED = "review.saved"
    CONSULT_MESSAGE = "consult.message"
    CONSULT_DECISION = "consult.decision"
    WARNING_ISSUED = "warning.issued"
    WARNING_UPDATED = "warning.updated"
    WARNING_LIFTED = "warning.lifted"


class Party(TypedDict):
    type: str
    code: str
    name: str


class Scope(TypedDict):
    type: str
    code: str


class EventTask(TypedDict):
    """A task as an event carries it."""

    id: int
    title: str
    status: str
    party: Party
    scope: Scope
    deadline_at: str | None


class PlanActivated(TypedDict):
    """plan.activated and plan.response_raised: ``activation`` {id, plan_code, response_level,
    tasks; plan_name and version on activation, the level raised from ("from") on a raise}."""

    activation: dict[str, Any]


class TaskAssigned(TypedDict):
    party: Party
    scope: Scope
    tasks: list[EventTask]


class TaskChanged(TypedDict, total=False):
    """task.status (with "from"), task.reassigned (with old_task_id), task.resources (with
    items)."""

    task: EventTask
    old_task_id: int
    items: list[dict[str, Any]]


class TaskEscalated(TypedDict):
    stage: int  # 1 the headquarters office, 2 the committee
    tasks: list[dict[str, Any]]  # EventTask with stage and to


class AftermathListed(TypedDict):
    tasks: int


class ReviewSaved(TypedDict):
    review: dict[str, int]  # id, lessons


class ConsultMessage(TypedDict):
    message: dict[str, Any]  # id, kind, at, author, text, attachments


class WarningEvent(TypedDict):
    warning: dict[str, Any]  # id, status, colour, headline, area, identifier, msg_type


PAYLOAD_EXTRAS: dict[CommandEvent, type] = {
    CommandEvent.PLAN_ACTIVATED: PlanActivated,
    CommandEvent.PLAN_RESPONSE_RAISED: PlanActivated,
    CommandEvent.TASK_ASSIGNED: TaskAssigned,
    CommandEvent.TASK_STATUS: TaskChanged,
    CommandEvent.TASK_REASSIGNED: TaskChanged,
    CommandEvent.TASK_RESOURCES: TaskChanged,
    CommandEvent.TASK_ESCALATED: TaskEscalated,
    CommandEvent.AFTERMATH_LISTED: AftermathListed,
    CommandEvent.REVIEW_SAVED: ReviewSaved,
    CommandEvent.CONSULT_MESSAGE: ConsultMessage,
    CommandEvent.CONSULT_DECISION: ConsultMessage,
    CommandEvent.WARNING_ISSUED: WarningEvent,
    CommandEvent.WARNING_UPDATED: WarningEvent,
    CommandEvent.WARNING_LIFTED: WarningEvent,
}
"""Each type's extra payload fields (documentation, and the tests check every type has one)."""
