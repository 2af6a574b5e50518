"""Activations as stored and as the API shows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.command.models import Activation, Plan
from yingji.core.errors import not_found


def get_activation(db: Session, activation_id: int) -> Activation:
    a = db.get(Activation, activation_id)
    if a is None:
        raise not_found("预案启动记录", "Activation", field="activation_id")
    return a


def activations_for(db: Session, incident_id: int) -> list[Activation]:
    return list(
        db.scalars(
            select(Activation).where(Activation.incident_id == incident_id).order_by(Activation.id)
        )
    )


def activation_read(a: Activation, plan: Plan | None = None) -> dict[str, Any]:
    doc = a.snapshot
    level = next((r for r in doc["response_levels"] if r["level"] == a.response_level), None)
    return {
        "id": a.id,
        "incident_id": a.incident_id,
        "plan": {"id": a.plan_id, "code": doc["code"], "name": doc["name"]},
        "plan_version": a.plan_version,
        "plan_current_version": plan.current_version if plan else None,
        "response_level": a.response_level,
        "response_name": level["name"] if level else "",
        "lead": level["lead"] if level else None,
        "status": a.status,
        "activated_at": a.activated_at,
        "activated_by": a.activated_by,
        "ended_at": a.ended_at,
    }
