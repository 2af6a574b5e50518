"""Intake and incidents in the database: writing batches of prepared reports (merge, route,
record, emit events), reading incidents, lifecycle moves, level raises, deadlines, events.

Concurrency: on PostgreSQL a batch takes a transaction-scoped advisory lock per category
group it may merge into (sorted, so two processes never deadlock), so two reports of one
event written by two processes at once cannot both found an incident. Every transaction
that writes stream events takes one more lock just before inserting them and holds it to
commit, so event ids are committed in increasing order: a reader that has seen id N has
seen every id below N that will ever exist. SQLite has one writer at a time anyway.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select, text, tuple_
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.intake import categories, deadlines, grading, lifecycle, merge, routing
from yingji.intake.config import IntakeSettings
from yingji.intake.models import (
    Incident,
    IncidentReport,
    Report,
    Routing,
    StreamEvent,
    TimelineEntry,
)
from yingji.intake.prepare import Prepared, Step
from yingji.intake.schemas import (
    CategoryRead,
    IncidentDetail,
    NamedRef,
    ReportAccepted,
    ReportRead,
    RoutingRead,
    TimelineRead,
)
from yingji.org import service as org_service

EVENT_LOCK_KEY = 5_941_320_117_001  # "the event table" (any constant shared by every process)
SYSTEM_ACTOR = audit.SYSTEM


def _is_pg(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def _advisory_lock(db: Session, key: int) -> None:
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def group_lock_key(group: str) -> int:
    digest = hashlib.blake2b(f"intake-merge:{group}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# ------------------------------------------------------------------ organisation snapshot
_org_lock = threading.Lock()
_org_cache: dict[str, tuple[float, routing.Organisation]] = {}
ORG_CACHE_S = 30.0


def organisation(db: Session) -> routing.Organisation:
    """Names and lead departments for routing, cached for ``ORG_CACHE_S`` per database."""
    key = db.get_bind().url.render_as_string(hide_password=True)
    cached = _org_cache.get(key)
    now_s = time.monotonic()
    if cached is not None and now_s - cached[0] < ORG_CACHE_S:
        return cached[1]
    hqs = org_service.list_headquarters(db)
    committee = org_service.get_committee(db)
    org = routing.Organisation(
        headquarters={h.code: (h.name, h.lead_department.code) for h in hqs},
        departments={d.code: d.name for d in org_service.list_departments(db)},
        committee=(committee.code, committee.name) if committee else None,
    )
    with _org_lock:
        _org_cache[key] = (now_s, org)
    return org


def clear_caches() -> None:
    with _org_lock:
        _org_cache.clear()


# ------------------------------------------------------------------ shaping
def category_read(
    code: str | None, confidence: float, low: bool, source: str | None = None
) -> CategoryRead:
    p = categories.path(code) if code else None
    return CategoryRead(
        code=p.code if p else None,
        names=p.names if p else [],
        display=p.display if p else "未分类",
        confidence=confidence,
        low_confidence=low,
        source=source or ("rules" if p else "none"),
    )


def _hq_ref(org: routing.Organisation, code: str | None) -> NamedRef | None:
    if not code:
        return None
    name = org.headquarters.get(code, (code, ""))[0]
    return NamedRef(code=code, name=name)


def _sub_ref(incident: Incident) -> NamedRef | None:
    if not incident.subdistrict_code:
        return None
    return NamedRef(
        code=incident.subdistrict_code,
        name=(incident.location.get("subdistrict") or {}).get("name", incident.subdistrict_code),
    )


def accepted(
    report: Report, incident: Incident, org: routing.Organisation, *, replayed: bool = False
) -> ReportAccepted:
    return ReportAccepted(
        report_id=report.id,
        incident_id=incident.id,
        merged=report.merged,
        replayed=replayed,
        level=incident.level,  # type: ignore[arg-type]
        needs_assessment=incident.needs_assessment,
        status=incident.status,
        category_code=category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
        ),
        subdistrict=_sub_ref(incident),
        headquarters=_hq_ref(org, incident.headquarters_code),
    )


def _facts(incident: Incident) -> grading.Facts:
    return grading.Facts(
        deaths=incident.deaths,
        missing=incident.missing,
        serious_injuries=incident.serious_injuries,
        injuries=incident.injuries,
        trapped=incident.trapped,
        direct_loss_cny=incident.direct_loss_cny,
        affected_people=incident.affected_people,
    )


def _set_facts(incident: Incident, facts: grading.Facts) -> None:
    for k, v in facts.__dict__.items():
        setattr(incident, k, v)


def event_payload(incident: Incident, org: routing.Organisation, **extra: Any) -> dict[str, Any]:
    hq = _hq_ref(org, incident.headquarters_code)
    sub = _sub_ref(incident)
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "level": incident.level,
        "needs_assessment": incident.needs_assessment,
        "category": category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
        ).model_dump(),
        "subdistrict": sub.model_dump() if sub else None,
        "headquarters": hq.model_dump() if hq else None,
        "lon": incident.lon,
        "lat": incident.lat,
        "report_count": incident.report_count,
        "occurred_at": incident.occurred_at.isoformat(),
        "overdue": incident.overdue,
        **extra,
    }


def event_dict(e: StreamEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.type,
        "at": e.at.isoformat(),
        "incident_id": e.incident_id,
        "subdistrict_code": e.subdistrict_code,
        "headquarters_code": e.headquarters_code,
        "level": e.level,
        "payload": e.payload,
    }


# ------------------------------------------------------------------ writing
@dataclass
class Outcome:
    """The answer for one item of a batch: accepted (201), replayed (200) or an error."""

    status: int
    result: ReportAccepted | None = None
    error: ApiError | None = None


@dataclass
class _PendingEvent:
    incident: Incident
    type: str
    extra: dict[str, Any]
    report_id: int | None
    timeline: bool


def _timeline(
    db: Session,
    incident: Incident,
    step: Step,
    *,
    actor: audit.Actor,
    at: datetime,
    report_id: int | None = None,
) -> None:
    db.add(
        TimelineEntry(
            incident_id=incident.id,
            report_id=report_id,
            at=at,
            kind=step.kind,
            result=step.result,
            duration_ms=step.duration_ms,
            actor_type=actor.type,
            actor_id=actor.id,
            actor_name=actor.name,
            message=step.message[:1000],
            message_en=step.message_en[:1000],
            data=step.data,
        )
    )


def _candidates_stmt(p: Prepared, group: str, settings: IntakeSettings) -> Select[tuple[Incident]]:
    assert p.lat is not None and p.lon is not None
    window = timedelta(seconds=settings.merge_window_s)
    occurred = p.report.occurred_at
    dlat = settings.merge_radius_m / 111_000.0 * 1.01
    dlon = dlat / max(0.05, math.cos(math.radians(p.lat)))
    return select(Incident).where(
        Incident.category_group == group,
        Incident.status.in_(lifecycle.OPEN),
        Incident.occurred_at >= occurred - window,
        Incident.occurred_at <= occurred + window,
        Incident.lat.between(p.lat - dlat, p.lat + dlat),
        Incident.lon.between(p.lon - dlon, p.lon + dlon),
    )


def _route(
    db: Session,
    incident: Incident,
    org: routing.Organisation,
    p_local_force: tuple[str, str] | None,
    *,
    existing: set[tuple[str, str]],
    at: datetime,
) -> list[routing.Target]:
    p = categories.path(incident.category_code) if incident.category_code else None
    targets = routing.route(
        category_code=incident.category_code,
        category_name=p.display if p else "未分类",
        level=incident.level,
        subdistrict=(incident.subdistrict_code, _sub_ref(incident).name)  # type: ignore[union-attr]
        if incident.subdistrict_code
        else None,
        local_force=p_local_force,
        org=org,
    )
    new = [t for t in targets if (t.type, t.code) not in existing]
    for t in new:
        db.add(
            Routing(
                incident_id=incident.id,
                target_type=t.type,
                target_code=t.code,
                target_name=t.name,
                reason=t.reason,
                routed_at=at,
            )
        )
    for t in targets:
        if t.type == "headquarters":
            incident.headquarters_code = t.code
    return new


def _routed_step(new: list[routing.Target], duration_ms: float) -> Step:
    names = "、".join(t.name for t in new) or "（无新增）"
    return Step(
        "routed",
        "ok" if new else "skipped",
        duration_ms,
        f"推送至：{names}",
        f"routed to: {', '.join(t.code for t in new) or '(nothing new)'}",
        {"targets": routing.as_dicts(new)},
    )


def _new_incident(
    db: Session, p: Prepared, settings: IntakeSettings, now: datetime, group: str | None
) -> Incident:
    r = p.report
    trusted = r.channel in settings.trusted_channels
    path = p.category_path
    production_safety = bool(path and path.grading_rule == "production_safety")
    incident = Incident(
        title=(r.title.strip() or r.text.strip()[:60])[:200],
        status="verified" if trusted else "reported",
        level=p.grade.level,
        needs_assessment=p.grade.needs_assessment,
        grading_rule=p.grade.rule,
        category_code=p.category.code,
        category_group=group,
        category_confidence=p.category.confidence,
        category_source=p.category.source,
        low_confidence=p.category.low_confidence,
        occurred_at=r.occurred_at,
        created_at=now,
        updated_at=now,
        last_report_at=now,
        lon=p.lon,
        lat=p.lat,
        address=r.address,
        subdistrict_code=p.subdistrict[0] if p.subdistrict else None,
        location=p.located,
        report_count=1,
        channels=[r.channel],
        trusted=trusted,
        production_safety=production_safety,
        deadlines=[d.as_dict() for d in deadlines.deadlines(now, p.grade.level)]
        if production_safety
        else [],
        deadlines_done=[],
        overdue=False,
    )
    _set_facts(incident, p.facts)
    db.add(incident)
    return incident


def write_batch(
    db: Session,
    items: list[Prepared],
    *,
    settings: IntakeSettings,
    org: routing.Organisation,
    now: datetime,
) -> tuple[list[Outcome], list[dict[str, Any]]]:
    """Merge or create, record and route each prepared report in the caller's transaction.

    Returns an outcome per item and the stream events written (publish them after commit).
    """
    pg = _is_pg(db)
    keys = list({(p.report.channel, p.report.source_id) for p in items})
    known: dict[tuple[str, str], Report] = {}
    for chunk in range(0, len(keys), 500):
        stmt = select(Report).where(
            tuple_(Report.channel, Report.source_id).in_(keys[chunk : chunk + 500])
        )
        known.update({(r.channel, r.source_id): r for r in db.scalars(stmt)})
    prefix = settings.merge_group_prefix_len
    if pg:
        groups = sorted({p.category.code[:prefix] for p in items if p.category.code})
        for key in sorted(group_lock_key(g) for g in groups):
            _advisory_lock(db, key)
    outcomes: list[Outcome] = []
    pending: list[_PendingEvent] = []
    for p in items:
        r = p.report
        key = (r.channel, r.source_id)
        actor = audit.Actor(p.sender.type, p.sender.id, p.sender.name)
        if key in known:
            prior = known[key]
            if prior.body_hash != p.body_hash:
                outcomes.append(
                    Outcome(
                        409,
                        error=conflict(
                            "source_id_reused",
                            f"通道 {r.channel} 的 source_id “{r.source_id}” 已用于另一份不同的报告",
                            f"source_id '{r.source_id}' on channel {r.channel} was already "
                            "used for a different report",
                            field="source_id",
                        ),
                    )
                )
                continue
            incident = db.get(Incident, prior.incident_id)
            assert incident is not None
            outcomes.append(Outcome(200, accepted(prior, incident, org, replayed=True)))
            continue
        group = p.category.code[:prefix] if p.category.code else None
        started = time.perf_counter()
        decision: merge.MergeDecision | None = None
        if group and p.lon is not None:
            candidates = [
                merge.Candidate(c.id, c.category_code, c.lon, c.lat, c.occurred_at)
                for c in db.scalars(_candidates_stmt(p, group, settings))
            ]
            decision = merge.choose(
                merge.Incoming(p.category.code, p.lon, p.lat, r.occurred_at),
                candidates,
                radius_m=settings.merge_radius_m,
                window_s=settings.merge_window_s,
                group_prefix_len=prefix,
            )
        merge_ms = round((time.perf_counter() - started) * 1000.0, 3)
        report = Report(
            channel=r.channel,
            source_id=r.source_id,
            body_hash=p.body_hash,
            raw_body=p.raw_body,
            received_at=now,
            occurred_at=r.occurred_at,
            reported_at=r.reported_at,
            title=r.title,
            text=r.text,
            category_code=p.category.code,
            category_source=p.category.source,
            category_confidence=p.category.confidence,
            lon=p.lon,
            lat=p.lat,
            input_crs=r.location.crs.value if r.location else None,
            address=r.address,
            subdistrict_code=p.subdistrict[0] if p.subdistrict else None,
            reporter_name=r.reporter.name if r.reporter else "",
            reporter_phone=r.reporter.phone if r.reporter else "",
            casualties=r.casualties.model_dump() if r.casualties else {},
            direct_loss_cny=r.direct_loss_cny,
            affected_people=r.affected_people,
            level=p.grade.level,
            sender_type=p.sender.type,
            sender_id=p.sender.id,
            sender_name=p.sender.name,
        )
        if decision is not None and decision.merge:
            incident = db.get(Incident, decision.incident_id)
            assert incident is not None
            report.incident_id = incident.id
            report.merged = True
            db.add(report)
            db.flush()
            _merge_into(db, incident, p, report, decision, merge_ms, actor, org, now, pending)
        else:
            incident = _new_incident(db, p, settings, now, group)
            db.flush()
            report.incident_id = incident.id
            db.add(report)
            db.flush()
            _found(db, incident, p, report, decision, merge_ms, actor, org, now, settings, pending)
        known[key] = report
        outcomes.append(Outcome(201, accepted(report, incident, org)))
    events = append_events(db, pending, org, now)
    return outcomes, events


def _found(
    db: Session,
    incident: Incident,
    p: Prepared,
    report: Report,
    decision: merge.MergeDecision | None,
    merge_ms: float,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
    settings: IntakeSettings,
    pending: list[_PendingEvent],
) -> None:
    db.add(
        IncidentReport(
            incident_id=incident.id,
            report_id=report.id,
            channel=report.channel,
            merged=False,
            reason=decision.reason if decision else "无类别或坐标，不参与合并",
            linked_at=now,
        )
    )
    for step in p.steps:
        _timeline(db, incident, step, actor=actor, at=now, report_id=report.id)
    _timeline(
        db,
        incident,
        Step(
            "merge_checked",
            "ok",
            merge_ms,
            decision.reason if decision else "无类别或坐标，不参与合并，新建事件",
            decision.reason_en if decision else "no category or position: new incident",
        ),
        actor=actor,
        at=now,
        report_id=report.id,
    )
    if incident.trusted:
        screen = Step(
            "screened",
            "skipped",
            0.0,
            f"可信通道（{report.channel}），免甄别，直接核实",
            f"trusted channel ({report.channel}): screening skipped, verified",
        )
    else:
        screen = Step("screening", "pending", 0.0, "待值班员甄别研判", "awaiting screening")
    _timeline(db, incident, screen, actor=SYSTEM_ACTOR, at=now, report_id=report.id)
    started = time.perf_counter()
    new = _route(db, incident, org, p.local_force, existing=set(), at=now)
    _timeline(
        db,
        incident,
        _routed_step(new, round((time.perf_counter() - started) * 1000.0, 3)),
        actor=SYSTEM_ACTOR,
        at=now,
    )
    if incident.production_safety:
        first = incident.deadlines[0]
        _timeline(
            db,
            incident,
            Step(
                "deadlines_started",
                "ok",
                0.0,
                f"生产安全事故报告时限开始计时：{first['authority']}"
                f"须于 {first['due_at']} 前收到报告",
                f"reporting clocks started: {first['authority_en']} due {first['due_at']}",
                {"deadlines": incident.deadlines},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
        )
    pending.append(
        _PendingEvent(incident, "incident.created", {"report_id": report.id}, report.id, True)
    )


def _merge_into(
    db: Session,
    incident: Incident,
    p: Prepared,
    report: Report,
    decision: merge.MergeDecision,
    merge_ms: float,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
    pending: list[_PendingEvent],
) -> None:
    db.add(
        IncidentReport(
            incident_id=incident.id,
            report_id=report.id,
            channel=report.channel,
            merged=True,
            distance_m=decision.distance_m,
            reason=decision.reason,
            linked_at=now,
        )
    )
    _timeline(db, incident, p.steps[0], actor=actor, at=now, report_id=report.id)
    _timeline(
        db,
        incident,
        Step(
            "merged",
            "ok",
            merge_ms,
            decision.reason,
            decision.reason_en,
            {"distance_m": decision.distance_m, "time_apart_s": decision.time_apart_s},
        ),
        actor=actor,
        at=now,
        report_id=report.id,
    )
    facts = _facts(incident).merged(p.facts)
    _set_facts(incident, facts)
    regraded = grading.grade(facts, rule=incident.grading_rule)
    new_level = grading.graver(incident.level, grading.graver(regraded.level, p.grade.level))
    if facts.known():
        incident.needs_assessment = regraded.needs_assessment
    incident.report_count += 1
    if report.channel not in incident.channels:
        incident.channels = [*incident.channels, report.channel]
    incident.occurred_at = min(incident.occurred_at, p.report.occurred_at)
    incident.last_report_at = now
    incident.updated_at = now
    old_level = incident.level
    if new_level != old_level:
        _apply_level(db, incident, new_level, org, now)
        _timeline(
            db,
            incident,
            Step(
                "level_raised",
                "ok",
                0.0,
                f"合并后定级由 {old_level} 升为 {new_level}：{'；'.join(regraded.reasons)}",
                f"level raised from {old_level} to {new_level} by merging",
                {"from": old_level, "to": new_level},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
            report_id=report.id,
        )
    pending.append(
        _PendingEvent(
            incident,
            "incident.merged",
            {"report_id": report.id, "level_from": old_level},
            report.id,
            True,
        )
    )


def _apply_level(
    db: Session, incident: Incident, level: str, org: routing.Organisation, now: datetime
) -> None:
    """Set a graver level: the deadlines reach higher, and I–II also go to the committee."""
    incident.level = level
    if incident.production_safety:
        incident.deadlines = [d.as_dict() for d in deadlines.deadlines(incident.created_at, level)]
    existing = {
        (t, c)
        for t, c in db.execute(
            select(Routing.target_type, Routing.target_code).where(
                Routing.incident_id == incident.id
            )
        )
    }
    lf = next((c for t, c in existing if t == "local_force"), None)
    force = (lf, "") if lf else None
    new = _route(db, incident, org, force, existing=existing, at=now)
    new = [t for t in new if t.type != "local_force"]
    if new:
        _timeline(db, incident, _routed_step(new, 0.0), actor=SYSTEM_ACTOR, at=now)


def append_events(
    db: Session, pending: list[_PendingEvent], org: routing.Organisation, now: datetime
) -> list[dict[str, Any]]:
    """Write stream events last, under the event lock, and note the push on each timeline."""
    if not pending:
        return []
    if _is_pg(db):
        _advisory_lock(db, EVENT_LOCK_KEY)
    rows = []
    for pe in pending:
        inc = pe.incident
        rows.append(
            StreamEvent(
                at=now,
                type=pe.type,
                incident_id=inc.id,
                subdistrict_code=inc.subdistrict_code,
                headquarters_code=inc.headquarters_code,
                level=inc.level,
                payload=event_payload(inc, org, **pe.extra),
            )
        )
    db.add_all(rows)
    db.flush()
    for pe, row in zip(pending, rows, strict=True):
        if pe.timeline:
            _timeline(
                db,
                pe.incident,
                Step(
                    "pushed",
                    "ok",
                    0.0,
                    f"已推送实时事件流（事件 {row.id}）与事件总线",
                    f"pushed to the live stream and bus (event {row.id})",
                    {"event_id": row.id, "type": row.type},
                ),
                actor=SYSTEM_ACTOR,
                at=now,
                report_id=pe.report_id,
            )
    return [event_dict(r) for r in rows]


# ------------------------------------------------------------------ reading
def incident_read(incident: Incident, org: routing.Organisation) -> dict[str, Any]:
    return {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "status_name": lifecycle.STATUS_NAMES[incident.status],
        "level": incident.level,
        "needs_assessment": incident.needs_assessment,
        "category": category_read(
            incident.category_code,
            incident.category_confidence,
            incident.low_confidence,
            incident.category_source,
        ),
        "occurred_at": incident.occurred_at,
        "created_at": incident.created_at,
        "updated_at": incident.updated_at,
        "lon": incident.lon,
        "lat": incident.lat,
        "address": incident.address,
        "subdistrict": _sub_ref(incident),
        "location": incident.location,
        "casualties": {
            "deaths": incident.deaths,
            "missing": incident.missing,
            "serious_injuries": incident.serious_injuries,
            "injuries": incident.injuries,
            "trapped": incident.trapped,
        },
        "direct_loss_cny": incident.direct_loss_cny,
        "affected_people": incident.affected_people,
        "report_count": incident.report_count,
        "channels": incident.channels,
        "headquarters": _hq_ref(org, incident.headquarters_code),
        "trusted": incident.trusted,
        "production_safety": incident.production_safety,
        "deadlines": incident.deadlines,
        "deadlines_done": incident.deadlines_done,
        "overdue": incident.overdue,
        "next_statuses": lifecycle.allowed_next(incident.status),
    }


def list_stmt(
    *,
    status: list[str] | None = None,
    level: list[str] | None = None,
    category: str | None = None,
    subdistrict: str | None = None,
    headquarters: str | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[tuple[Incident]]:
    stmt = select(Incident).order_by(Incident.id.desc())
    if status:
        stmt = stmt.where(Incident.status.in_(status))
    if level:
        stmt = stmt.where(Incident.level.in_(level))
    if category:
        stmt = stmt.where(
            Incident.category_code.startswith(
                categories.normalise(category).rstrip("0") or category
            )
        )
    if subdistrict:
        stmt = stmt.where(Incident.subdistrict_code == subdistrict)
    if headquarters:
        stmt = stmt.where(Incident.headquarters_code == headquarters)
    if channel:
        stmt = stmt.where(
            select(IncidentReport.id)
            .where(IncidentReport.incident_id == Incident.id, IncidentReport.channel == channel)
            .exists()
        )
    if since:
        stmt = stmt.where(Incident.occurred_at >= since)
    if until:
        stmt = stmt.where(Incident.occurred_at < until)
    return stmt


def get_incident(db: Session, incident_id: int, *, territory: str | None) -> Incident:
    incident = db.get(Incident, incident_id)
    if incident is None or (territory is not None and incident.subdistrict_code != territory):
        raise not_found("事件", "Incident", field="id")
    return incident


def incident_detail(db: Session, incident: Incident, org: routing.Organisation) -> IncidentDetail:
    reports = db.scalars(
        select(Report).where(Report.incident_id == incident.id).order_by(Report.id)
    )
    timeline = db.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id)
        .order_by(TimelineEntry.id)
    )
    routes = db.scalars(
        select(Routing).where(Routing.incident_id == incident.id).order_by(Routing.id)
    )
    return IncidentDetail(
        **incident_read(incident, org),
        reports=[
            ReportRead(
                id=r.id,
                channel=r.channel,
                source_id=r.source_id,
                received_at=r.received_at,
                occurred_at=r.occurred_at,
                reported_at=r.reported_at,
                title=r.title,
                text=r.text,
                category_code=r.category_code,
                lon=r.lon,
                lat=r.lat,
                address=r.address,
                reporter={"name": r.reporter_name, "phone": r.reporter_phone},
                casualties=r.casualties,
                direct_loss_cny=r.direct_loss_cny,
                merged=r.merged,
                raw_body=r.raw_body,
            )
            for r in reports
        ],
        timeline=[
            TimelineRead(
                id=t.id,
                at=t.at,
                kind=t.kind,
                result=t.result,
                duration_ms=t.duration_ms,
                actor={"type": t.actor_type, "id": t.actor_id, "name": t.actor_name},
                report_id=t.report_id,
                message=t.message,
                message_en=t.message_en,
                data=t.data,
            )
            for t in timeline
        ],
        routing=[
            RoutingRead(
                target_type=r.target_type,
                target_code=r.target_code,
                target_name=r.target_name,
                reason=r.reason,
                routed_at=r.routed_at,
            )
            for r in routes
        ],
    )


# ------------------------------------------------------------------ changing incidents
def transition(
    db: Session,
    *,
    incident: Incident,
    to: str,
    reason: str,
    actor: audit.Actor,
    role: Any,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Move an incident to another status (audited, on the timeline, on the stream)."""
    problem = lifecycle.check(incident.status, to, role)
    if problem == "illegal_transition":
        allowed = "、".join(lifecycle.allowed_next(incident.status)) or "（无，已终结）"
        raise conflict(
            "illegal_transition",
            f"事件状态不能从“{lifecycle.STATUS_NAMES[incident.status]}”变为"
            f"“{lifecycle.STATUS_NAMES.get(to, to)}”；可变为：{allowed}",
            f"An incident cannot go from {incident.status} to {to}; allowed: "
            f"{', '.join(lifecycle.allowed_next(incident.status)) or 'none (final)'}",
            field="to",
        )
    if problem == "role_not_allowed":
        raise forbidden(
            f"您的角色无权将事件改为“{lifecycle.STATUS_NAMES.get(to, to)}”",
            f"Your role may not move an incident to {to}",
        )
    if problem:
        raise invalid("to", f"未知状态：{to}", f"Unknown status: {to}")
    before = audit.snapshot(incident)
    old = incident.status
    incident.status = to
    incident.updated_at = now
    audit.record(
        db,
        actor=actor,
        action=f"status:{to}",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=reason or None,
    )
    kind = "screened" if old == "reported" else "status_changed"
    _timeline(
        db,
        incident,
        Step(
            kind,
            "ok",
            0.0,
            f"{actor.name}：{lifecycle.STATUS_NAMES[old]} → {lifecycle.STATUS_NAMES[to]}"
            + (f"（{reason}）" if reason else ""),
            f"{actor.name}: {old} → {to}" + (f" ({reason})" if reason else ""),
            {"from": old, "to": to, "reason": reason},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db, [_PendingEvent(incident, "incident.status", {"from": old}, None, False)], org, now
    )


def raise_level(
    db: Session,
    *,
    incident: Incident,
    level: str,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Raise the level by hand, with a reason; lowering is refused."""
    if incident.status in lifecycle.TERMINAL:
        raise conflict(
            "incident_closed", "事件已终结，不能调整级别", "The incident is closed", field="level"
        )
    if grading.rank(level) >= grading.rank(incident.level):
        raise conflict(
            "level_not_higher",
            f"只能升级：当前 {incident.level} 级，请求 {level} 级",
            f"The level can only be raised: it is {incident.level}, {level} asked",
            field="level",
        )
    before = audit.snapshot(incident)
    old = incident.level
    _apply_level(db, incident, level, org, now)
    incident.needs_assessment = False
    incident.updated_at = now
    audit.record(
        db,
        actor=actor,
        action="level_raise",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=reason,
    )
    _timeline(
        db,
        incident,
        Step(
            "level_raised",
            "ok",
            0.0,
            f"{actor.name} 将级别由 {old} 升为 {level}：{reason}",
            f"{actor.name} raised the level from {old} to {level}: {reason}",
            {"from": old, "to": level, "reason": reason},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db, [_PendingEvent(incident, "incident.level", {"level_from": old}, None, False)], org, now
    )


def deadline_done(
    db: Session,
    *,
    incident: Incident,
    step: str,
    note: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> list[dict[str, Any]]:
    """Record that a statutory report was made."""
    steps = [d["step"] for d in incident.deadlines]
    if step not in steps:
        raise conflict(
            "no_such_deadline",
            f"该事件没有“{step}”报告时限",
            f"The incident has no '{step}' reporting deadline",
            field="step",
        )
    if step in incident.deadlines_done:
        raise conflict(
            "deadline_already_done", "该报告已记录", "This report is already recorded", "step"
        )
    before = audit.snapshot(incident)
    incident.deadlines_done = [*incident.deadlines_done, step]
    incident.overdue = bool(_overdue(incident, now))
    incident.updated_at = now
    audit.record(
        db,
        actor=actor,
        action="deadline_done",
        object_type="incident",
        object_id=incident.id,
        before=before,
        after=audit.snapshot(incident),
        reason=note or None,
    )
    d = next(x for x in incident.deadlines if x["step"] == step)
    late = now > datetime.fromisoformat(d["due_at"])
    _timeline(
        db,
        incident,
        Step(
            "deadline_reported",
            "late" if late else "ok",
            0.0,
            f"已向{d['authority']}报告" + ("（已超时）" if late else ""),
            f"reported to the {d['authority_en']}" + (" (late)" if late else ""),
            {"step": step, "due_at": d["due_at"], "note": note},
        ),
        actor=actor,
        at=now,
    )
    return append_events(
        db, [_PendingEvent(incident, "incident.deadline", {"step": step}, None, False)], org, now
    )


def _overdue(incident: Incident, now: datetime) -> list[deadlines.Deadline]:
    items = [
        deadlines.Deadline(
            d["step"], d["authority"], d["authority_en"], datetime.fromisoformat(d["due_at"])
        )
        for d in incident.deadlines
    ]
    return deadlines.overdue(items, done=set(incident.deadlines_done), now=now)


def flag_overdue(db: Session, *, org: routing.Organisation, now: datetime) -> list[dict[str, Any]]:
    """Flag open production-safety incidents whose reporting deadline has passed (a timer)."""
    stmt = select(Incident).where(
        Incident.production_safety.is_(True),
        Incident.overdue.is_(False),
        Incident.status.in_(lifecycle.OPEN),
    )
    pending = []
    for incident in db.scalars(stmt):
        late = _overdue(incident, now)
        if not late:
            continue
        incident.overdue = True
        incident.updated_at = now
        _timeline(
            db,
            incident,
            Step(
                "deadline_overdue",
                "overdue",
                0.0,
                "报告超时："
                + "、".join(f"{d.authority}（应于 {d.due_at.isoformat()} 前）" for d in late),
                "reporting overdue: " + ", ".join(d.authority_en for d in late),
                {"steps": [d.step for d in late]},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
        )
        pending.append(
            _PendingEvent(
                incident, "incident.overdue", {"steps": [d.step for d in late]}, None, False
            )
        )
    return append_events(db, pending, org, now)


# ------------------------------------------------------------------ events
def read_events(
    db: Session,
    *,
    after_id: int,
    limit: int = 500,
    subdistrict: str | None = None,
    headquarters: str | None = None,
    levels: list[str] | None = None,
) -> list[dict[str, Any]]:
    stmt = select(StreamEvent).where(StreamEvent.id > after_id).order_by(StreamEvent.id)
    if subdistrict:
        stmt = stmt.where(StreamEvent.subdistrict_code == subdistrict)
    if headquarters:
        stmt = stmt.where(StreamEvent.headquarters_code == headquarters)
    if levels:
        stmt = stmt.where(StreamEvent.level.in_(levels))
    return [event_dict(e) for e in db.scalars(stmt.limit(limit))]


def last_event_id(db: Session) -> int:
    return int(db.scalar(select(func.max(StreamEvent.id))) or 0)


def count_reports(db: Session) -> int:
    return int(db.scalar(select(func.count(Report.id))) or 0)
