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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, insert, select, text
from sqlalchemy.orm import Session, defer

from yingji.audit import service as audit
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.core.pagination import apply_sort
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


def cell_lock_key(name: str) -> int:
    digest = hashlib.blake2b(f"intake-merge-cell:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


# Above this many cell locks a batch locks its groups whole instead: PostgreSQL's shared lock
# table holds max_locks_per_transaction × max_connections entries (6,400 by default).
MAX_CELL_LOCKS = 256
_LOCK_ALL = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) k")
_LOCK_ALL_SHARED = text(
    "SELECT count(pg_advisory_xact_lock_shared(k)) FROM unnest(CAST(:keys AS bigint[])) k"
)


def _lock_merge_neighbourhoods(
    db: Session, items: list[Prepared], settings: IntakeSettings, prefix: int
) -> None:
    """Take, before reading merge candidates, the locks that keep two processes from founding
    two incidents for one event (PostgreSQL; SQLite has one writer).

    Each batch holds its category groups' locks *shared* and, exclusively, the (group, lock
    cell) locks around its reports (``merge.lock_keys``): two reports that could merge always
    share a cell lock, and batches whose reports are far apart no longer take turns as they
    did with one exclusive lock per group. A batch needing more than ``MAX_CELL_LOCKS`` cells
    takes its groups' locks exclusively instead, which also excludes every cell-locking batch
    of those groups. Locks are taken in one order everywhere (groups, then cells, each sorted,
    then the event lock), so two batches never deadlock. Reports without a position never
    merge and are never candidates: they need no lock.
    """
    groups: set[str] = set()
    cells: set[str] = set()
    for p in items:
        if p.category.code and p.lon is not None and p.lat is not None:
            group = p.category.code[:prefix]
            groups.add(group)
            cells.update(merge.lock_keys(group, p.lon, p.lat, settings.merge_radius_m))
    if not groups:
        return
    group_keys = sorted(group_lock_key(g) for g in groups)
    if len(cells) > MAX_CELL_LOCKS:
        db.execute(_LOCK_ALL, {"keys": group_keys})
        return
    db.execute(_LOCK_ALL_SHARED, {"keys": group_keys})
    db.execute(_LOCK_ALL, {"keys": sorted(cell_lock_key(c) for c in cells)})


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
        subdistricts=org_service.subdistrict_names(db),
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


def _sub_ref(incident: Incident, org: routing.Organisation) -> NamedRef | None:
    code = incident.subdistrict_code
    if not code:
        return None
    return NamedRef(code=code, name=org.subdistricts.get(code, code))


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
        subdistrict=_sub_ref(incident, org),
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
    sub = _sub_ref(incident, org)
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


@dataclass(frozen=True)
class _ReportRef:
    """What an answer needs of a report written with a bulk insert."""

    id: int
    merged: bool


def _buffer(db: Session, name: str) -> list[dict[str, Any]]:
    """Rows of a table collected in this transaction and bulk-inserted by ``append_events``."""
    return db.info.setdefault(name, [])


def _timeline(
    db: Session,
    incident: Incident,
    step: Step,
    *,
    actor: audit.Actor,
    at: datetime,
    report_id: int | None = None,
) -> None:
    _buffer(db, "intake_timeline").append(
        {
            "incident_id": incident.id,
            "report_id": report_id,
            "at": at,
            "kind": step.kind,
            "result": step.result,
            "duration_ms": step.duration_ms,
            "actor_type": actor.type,
            "actor_id": actor.id,
            "actor_name": actor.name,
            "message": step.message[:1000],
            "message_en": step.message_en[:1000],
            "data": step.data,
        }
    )


