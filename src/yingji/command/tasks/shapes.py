"""A task as the API and the stream show it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from yingji.command.models import Task
from yingji.command.tasks import rules
from yingji.scheduling import clock


def task_read(t: Task) -> dict[str, Any]:
    return {
        "id": t.id,
        "incident_id": t.incident_id,
        "activation_id": t.activation_id,
        "phase": t.phase,
        "response_level": t.response_level,
        "seq": t.seq,
        "party": {"type": t.party_type, "code": t.party_code, "name": t.party_name},
        "scope": {"type": t.scope_type, "code": t.scope_code},
        "title": t.title,
        "detail": t.detail,
        "status": t.status,
        "status_name": rules.STATUS_NAMES[t.status],
        "next_statuses": rules.allowed_next(t.status),
        "deadline_at": t.deadline_at,
        "deadline_for": t.deadline_for,
        "assigned_at": t.assigned_at,
        "accepted_at": t.accepted_at,
        "en_route_at": t.en_route_at,
        "on_scene_at": t.on_scene_at,
        "completed_at": t.completed_at,
        "refused_reason": t.refused_reason,
        "escalation_stage": t.escalation_stage,
        "resources": t.resources,
        "notify": t.notify,
        "attached": t.attached,
        "report": t.report,
        "reassigned_from": t.reassigned_from,
        "updated_at": t.updated_at,
    }


def event_task(t: Task) -> dict[str, Any]:
    return {
        "task": {
            "id": t.id,
            "title": t.title,
            "status": t.status,
            "party": {"type": t.party_type, "code": t.party_code, "name": t.party_name},
            "scope": {"type": t.scope_type, "code": t.scope_code},
            "deadline_at": t.deadline_at.isoformat() if t.deadline_at else None,
        }
    }


def hm(at: datetime | None) -> str:
    """A deadline as Beijing wall-clock time, the way the parties read it."""
    return at.astimezone(clock.BEIJING).strftime("%m-%d %H:%M") if at else ""
