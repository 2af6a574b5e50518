"""The incident as command sees it: plain values read through intake's service.

Command never reads intake's tables; it asks :mod:`yingji.intake.service` for the incident
and records its own steps on the incident's timeline and stream with ``annotate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yingji.audit.service import Actor
from yingji.command.plans.rules import IncidentFacts
from yingji.intake import service as intake

Note = intake.Note
FACT_FIELDS = (
    "deaths", "missing", "serious_injuries", "injuries", "trapped", "direct_loss_cny",
    "affected_people",
)  # fmt: skip


@dataclass(frozen=True)
class IncidentRef(IncidentFacts):
    status: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    subdistrict_name: str = ""
    occurred_at: datetime | None = None
    created_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "level": self.level,
            "category_code": self.category_code,
            "subdistrict_code": self.subdistrict_code,
            "subdistrict_name": self.subdistrict_name,
            "headquarters_code": self.headquarters_code,
            "lon": self.lon,
            "lat": self.lat,
            "address": self.address,
        }


def load(
    db: Session, incident_id: int, *, territory: str | None = None, with_text: bool = False
) -> IncidentRef:
    """The incident (404 when it does not exist or lies outside ``territory``); with its
    reports' texts when asked (keyword conditions of plans read them)."""
    inc = intake.get_incident(db, incident_id, territory=territory)
    parts = [inc.title, inc.address]
    if with_text:
        detail = intake.incident_detail(db, inc, intake.organisation(db))
        parts += [f"{r.title} {r.text}" for r in detail.reports]
    text = " ".join(p for p in parts if p)
    return IncidentRef(
        id=inc.id,
        level=inc.level,
        category_code=inc.category_code,
        subdistrict_code=inc.subdistrict_code,
        headquarters_code=inc.headquarters_code,
        title=inc.title,
        text=text,
        facts={f: getattr(inc, f) for f in FACT_FIELDS},
        status=inc.status,
        lon=inc.lon,
        lat=inc.lat,
        address=inc.address,
        subdistrict_name=(inc.location.get("subdistrict") or {}).get("name", "")
        if isinstance(inc.location, dict)
        else "",
        occurred_at=inc.occurred_at,
        created_at=inc.created_at,
    )


def note(
    db: Session, *, incident_id: int, notes: list[intake.Note], actor: Actor, now: datetime
) -> list[dict[str, Any]]:
    """Record command's steps on the incident's timeline and stream (caller commits)."""
    return intake.annotate(db, incident_id=incident_id, notes=notes, actor=actor, now=now)


def transition(
    db: Session, *, incident_id: int, to: str, reason: str, principal: Any, now: datetime
) -> list[dict[str, Any]]:
    """Move the incident along intake's lifecycle (its rules and roles apply)."""
    inc = intake.get_incident(db, incident_id, territory=principal.territory())
    return intake.transition(
        db, incident=inc, to=to, reason=reason, actor=principal.actor,
        role=principal.role, org=intake.organisation(db), now=now,
    )  # fmt: skip