def _route(
    db: Session,
    incident: Incident,
    org: routing.Organisation,
    local_force: tuple[str, str] | None,
    *,
    existing: set[tuple[str, str]],
    at: datetime,
) -> list[routing.Target]:
    p = categories.path(incident.category_code) if incident.category_code else None
    sub = _sub_ref(incident, org)
    targets = routing.route(
        category_code=incident.category_code,
        category_name=p.display if p else "未分类",
        level=incident.level,
        subdistrict=(sub.code, sub.name) if sub else None,
        local_force=local_force,
        org=org,
    )
    new = [t for t in targets if (t.type, t.code) not in existing]
    rows = _buffer(db, "intake_routing")
    for t in new:
        rows.append(
            {
                "incident_id": incident.id,
                "target_type": t.type,
                "target_code": t.code,
                "target_name": t.name,
                "reason": t.reason,
                "routed_at": at,
            }
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
    p: Prepared, settings: IntakeSettings, now: datetime, group: str | None
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
        merge_key=merge.merge_key(group, p.lon, p.lat)
        if group and p.lon is not None and p.lat is not None
        else None,
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
    return incident


class _Cells:
    """Open incidents of the batch's category groups in square cells of the merge radius, so
    each report compares itself with the incidents of nine cells only."""

    def __init__(self, radius_m: float, lat0: float) -> None:
        self.size_lat = radius_m / 111_000.0
        self.size_lon = self.size_lat / max(0.05, math.cos(math.radians(lat0)))
        self.cells: dict[tuple[str, int, int], list[Any]] = {}

    def _key(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self.size_lon), math.floor(lat / self.size_lat)

    def add(self, group: str, lon: float, lat: float, item: Any) -> None:
        i, j = self._key(lon, lat)
        self.cells.setdefault((group, i, j), []).append(item)

    def near(self, group: str, lon: float, lat: float) -> list[Any]:
        i, j = self._key(lon, lat)
        out: list[Any] = []
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                out.extend(self.cells.get((group, i + di, j + dj), ()))
        return out


def _open_candidates(
    db: Session, items: list[Prepared], settings: IntakeSettings, prefix: int
) -> _Cells:
    """The open incidents that reports of the batch may join, read by their merge keys (an
    indexed column): only the cells around each report, whatever the number of open
    incidents elsewhere in the district."""
    located = [p for p in items if p.category.code and p.lat is not None and p.lon is not None]
    cells = _Cells(settings.merge_radius_m, located[0].lat if located else 36.6)  # type: ignore[arg-type]
    if not located:
        return cells
    window = timedelta(seconds=settings.merge_window_s)
    earliest = min(p.report.occurred_at for p in located) - window
    latest = max(p.report.occurred_at for p in located) + window
    keys: set[str] = set()
    for p in located:
        group = p.category.code[:prefix]  # type: ignore[index]
        keys.update(merge.keys_around(group, p.lon, p.lat, settings.merge_radius_m))  # type: ignore[arg-type]
    table = Incident.__table__
    conn = db.connection()
    ordered = sorted(keys)
    for start in range(0, len(ordered), _KEYS_PER_QUERY):
        stmt = select(
            table.c.id,
            table.c.category_group,
            table.c.category_code,
            table.c.lon,
            table.c.lat,
            table.c.occurred_at,
            table.c.status,
        ).where(
            table.c.merge_key.in_(ordered[start : start + _KEYS_PER_QUERY]),
            table.c.occurred_at >= earliest,
            table.c.occurred_at <= latest,
        )
        # status is checked here, not in SQL: given ``status IN (...)``, SQLite's planner
        # prefers the status index (every open incident) to the merge-key index
        for iid, group, code, lon, lat, occurred, status in conn.execute(stmt):
            if status in _OPEN:
                cells.add(group, lon, lat, merge.Candidate(iid, code, lon, lat, occurred))
    return cells


_OPEN = frozenset(lifecycle.OPEN)
_KEYS_PER_QUERY = 900  # bound parameters per candidate query, well inside every driver's limit


@dataclass
class _Plan:
    """What pass one decided for a report, for pass two to record."""

    index: int
    prepared: Prepared
    incident: Incident
    decision: merge.MergeDecision | None
    merge_ms: float
    is_new: bool
    level_change: tuple[str, str, list[str]] | None = None


def _known_reports(db: Session, items: list[Prepared]) -> dict[tuple[str, str], Any]:
    """Reports already stored under the batch's (channel, source_id) keys: replays.

    One query per channel with ``source_id IN (...)``: the unique index on (channel,
    source_id) serves it on every database, which a row-value ``IN`` does not on SQLite
    (it scanned the whole report table, a cost growing with every report ever taken).
    """
    by_channel: dict[str, set[str]] = {}
    for p in items:
        by_channel.setdefault(p.report.channel, set()).add(p.report.source_id)
    table = Report.__table__
    conn = db.connection()
    known: dict[tuple[str, str], Any] = {}
    for channel, ids in sorted(by_channel.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), _KEYS_PER_QUERY):
            stmt = select(
                table.c.id,
                table.c.channel,
                table.c.source_id,
                table.c.body_hash,
                table.c.incident_id,
                table.c.merged,
            ).where(
                table.c.channel == channel,
                table.c.source_id.in_(ordered[start : start + _KEYS_PER_QUERY]),
            )
            known.update({(r.channel, r.source_id): r for r in conn.execute(stmt)})
    return known


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
    founded earlier in the batch included) and updates the incidents; one flush gives the new
    incidents their ids; pass two bulk-inserts reports, links, timeline, routing and events.
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
    if _is_pg(db):
        _lock_merge_neighbourhoods(db, items, settings, prefix)
    known = _known_reports(db, items)
    cells = _open_candidates(db, items, settings, prefix)
    outcomes: list[Outcome | None] = [None] * len(items)
    plans: list[_Plan] = []
    in_batch: dict[tuple[str, str], str] = {}
    new_incidents: list[Incident] = []
    for index, p in enumerate(items):
        r = p.report
        key = (r.channel, r.source_id)
        if key in known:
            prior = known[key]
            if prior.body_hash != p.body_hash:
                outcomes[index] = Outcome(409, error=_reused(r))
            else:
                incident = db.get(Incident, prior.incident_id, options=[defer(Incident.location)])
                assert incident is not None
                outcomes[index] = Outcome(
                    200, accepted(_ReportRef(prior.id, prior.merged), incident, org, replayed=True)
                )
            continue
        if key in in_batch:  # the same report twice in one batch: answered after pass two
            if in_batch[key] != p.body_hash:
                outcomes[index] = Outcome(409, error=_reused(r))
            continue
        in_batch[key] = p.body_hash
        group = p.category.code[:prefix] if p.category.code else None
        started = time.perf_counter()
        decision: merge.MergeDecision | None = None
        if group and p.lon is not None and p.lat is not None:
            decision = merge.choose(
                merge.Incoming(p.category.code, p.lon, p.lat, r.occurred_at),
                cells.near(group, p.lon, p.lat),
                radius_m=settings.merge_radius_m,
                window_s=settings.merge_window_s,
                group_prefix_len=prefix,
            )  # fmt: skip
        merge_ms = round((time.perf_counter() - started) * 1000.0, 3)
        if decision is not None and decision.merge:
            target = decision.incident_id
            # an incident founded earlier in the batch, or (filled in below) a stored one
            founded = new_incidents[-target - 1] if target < 0 else None  # type: ignore[operator]
            plan = _Plan(index, p, founded, decision, merge_ms, False)  # type: ignore[arg-type]
        else:
            incident = _new_incident(p, settings, now, group)
            db.add(incident)
            new_incidents.append(incident)
            placeholder = -len(new_incidents)  # a new incident's stand-in id within the batch
            if group and p.lon is not None and p.lat is not None:
                cand = merge.Candidate(placeholder, p.category.code, p.lon, p.lat, r.occurred_at)
                cells.add(group, p.lon, p.lat, cand)
            plan = _Plan(index, p, incident, decision, merge_ms, True)
        plans.append(plan)
    _fold_merges(db, plans, now)
    if new_incidents:
        db.flush()
    report_ids = _insert_reports(db, plans, now)
    written: dict[tuple[str, str], tuple[_ReportRef, Incident]] = {}
    pending: list[_PendingEvent] = []
    for plan, report_id in zip(plans, report_ids, strict=True):
        ref = _ReportRef(report_id, not plan.is_new)
        p = plan.prepared
        actor = audit.Actor(p.sender.type, p.sender.id, p.sender.name)
        if plan.is_new:
            _record_found(db, plan, ref, actor, org, now, pending)
        else:
            _record_merge(db, plan, ref, actor, org, now, pending)
        written[(p.report.channel, p.report.source_id)] = (ref, plan.incident)
    for plan in plans:
        ref, incident = written[(plan.prepared.report.channel, plan.prepared.report.source_id)]
        outcomes[plan.index] = Outcome(201, accepted(ref, incident, org))
    for index, p in enumerate(items):
        if outcomes[index] is None:  # a repeat within the batch
            ref, incident = written[(p.report.channel, p.report.source_id)]
            outcomes[index] = Outcome(200, accepted(ref, incident, org, replayed=True))
    events = append_events(db, pending, org, now)
    return [o for o in outcomes if o is not None], events


