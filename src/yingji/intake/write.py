"""Writing a batch of prepared reports, the intake writer's path: merge into an open incident
or found one, record the reports, links and timeline, route, and write the stream events,
all in the caller's transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.bulk import insert_with_ids, update_rows
from yingji.core.db import among
from yingji.core.errors import ApiError, conflict
from yingji.intake import categories, deadlines, merge, places, policy_store, routing, scenes
from yingji.intake import events as intake_events
from yingji.intake.candidates import known_reports, open_candidates
from yingji.intake.config import IntakeSettings
from yingji.intake.events import IntakeEvent
from yingji.intake.facts import MERGED_COLUMNS, merge_facts, new_incident
from yingji.intake.journal import (
    SYSTEM_ACTOR,
    PendingEvent,
    append_events,
    buffered_rows,
    record_pipeline_step,
)
from yingji.intake.locks import is_postgres, lock_merge_neighbourhoods
from yingji.intake.models import INCIDENT_COLUMNS, Incident, IncidentLike, IncidentRecord, Report
from yingji.intake.prepare import RECEIVED, Prepared, Step
from yingji.intake.routing_rows import buffer_routes, reroute, routed_step, targets_for
from yingji.intake.schemas import ReportAccepted
from yingji.intake.shapes import accepted


@dataclass
class Outcome:
    """The answer for one item of a batch: accepted (201), replayed (200) or an error."""

    status: int
    result: ReportAccepted | None = None
    error: ApiError | None = None


@dataclass(frozen=True)
class _ReportRef:
    """What an answer needs of a report written with a bulk insert."""

    id: int
    merged: bool


@dataclass
class _Plan:
    """What pass one decided for a report, for pass two to record."""

    index: int
    prepared: Prepared
    incident: IncidentLike
    decision: merge.MergeDecision | None
    merge_ms: float
    is_new: bool
    level_change: tuple[str, str, list[str]] | None = None
    targets: list[routing.Target] | None = None  # a new incident's, with the time they took
    route_ms: float = 0.0
    categories_changed: bool = False  # a joining report brought another category of the scene


def _reused(r: Any) -> ApiError:
    return conflict(
        "source_id_reused",
        f"通道 {r.channel} 的 source_id “{r.source_id}” 已用于另一份不同的报告",
        f"source_id '{r.source_id}' on channel {r.channel} was already used for a different report",
        field="source_id",
    )


def write_batch(
    db: Session,
    items: list[Prepared],
    *,
    settings: IntakeSettings,
    org: routing.Organisation,
    now: datetime,
) -> tuple[list[Outcome], list[dict[str, Any]]]:
    """Merge or create, record and route each prepared report in the caller's transaction.

    Pass one decides, in memory and in order, which incident each report joins (incidents
    founded earlier in the batch included) and updates the incidents; new incidents are
    routed and inserted with one ``INSERT … RETURNING`` (the ORM's flush of them was a
    seventh of the writer's time); pass two bulk-inserts reports, links, timeline, routing
    and events; merged incidents are written back with one executemany UPDATE.
    Returns an outcome per item and the stream events written (publish them after commit).
    """
    with db.no_autoflush:
        return _write_batch(db, items, settings=settings, org=org, now=now)


def _write_batch(
    db: Session,
    items: list[Prepared],
    *,
    settings: IntakeSettings,
    org: routing.Organisation,
    now: datetime,
) -> tuple[list[Outcome], list[dict[str, Any]]]:
    prefix = settings.merge_group_prefix_len
    policy = policy_store.current(db)
    if is_postgres(db):
        lock_merge_neighbourhoods(db, items, settings, prefix, policy)
    known = known_reports(db, items)
    # the incidents of replayed reports, for their answers: one query for the batch
    replayed = _load_incidents(
        db, {prior.incident_id for prior in known.values() if prior.incident_id is not None}
    )
    for p in items:
        if p.category.code and p.lon is not None and p.lat is not None:
            r = p.report
            p.place = places.place_of(
                location=r.location, address=r.address, text=r.text, located=p.located,
                line_offset=p.line_offset_m, lon=p.lon, lat=p.lat, policy=policy,
            )  # fmt: skip
    cells = open_candidates(db, items, settings, prefix, policy)
    outcomes: list[Outcome | None] = [None] * len(items)
    plans: list[_Plan] = []
    in_batch: dict[tuple[str, str], str] = {}
    new_incidents: list[IncidentRecord] = []
    for index, p in enumerate(items):
        r = p.report
        key = (r.channel, r.source_id)
        if key in known:
            prior = known[key]
            if prior.body_hash != p.body_hash:
                outcomes[index] = Outcome(409, error=_reused(r))
            else:
                incident = replayed[prior.incident_id]
                outcomes[index] = Outcome(
                    200,
                    accepted(_ReportRef(prior.id, prior.merged), incident, org, replayed=True),  # type: ignore[arg-type]  # accepted reads only id and merged, which _ReportRef has
                )
            continue
        if key in in_batch:  # the same report twice in one batch: answered after pass two
            if in_batch[key] != p.body_hash:
                outcomes[index] = Outcome(409, error=_reused(r))
            continue
        in_batch[key] = p.body_hash
        code = p.category.code
        group = code[:prefix] if code else None
        started = time.perf_counter()
        decision: merge.MergeDecision | None = None
        place = p.place or merge.NO_PLACE
        if group and p.lon is not None and p.lat is not None:
            incoming = merge.Incoming(code, p.lon, p.lat, r.occurred_at, place)
            near = cells.near(p.lon, p.lat, policy.reach_m(code))  # type: ignore[arg-type]  # only located reports reach here
            decision = merge.choose(incoming, near, policy=policy)
        merge_ms = round((time.perf_counter() - started) * 1000.0, 3)
        if decision is not None and decision.merge:
            target = decision.incident_id
            cells.fold_code(target, code, policy)  # type: ignore[arg-type]  # the code is set for located reports
            # an incident founded earlier in the batch, or (filled in below) a stored one
            founded = new_incidents[-target - 1] if target < 0 else None  # type: ignore[operator]  # a merge decision always names its incident
            plan = _Plan(index, p, founded, decision, merge_ms, False)  # type: ignore[arg-type]  # founded is filled in below when None
        else:
            incident = new_incident(p, settings, now, group, place)
            new_incidents.append(incident)
            stand_in_id = -len(new_incidents)  # until the flush gives it its id: -1, -2, ...
            if group and p.lon is not None and p.lat is not None:
                cells.add(
                    merge.Candidate(stand_in_id, code, p.lon, p.lat, r.occurred_at, (), place)
                )
            plan = _Plan(index, p, incident, decision, merge_ms, True)
        plans.append(plan)
    _fold_merges(db, plans, now, policy)
    for plan in plans:
        if plan.is_new:
            started = time.perf_counter()
            plan.targets = targets_for(plan.incident, org, plan.prepared.local_force)
            plan.route_ms = round((time.perf_counter() - started) * 1000.0, 3)
    _insert_incidents(db, new_incidents)
    report_ids = _insert_reports(db, plans, now)
    written: dict[tuple[str, str], tuple[_ReportRef, IncidentLike]] = {}
    pending: list[PendingEvent] = []
    for plan, report_id in zip(plans, report_ids, strict=True):
        ref = _ReportRef(report_id, not plan.is_new)
        p = plan.prepared
        actor = audit.Actor(p.sender.type, p.sender.id, p.sender.name)
        if plan.is_new:
            _record_found(db, plan, ref, actor, now, pending)
        else:
            _record_merge(db, plan, ref, actor, org, now, pending)
        written[(p.report.channel, p.report.source_id)] = (ref, plan.incident)
    _update_merged(db, plans)
    for plan in plans:
        ref, incident = written[(plan.prepared.report.channel, plan.prepared.report.source_id)]  # type: ignore[assignment]  # either form of incident
        outcomes[plan.index] = Outcome(201, accepted(ref, incident, org))  # type: ignore[arg-type]  # as above: a _ReportRef and an incident of either form
    for index, p in enumerate(items):
        if outcomes[index] is None:  # a repeat within the batch
            ref, incident = written[(p.report.channel, p.report.source_id)]  # type: ignore[assignment]  # either form of incident
            outcomes[index] = Outcome(200, accepted(ref, incident, org, replayed=True))  # type: ignore[arg-type]  # as above
    events = append_events(db, pending, org, now)
    return [o for o in outcomes if o is not None], events


# every column but the location facts, which neither merging nor an answer reads
_LOADED_NAMES = tuple(name for name in INCIDENT_COLUMNS if name != "location")
_INCIDENTS_BY_ID = among(
    lambda id_among: select(*(Incident.__table__.c[name] for name in _LOADED_NAMES)).where(
        id_among
    ),
    (Incident.__table__.c.id, "ids", BigInteger),
)


def _load_incidents(db: Session, ids: set[int]) -> dict[int, IncidentRecord]:
    """Stored incidents as records (the writer updates them itself, ``_update_merged``)."""
    if not ids:
        return {}
    conn = db.connection()
    rows = conn.execute(_INCIDENTS_BY_ID.on(conn), {"ids": sorted(ids)})
    return {r.id: IncidentRecord.from_row(_LOADED_NAMES, r) for r in rows}


def _fold_merges(db: Session, plans: list[_Plan], now: datetime, policy: merge.MergePolicy) -> None:
    """Load every stored incident the batch merges into with one query, then fold each
    report into its incident in arrival order (its figures, and its category into the
    scene's categories)."""
    wanted = {p.decision.incident_id for p in plans if p.incident is None and p.decision}  # type: ignore[union-attr]  # filtered on p.decision
    loaded = _load_incidents(db, wanted)  # type: ignore[arg-type]  # a merge decision always names its incident
    for plan in plans:
        if plan.is_new:
            continue
        if plan.incident is None:
            plan.incident = loaded[plan.decision.incident_id]
        plan.level_change = merge_facts(plan.incident, plan.prepared, now)
        plan.categories_changed = scenes.fold_category(
            plan.incident, plan.prepared.category.code, policy
        )


def _update_merged(db: Session, plans: list[_Plan]) -> None:
    """Write back what merging changed, one executemany UPDATE for the batch (the ORM's
    flush of these was the writer's largest single cost, py-spy)."""
    merged = {plan.incident.id: plan.incident for plan in plans if not plan.is_new}
    rows = [
        {"id": iid, **{c: getattr(incident, c) for c in MERGED_COLUMNS}}
        for iid, incident in merged.items()
    ]
    update_rows(db.connection(), Incident.__table__, rows)


_INCIDENT_ATTRS = [name for name in INCIDENT_COLUMNS if name != "id"]


def _insert_incidents(db: Session, incidents: list[IncidentRecord]) -> None:
    """Insert new incidents (built, never added to the session) and give them their ids."""
    if not incidents:
        return
    table = Incident.__table__
    rows = [{k: getattr(i, k) for k in _INCIDENT_ATTRS} for i in incidents]
    for incident, new_id in zip(
        incidents, insert_with_ids(db.connection(), table, rows), strict=True
    ):
        incident.id = new_id


def _insert_reports(db: Session, plans: list[_Plan], now: datetime) -> list[int]:
    if not plans:
        return []
    rows = []
    for plan in plans:
        p, r = plan.prepared, plan.prepared.report
        rows.append(
            {
                "channel": r.channel,
                "source_id": r.source_id,
                "body_hash": p.body_hash,
                "raw_body": p.raw_body,
                "received_at": now,
                "occurred_at": r.occurred_at,
                "reported_at": r.reported_at,
                "title": r.title,
                "text": r.text,
                "category_code": p.category.code,
                "category_source": p.category.source,
                "category_confidence": p.category.confidence,
                "lon": p.lon,
                "lat": p.lat,
                "input_crs": r.location.crs.value if r.location else None,
                "address": r.address,
                "subdistrict_code": p.subdistrict[0] if p.subdistrict else None,
                "reporter_name": r.reporter.name if r.reporter else "",
                "reporter_phone": r.reporter.phone if r.reporter else "",
                "casualties": r.casualties.model_dump() if r.casualties else {},
                "direct_loss_cny": r.direct_loss_cny,
                "affected_people": r.affected_people,
                "level": p.grade.level,
                "sender_type": p.sender.type,
                "sender_id": p.sender.id,
                "sender_name": p.sender.name,
                "incident_id": plan.incident.id,
                "merged": not plan.is_new,
            }
        )
    return insert_with_ids(db.connection(), Report.__table__, rows)


def _link(
    db: Session,
    incident: IncidentLike,
    report: _ReportRef,
    channel: str,
    now: datetime,
    *,
    distance_m: float | None,
    reason: str,
) -> None:
    """The link of a report to the incident it founded or joined (buffered)."""
    buffered_rows(db, "intake_incident_report").append(
        {
            "incident_id": incident.id,
            "report_id": report.id,
            "channel": channel,
            "merged": report.merged,
            "distance_m": distance_m,
            "reason": reason,
            "linked_at": now,
        }
    )


def _pipeline(
    db: Session, incident: IncidentLike, report: _ReportRef, actor: audit.Actor, now: datetime
) -> Callable[..., None]:
    """A recorder of the report's pipeline steps: the receipt is the sender's, every step after
    it (locating, classifying, grading, the merge decision, screening, routing) the machine's,
    so the timeline tells what the system inferred from what a person did or said."""

    def step(s: Step) -> None:
        by = actor if s.kind == RECEIVED else SYSTEM_ACTOR
        record_pipeline_step(db, incident, s, actor=by, at=now, report_id=report.id)

    return step


def _record_found(
    db: Session,
    plan: _Plan,
    report: _ReportRef,
    actor: audit.Actor,
    now: datetime,
    pending: list[PendingEvent],
) -> None:
    incident, p, decision = plan.incident, plan.prepared, plan.decision
    no_merge = "无类别或坐标，不参与合并"
    _link(db, incident, report, p.report.channel, now, distance_m=None,
          reason=decision.reason if decision else no_merge)  # fmt: skip
    step = _pipeline(db, incident, report, actor, now)
    for s in p.steps:
        step(s)
    step(
        Step(
            "merge_checked",
            "ok",
            plan.merge_ms,
            decision.reason if decision else f"{no_merge}，新建事件",
            decision.reason_en if decision else "no category or position: new incident",
        )
    )
    if incident.trusted:
        screen = Step(
            "screened",
            "skipped",
            0.0,
            f"可信通道（{p.report.channel}），免甄别，直接核实",
            f"trusted channel ({p.report.channel}): screening skipped, verified",
        )
    else:
        screen = Step("screening", "pending", 0.0, "待值班员甄别研判", "awaiting screening")
    step(screen)
    targets = plan.targets or []
    buffer_routes(db, incident, targets, now)
    step(routed_step(targets, plan.route_ms))
    if incident.production_safety and incident.deadlines:
        first = incident.deadlines[0]
        due = deadlines.beijing_text(datetime.fromisoformat(first["due_at"]))
        step(
            Step(
                "deadlines_started",
                "ok",
                0.0,
                f"生产安全事故报告时限开始计时：{first['authority']}"
                f"须于 {due}（北京时间）前收到报告",
                f"reporting clocks started: {first['authority_en']} due {due} Beijing time",
                {"deadlines": incident.deadlines},
            )
        )
    pending.append(
        PendingEvent(
            incident,
            IntakeEvent.CREATED,
            intake_events.Created(report_id=report.id),
            report.id,
            True,
        )
    )


def _record_merge(
    db: Session,
    plan: _Plan,
    report: _ReportRef,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
    pending: list[PendingEvent],
) -> None:
    incident, p, decision = plan.incident, plan.prepared, plan.decision
    assert decision is not None
    # an incident founded earlier in the batch had a stand-in id when the decision was made
    reason = decision.reason.replace(f"#{decision.incident_id}", f"#{incident.id}")
    reason_en = decision.reason_en.replace(f"#{decision.incident_id}", f"#{incident.id}")
    _link(db, incident, report, p.report.channel, now,
          distance_m=decision.distance_m, reason=reason)  # fmt: skip
    step = _pipeline(db, incident, report, actor, now)
    step(p.steps[0])
    step(
        Step(
            "merged",
            "ok",
            plan.merge_ms,
            reason,
            reason_en,
            {"distance_m": decision.distance_m, "time_apart_s": decision.time_apart_s},
        )
    )
    old_level = incident.level
    if plan.level_change is not None:
        old_level, new_level, reasons = plan.level_change
        step(
            Step(
                "level_raised",
                "ok",
                0.0,
                f"合并后定级由 {old_level} 升为 {new_level}：{'；'.join(reasons)}",
                f"level raised from {old_level} to {new_level} by merging",
                {"from": old_level, "to": new_level},
            )
        )
    if plan.categories_changed:
        rest = incident.secondary_codes or []
        step(
            Step(
                "categories_changed",
                "ok",
                0.0,
                f"同一现场的类别：主类 {_display(incident.category_code)}"
                + (f"，次要类别 {'、'.join(_display(c) for c in rest)}" if rest else ""),
                f"scene categories: lead {incident.category_code}"
                + (f", secondary {', '.join(rest)}" if rest else ""),
                {"lead": incident.category_code, "secondary": list(rest)},
            )
        )
    if plan.level_change is not None or plan.categories_changed:
        reroute(db, incident, org, now, report_id=report.id)
    pending.append(
        PendingEvent(
            incident,
            IntakeEvent.MERGED,
            intake_events.Merged(report_id=report.id, level_from=old_level),
            report.id,
            True,
        )
    )


def _display(code: str | None) -> str:
    p = categories.path(code) if code else None
    return p.display if p else (code or "未分类")
