"""Routing an incident in the database: its targets (the rules are in
:mod:`yingji.intake.routing`) buffered as routing rows for
:func:`~yingji.intake.journal.append_events`, and routing again after a level rise.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.intake import categories, routing
from yingji.intake.journal import (
    SYSTEM_ACTOR,
    buffered_rows,
    record_pipeline_step,
    record_step,
)
from yingji.intake.models import IncidentLike, Routing
from yingji.intake.prepare import Step
from yingji.intake.shapes import subdistrict_ref


def targets_for(
    incident: IncidentLike, org: routing.Organisation, local_force: tuple[str, str] | None
) -> list[routing.Target]:
    """Whom an incident goes to (pure); the headquarters target also sets the incident's
    headquarters, so a new incident is inserted with it."""
    p = categories.path(incident.category_code) if incident.category_code else None
    sub = subdistrict_ref(incident, org)
    targets = routing.route(
        category_code=incident.category_code,
        category_name=p.display if p else "未分类",
        level=incident.level,
        subdistrict=(sub.code, sub.name) if sub else None,
        local_force=local_force,
        org=org,
    )
    for t in targets:
        if t.type == "headquarters":
            incident.headquarters_code = t.code
    # each secondary category of the scene still goes to its headquarters or department
    # (issue 13); the incident's headquarters stays the lead's
    seen = {(t.type, t.code) for t in targets}
    for code in incident.secondary_codes or ():
        sp = categories.path(code)
        for t in routing.route(
            category_code=code,
            category_name=sp.display if sp else code,
            level=incident.level,
            subdistrict=None,
            local_force=None,
            org=org,
        ):
            if t.type in ("headquarters", "department") and (t.type, t.code) not in seen:
                seen.add((t.type, t.code))
                targets.append(routing.Target(t.type, t.code, t.name, f"次要类别 {t.reason}"))
    return targets


def buffer_routes(
    db: Session, incident: IncidentLike, targets: list[routing.Target], at: datetime
) -> None:
    """Routing rows for ``targets``, written by ``append_events``."""
    rows = buffered_rows(db, "intake_routing")
    for t in targets:
        rows.append(
            {
                "incident_id": incident.id,
                "target_type": t.type,
                "target_code": t.code,
                "target_name": t.name,
                "reason": t.reason,
                "routed_at": at,
                "withdrawn_at": None,
            }
        )


def route_incident(
    db: Session,
    incident: IncidentLike,
    org: routing.Organisation,
    local_force: tuple[str, str] | None,
    *,
    existing: set[tuple[str, str]],
    at: datetime,
) -> list[routing.Target]:
    """Route an incident to its targets, buffering rows for those not in ``existing``; the
    headquarters target sets the incident's headquarters. Answers the new targets."""
    targets = targets_for(incident, org, local_force)
    new = [t for t in targets if (t.type, t.code) not in existing]
    buffer_routes(db, incident, new, at)
    return new


def routed_step(new: list[routing.Target], duration_ms: float) -> Step:
    names = "、".join(t.name for t in new) or "（无新增）"
    return Step(
        "routed",
        "ok" if new else "skipped",
        duration_ms,
        f"推送至：{names}",
        f"routed to: {', '.join(t.code for t in new) or '(nothing new)'}",
        {"targets": routing.as_dicts(new)},
    )


def reroute(
    db: Session,
    incident: IncidentLike,
    org: routing.Organisation,
    now: datetime,
    *,
    report_id: int | None = None,
) -> None:
    """After a level rise: route to whoever the graver level adds (the committee for I–II);
    the step joins the pipeline record of ``report_id`` when the rise came from a report.
    A target the incident was withdrawn from (``route_again``) is taken up again."""
    stored = {
        (t, c): withdrawn
        for t, c, withdrawn in db.execute(
            select(Routing.target_type, Routing.target_code, Routing.withdrawn_at).where(
                Routing.incident_id == incident.id
            )
        )
    }
    existing = {key for key, withdrawn in stored.items() if withdrawn is None}
    existing |= {
        (row["target_type"], row["target_code"])
        for row in buffered_rows(db, "intake_routing")
        if row["incident_id"] == incident.id
    }
    lf = next((c for t, c in existing if t == "local_force"), None)
    targets = targets_for(incident, org, (lf, "") if lf else None)
    new = [t for t in targets if (t.type, t.code) not in existing and t.type != "local_force"]
    revived = [t for t in new if (t.type, t.code) in stored]
    buffer_routes(db, incident, [t for t in new if t not in revived], now)
    for t in revived:
        db.execute(
            update(Routing)
            .where(
                Routing.incident_id == incident.id,
                Routing.target_type == t.type,
                Routing.target_code == t.code,
            )
            .values(withdrawn_at=None, routed_at=now, reason=t.reason)
        )
    if new and report_id is not None:
        step = routed_step(new, 0.0)
        record_pipeline_step(db, incident, step, actor=SYSTEM_ACTOR, at=now, report_id=report_id)
    elif new:
        record_step(db, incident, routed_step(new, 0.0), actor=SYSTEM_ACTOR, at=now)


def route_again(
    db: Session, incident: IncidentLike, org: routing.Organisation, now: datetime
) -> tuple[list[routing.Target], list[Routing]]:
    """Route an incident afresh after a duty officer changed what routing reads (category,
    level, position): targets it newly goes to are routed (or taken up again), targets it no
    longer goes to are withdrawn (kept, with ``withdrawn_at``). Answers (gained, lost).
    It is the one authority of the correction's routing: rows :func:`reroute` buffered for
    the incident earlier in the transaction (``scenes.set_categories``) are taken over, so a
    target is neither inserted twice nor reported gained by one and lost by the other."""
    buffer = buffered_rows(db, "intake_routing")
    buffer[:] = [row for row in buffer if row["incident_id"] != incident.id]
    rows = list(
        db.scalars(
            select(Routing)
            .where(Routing.incident_id == incident.id)
            .execution_options(populate_existing=True)  # reroute may have revived rows by SQL
        )
    )
    lf = (incident.location or {}).get("local_force")
    local_force = (lf["subdistrict_code"], lf["name"]) if lf else None
    incident.headquarters_code = None  # set again by the headquarters target, if any
    targets = targets_for(incident, org, local_force)
    wanted = {(t.type, t.code): t for t in targets}
    by_key = {(r.target_type, r.target_code): r for r in rows}
    gained: list[routing.Target] = []
    lost: list[Routing] = []
    for key, t in wanted.items():
        row = by_key.get(key)
        if row is None:
            db.add(
                Routing(
                    incident_id=incident.id, target_type=t.type, target_code=t.code,
                    target_name=t.name, reason=t.reason, routed_at=now,
                )
            )  # fmt: skip
            gained.append(t)
        elif row.withdrawn_at is not None:
            row.withdrawn_at, row.routed_at, row.reason = None, now, t.reason
            gained.append(t)
    for key, row in by_key.items():
        if key not in wanted and row.withdrawn_at is None:
            row.withdrawn_at = now
            lost.append(row)
    return gained, lost


def withdraw_all(db: Session, incident_id: int, now: datetime) -> list[Routing]:
    """Withdraw every target of an incident (merged into another, which now holds them)."""
    rows = list(
        db.scalars(
            select(Routing).where(
                Routing.incident_id == incident_id, Routing.withdrawn_at.is_(None)
            )
        )
    )
    for row in rows:
        row.withdrawn_at = now
    return rows