def _fold_merges(db: Session, plans: list[_Plan], now: datetime) -> None:
    """Load every stored incident the batch merges into with one query, then fold each
    report into its incident in arrival order."""
    wanted = {p.decision.incident_id for p in plans if p.incident is None and p.decision}
    loaded: dict[int, Incident] = {}
    if wanted:
        stmt = select(Incident).where(Incident.id.in_(wanted)).options(defer(Incident.location))
        loaded = {i.id: i for i in db.scalars(stmt)}
    for plan in plans:
        if plan.is_new:
            continue
        if plan.incident is None:
            plan.incident = loaded[plan.decision.incident_id]  # type: ignore[union-attr,index]
        plan.level_change = _merge_facts(plan.incident, plan.prepared, now)


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
    table = Report.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in db.connection().execute(stmt, rows)]


def _record_found(
    db: Session,
    plan: _Plan,
    report: _ReportRef,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
    pending: list[_PendingEvent],
) -> None:
    incident, p, decision = plan.incident, plan.prepared, plan.decision
    _buffer(db, "intake_incident_report").append(
        {
            "incident_id": incident.id,
            "report_id": report.id,
            "channel": p.report.channel,
            "merged": False,
            "distance_m": None,
            "reason": decision.reason if decision else "无类别或坐标，不参与合并",
            "linked_at": now,
        }
    )
    for step in p.steps:
        _timeline(db, incident, step, actor=actor, at=now, report_id=report.id)
    _timeline(
        db,
        incident,
        Step(
            "merge_checked",
            "ok",
            plan.merge_ms,
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
            f"可信通道（{p.report.channel}），免甄别，直接核实",
            f"trusted channel ({p.report.channel}): screening skipped, verified",
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
    if incident.production_safety and incident.deadlines:
        first = incident.deadlines[0]
        _timeline(
            db,
            incident,
            Step(
                "deadlines_started",
                "ok",
                0.0,
                f"生产安全事故报告时限开始计时：{first['authority']}"
                f"须于 {deadlines.beijing_text(datetime.fromisoformat(first['due_at']))}"
                "（北京时间）前收到报告",
                f"reporting clocks started: {first['authority_en']} due "
                f"{deadlines.beijing_text(datetime.fromisoformat(first['due_at']))} Beijing time",
                {"deadlines": incident.deadlines},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
        )
    pending.append(
        _PendingEvent(incident, "incident.created", {"report_id": report.id}, report.id, True)
    )


def _merge_facts(
    incident: Incident, p: Prepared, now: datetime
) -> tuple[str, str, list[str]] | None:
    """Fold a report into an incident: maxima of the figures, the level only rises."""
    facts = _facts(incident).merged(p.facts)
    _set_facts(incident, facts)
    regraded = grading.grade(facts, rule=incident.grading_rule)
    new_level = grading.graver(incident.level, grading.graver(regraded.level, p.grade.level))
    if facts.known():
        incident.needs_assessment = regraded.needs_assessment
    incident.report_count = (incident.report_count or 0) + 1
    channel = p.report.channel
    if channel not in (incident.channels or []):
        incident.channels = [*(incident.channels or []), channel]
    incident.occurred_at = min(incident.occurred_at, p.report.occurred_at)
    incident.last_report_at = now
    incident.updated_at = now
    old = incident.level
    if new_level == old:
        return None
    incident.level = new_level
    if incident.production_safety:
        incident.deadlines = [
            d.as_dict() for d in deadlines.deadlines(incident.created_at, new_level)
        ]
    return old, new_level, regraded.reasons


def _record_merge(
    db: Session,
    plan: _Plan,
    report: _ReportRef,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
    pending: list[_PendingEvent],
) -> None:
    incident, p, decision = plan.incident, plan.prepared, plan.decision
    assert decision is not None
    # an incident founded earlier in the batch had a stand-in id when the decision was made
    reason = decision.reason.replace(f"#{decision.incident_id}", f"#{incident.id}")
    reason_en = decision.reason_en.replace(f"#{decision.incident_id}", f"#{incident.id}")
    _buffer(db, "intake_incident_report").append(
        {
            "incident_id": incident.id,
            "report_id": report.id,
            "channel": p.report.channel,
            "merged": True,
            "distance_m": decision.distance_m,
            "reason": reason,
            "linked_at": now,
        }
    )
    _timeline(db, incident, p.steps[0], actor=actor, at=now, report_id=report.id)
    _timeline(
        db,
        incident,
        Step(
            "merged",
            "ok",
            plan.merge_ms,
            reason,
            reason_en,
            {"distance_m": decision.distance_m, "time_apart_s": decision.time_apart_s},
        ),
        actor=actor,
        at=now,
        report_id=report.id,
    )
    old_level = incident.level
    if plan.level_change is not None:
        old_level, new_level, reasons = plan.level_change
        _timeline(
            db,
            incident,
            Step(
                "level_raised",
                "ok",
                0.0,
                f"合并后定级由 {old_level} 升为 {new_level}：{'；'.join(reasons)}",
                f"level raised from {old_level} to {new_level} by merging",
                {"from": old_level, "to": new_level},
            ),
            actor=SYSTEM_ACTOR,
            at=now,
            report_id=report.id,
        )
        _reroute(db, incident, org, now)
    pending.append(
        _PendingEvent(
            incident,
            "incident.merged",
            {"report_id": report.id, "level_from": old_level},
            report.id,
            True,
        )
    )


def _reroute(db: Session, incident: Incident, org: routing.Organisation, now: datetime) -> None:
    """After a level rise: route to whoever the graver level adds (the committee for I–II)."""
    existing = {
        (t, c)
        for t, c in db.execute(
            select(Routing.target_type, Routing.target_code).where(
                Routing.incident_id == incident.id
            )
        )
    }
    existing |= {
        (row["target_type"], row["target_code"])
        for row in _buffer(db, "intake_routing")
        if row["incident_id"] == incident.id
    }
    lf = next((c for t, c in existing if t == "local_force"), None)
    new = _route(db, incident, org, (lf, "") if lf else None, existing=existing, at=now)
    new = [t for t in new if t.type != "local_force"]
    if new:
        _timeline(db, incident, _routed_step(new, 0.0), actor=SYSTEM_ACTOR, at=now)


def _apply_level(
    db: Session, incident: Incident, level: str, org: routing.Organisation, now: datetime
) -> None:
    """Set a graver level: the deadlines reach higher, and I–II also go to the committee."""
    incident.level = level
    if incident.production_safety:
        incident.deadlines = [d.as_dict() for d in deadlines.deadlines(incident.created_at, level)]
    _reroute(db, incident, org, now)


def append_events(
    db: Session, pending: list[_PendingEvent], org: routing.Organisation, now: datetime
) -> list[dict[str, Any]]:
    """Write what the transaction collected: links, routing, timeline, then the stream events
    last, under the event lock, noting each push on its incident's timeline."""
    db.flush()
    for name, model in (
        ("intake_incident_report", IncidentReport),
        ("intake_routing", Routing),
    ):
        rows = db.info.pop(name, [])
        if rows:
            db.connection().execute(insert(model.__table__), rows)
    events: list[dict[str, Any]] = []
    if pending:
        if _is_pg(db):
            _advisory_lock(db, EVENT_LOCK_KEY)
        rows = [
            {
                "at": now,
                "type": pe.type,
                "incident_id": pe.incident.id,
                "subdistrict_code": pe.incident.subdistrict_code,
                "headquarters_code": pe.incident.headquarters_code,
                "level": pe.incident.level,
                "payload": event_payload(pe.incident, org, **pe.extra),
            }
            for pe in pending
        ]
        ids = [
            row[0]
            for row in db.connection().execute(
                insert(StreamEvent.__table__).returning(
                    StreamEvent.__table__.c.id, sort_by_parameter_order=True
                ),
                rows,
            )
        ]
        for pe, row, event_id in zip(pending, rows, ids, strict=True):
            events.append(
                {
                    "id": event_id,
                    "type": row["type"],
                    "at": now.isoformat(),
                    "incident_id": row["incident_id"],
                    "subdistrict_code": row["subdistrict_code"],
                    "headquarters_code": row["headquarters_code"],
                    "level": row["level"],
                    "payload": row["payload"],
                }
            )
            if pe.timeline:
                _timeline(
                    db,
                    pe.incident,
                    Step(
                        "pushed",
                        "ok",
                        0.0,
                        f"已推送实时事件流（事件 {event_id}）与事件总线",
                        f"pushed to the live stream and bus (event {event_id})",
                        {"event_id": event_id, "type": row["type"]},
                    ),
                    actor=SYSTEM_ACTOR,
                    at=now,
                    report_id=pe.report_id,
                )
    timeline = db.info.pop("intake_timeline", [])
    if timeline:
        db.connection().execute(insert(TimelineEntry.__table__), timeline)
    return events


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
        "subdistrict": _sub_ref(incident, org),
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


# Fields an incident list can be sorted by. Level codes I < II < III < IV sort as text too.
INCIDENT_SORT_FIELDS = {
    "id": Incident.id,
    "level": Incident.level,
    "status": Incident.status,
    "occurred_at": Incident.occurred_at,
    "created_at": Incident.created_at,
    "last_report_at": Incident.last_report_at,
    "report_count": Incident.report_count,
    "subdistrict": Incident.subdistrict_code,
    "category": Incident.category_code,
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
    sort: str | None = None,
) -> Select[tuple[Incident]]:
    stmt = apply_sort(
        select(Incident).order_by(Incident.id.desc()),
        sort,
        INCIDENT_SORT_FIELDS,
        tiebreak=Incident.id,
    )
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
    if to == "closed":
        for check in _close_checks:  # other domains' conditions (command: aftermath listed)
            refusal = check(db, incident.id)
            if refusal is not None:
                raise refusal
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
                + "、".join(
                    f"{d.authority}（应于北京时间 {deadlines.beijing_text(d.due_at)} 前）"
                    for d in late
                ),
                "reporting overdue: "
                + ", ".join(
                    f"{d.authority_en} (due {deadlines.beijing_text(d.due_at)} Beijing time)"
                    for d in late
                ),
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


# ------------------------------------------------------------------ other domains' seams
CloseCheck = Callable[[Session, int], ApiError | None]
_close_checks: list[CloseCheck] = []


def register_close_check(check: CloseCheck) -> None:
    """A condition another domain puts on closing an incident: ``check(db, incident_id)``
    answers None to allow it or the error to refuse with (command: the aftermath must be
    listed once a plan ran). Checked by every move to closed, whichever endpoint asks."""
    if check not in _close_checks:
        _close_checks.append(check)


# ------------------------------------------------------------------ other domains' notes
@dataclass(frozen=True)
class Note:
    """A step another domain records on an incident (a task accepted, a warning issued...).

    ``event_type`` set: the note also goes out on the live stream and the bus, with
    ``event_extra`` merged into the event's payload.
    """

    kind: str
    message: str
    message_en: str
    data: dict[str, Any]
    event_type: str | None = None
    event_extra: dict[str, Any] | None = None
    result: str = "ok"


def annotate(
    db: Session,
    *,
    incident_id: int,
    notes: list[Note],
    actor: audit.Actor,
    now: datetime,
) -> list[dict[str, Any]]:
    """Put other domains' steps on an incident's timeline and stream, in the caller's
    transaction; answers the stream events to publish on the bus after commit."""
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise not_found("事件", "Incident", field="incident_id")
    pending = []
    for n in notes:
        _timeline(
            db,
            incident,
            Step(n.kind, n.result, 0.0, n.message, n.message_en, n.data),
            actor=actor,
            at=now,
        )
        if n.event_type:
            pending.append(_PendingEvent(incident, n.event_type, n.event_extra or {}, None, False))
    return append_events(db, pending, organisation(db), now) if pending else []
