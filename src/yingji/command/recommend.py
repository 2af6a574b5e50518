"""Recommendations in the incident room: the nearby teams, experts, warehouses, stations and
cameras (the resources domain's nearby search), ready to attach to a task.

Given a task, the search is narrowed by what its plan action asks for: a team skill from the
action's resources, an expert specialty from the party.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from yingji.command.incidents import IncidentRef
from yingji.command.models import Task
from yingji.core.errors import invalid
from yingji.resources import nearby


def hints(task: Task | None) -> dict[str, str | None]:
    """The skill and specialty a task's action asks for (None when it names none)."""
    if task is None:
        return {"skill": None, "specialty": None}
    skill = next((r.get("skill") for r in task.resources if r.get("skill")), None)
    specialty = (
        task.party_code.removeprefix("specialty:")
        if task.party_code.startswith("specialty:")
        else None
    )
    return {"skill": skill, "specialty": specialty}


def recommend(
    db: Session,
    *,
    incident: IncidentRef,
    kinds: str | None,
    radius_m: float,
    limit: int,
    skill: str | None,
    specialty: str | None,
    item_code: str | None,
    today: date,
    task: Task | None = None,
) -> dict[str, Any]:
    if incident.lon is None or incident.lat is None:
        raise invalid(
            "incident_id", "事件没有位置，无法推荐周边资源",
            "The incident has no position; no nearby resources", "incident_not_located",
        )  # fmt: skip
    wanted = hints(task)
    query = nearby.Query(
        kinds=nearby.parse_kinds(kinds), radius_m=radius_m, limit=limit,
        skill=skill or wanted["skill"], specialty=specialty or wanted["specialty"],
        item_code=item_code.upper() if item_code else None,
    )  # fmt: skip
    found = nearby.search(db, lon=incident.lon, lat=incident.lat, query=query, today=today)
    for kind, rows in found["results"].items():
        for row in rows:
            row["attach"] = {
                "kind": kind, "id": row["id"], "name": row.get("name", ""),
                "distance_m": row["distance_m"],
            }  # fmt: skip
    return {
        "incident_id": incident.id,
        "center": {"lon": incident.lon, "lat": incident.lat},
        "radius_m": radius_m,
        "task_id": task.id if task else None,
        "filters": {"skill": query.skill, "specialty": query.specialty, "item": query.item_code},
        **found,
    }
