"""A duty officer's corrections of the machine (甄别研判): merge incidents, split a report out
into a new incident or move it to another, re-classify, re-locate.

Each checks everything before it changes anything (bad input: the platform's one error
shape, nothing written), then in the caller's transaction moves the rows, recounts the
incidents touched (:mod:`~yingji.intake.recount`, the one place), routes them again
(``routing_rows.route_again``: the parties that lose an incident and those that gain it
each get a stream event under their own codes), audits with who and why, puts typed entries
on the timelines, writes the stream events and keeps the correction as a labelled example
(``Correction``, exported by :mod:`~yingji.intake.correction_export`).

Concurrency. The intake writer merges reports into incidents under PostgreSQL advisory locks
on their category groups (held shared) and merge cells (``locks``). A correction takes the
groups of every incident it touches exclusively, which waits out every writer batch of
those groups and keeps new ones out until it commits, then locks the incidents' rows
(``FOR UPDATE``, in id order) and reads them again. Two corrections of the same incidents
therefore run one after the other: a merge of A into B racing a merge of B into A finds,
second, that B (or A) is already merged and is refused — one wins, no cycle. SQLite has
one writer at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import ApiError, conflict, invalid, not_found
from yingji.geo.transform import Crs
from yingji.grid import service as grid_service
from yingji.intake import (
    categories,
    deadlines,
    grading,
    lifecycle,
    merge,
    merge_followers,
    places,
    policy_store,
    routing,
    scenes,
)
from yingji.intake.config import IntakeSettings, get_intake_settings
from yingji.intake.events import IntakeEvent
from yingji.intake.facts import set_facts, sync_deadline_due
from yingji.intake.journal import SYSTEM_ACTOR, PendingEvent, append_events, record_step
from yingji.intake.locks import group_lock_key, is_postgres, lock_groups, writer_group
from yingji.intake.models import (
    INCIDENT_COLUMNS,
    Correction,
    Incident,
    IncidentRecord,
    IncidentReport,
    Report,
    TimelineEntry,
)
from yingji.intake.prepare import Step, match_address
from yingji.intake.recount import (
    ReportFacts,
    facts_of,
    leading_position,
    recount,
    scene_codes,
)
from yingji.intake.routing_rows import (
    buffer_routes,
    route_again,
    routed_step,
    targets_for,
    withdraw_all,
)
from yingji.intake.schemas import Location
from yingji.intake.shapes import subdistrict_ref

# Stream event types of corrections (the existing ``incident.merged`` is a report merging in)
COMBINED = IntakeEvent.COMBINED
MERGED_AWAY = IntakeEvent.MERGED_AWAY
SPLIT = IntakeEvent.SPLIT
REPORT_MOVED = IntakeEvent.REPORT_MOVED
RECLASSIFIED = IntakeEvent.RECLASSIFIED
RELOCATED = IntakeEvent.RELOCATED
ROUTING_WITHDRAWN = IntakeEvent.ROUTING_WITHDRAWN
CREATED = IntakeEvent.CREATED

KINDS = ("merge", "split", "move", "reclassify", "relocate")
KIND_NAMES = {
    "merge": "合并",
    "split": "拆分",
    "move": "移动报告",
    "reclassify": "重新分类",
    "relocate": "重新定位",
}
OFFICER_SOURCE = "officer"  # category_source of a category a duty officer set
MANUAL_LOCATION = "manual"  # location["source"] of a position a duty officer set


@dataclass
class Corrected:
    """A correction's result: the incident the reports are in now, the others it changed."""

    incident: Incident
    others: list[Incident]
    correction: Correction
    events: list[dict[str, Any]] = field(default_factory=list)


# ------------------------------------------------------------------ checks and locks
def _refuse_closed(incident: Incident, field_name: str) -> None:
    if incident.status == "merged":
        raise conflict(
            "incident_merged",
            f"事件 #{incident.id} 已并入事件 #{incident.merged_into_id}",
            f"Incident #{incident.id} was merged into #{incident.merged_into_id}",
            field=field_name,
        )
    if incident.status in lifecycle.TERMINAL:
        raise conflict(
            "incident_closed",
            f"事件 #{incident.id} 已{lifecycle.STATUS_NAMES[incident.status]}，不能更正",
            f"Incident #{incident.id} is {incident.status}: it cannot be corrected",
            field=field_name,
        )


def _load(db: Session, ids: Iterable[int], field_name: str) -> dict[int, Incident]:
    wanted = sorted(set(ids))
    found = {i.id: i for i in db.scalars(select(Incident).where(Incident.id.in_(wanted)))}
    for iid in wanted:
        if iid not in found:
            raise not_found(f"事件 #{iid}", f"Incident #{iid}", field=field_name)
    return found


def _lock(
    db: Session, ids: Iterable[int], *, extra_codes: Iterable[str] = (), field_name: str
) -> dict[int, Incident]:
    """The incidents, read again under the locks that keep the writer and other corrections
    out (PostgreSQL: the merge groups the writer locks for them, exclusively, then their rows
    in id order). ``extra_codes``: categories the correction gives them (re-classify)."""
    wanted = sorted(set(ids))
    incidents = _load(db, wanted, field_name)
    if not is_postgres(db):
        return incidents

    def groups(found: Iterable[Incident]) -> set[str]:
        codes = {i.category_code for i in found if i.category_code} | set(extra_codes)
        return {writer_group(c, _PREFIX) for c in codes}

    held: set[int] = set()
    wanted_groups = groups(incidents.values())
    while True:
        held = lock_groups(db, wanted_groups, held)
        stmt = (
            select(Incident)
            .where(Incident.id.in_(wanted))
            .order_by(Incident.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        incidents = {i.id: i for i in db.scalars(stmt)}
        now_groups = groups(incidents.values())
        if {group_lock_key(g) for g in now_groups} <= held:
            return incidents
        wanted_groups |= now_groups  # re-classified meanwhile: lock its new group too


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise invalid("reason", "须填写更正理由", "A reason is required", code="reason_required")
    return text


# ------------------------------------------------------------------ reading reports
def _reports(db: Session, incident_id: int) -> list[Report]:
    return list(
        db.scalars(select(Report).where(Report.incident_id == incident_id).order_by(Report.id))
    )


def _facts(r: Report) -> ReportFacts:
    return ReportFacts(
        id=r.id,
        occurred_at=r.occurred_at,
        channel=r.channel,
        level=r.level,
        facts=facts_of(r.casualties, r.direct_loss_cny, r.affected_people),
        category_code=r.category_code,
        category_source=r.category_source,
        category_confidence=r.category_confidence,
        lon=r.lon,
        lat=r.lat,
    )


def _stated_location(raw_body: str) -> Location | None:
    """The location a report stated (its accuracy and source), from the body as received."""
    try:
        loc = json.loads(raw_body).get("location")
        return Location.model_validate(loc) if loc else None
    except (ValueError, AttributeError):  # a body the intake accepted parses; old rows may not
        return None


def _report_count(db: Session, incident_id: int) -> int:
    return int(
        db.scalar(select(func.count(Report.id)).where(Report.incident_id == incident_id)) or 0
    )


# ------------------------------------------------------------------ recounting
def _step(kind: str, zh: str, en: str, data: dict[str, Any], result: str = "ok") -> Step:
    return Step(kind, result, 0.0, zh, en, data)


def _set_level(incident: Incident, level: str) -> None:
    """A new level; production-safety clocks reach higher when it is graver (they are never
    taken back once started: a report already due stays due)."""
    graver = grading.rank(level) < grading.rank(incident.level)
    incident.level = level
    if incident.production_safety and graver:
        incident.deadlines = [d.as_dict() for d in deadlines.deadlines(incident.created_at, level)]
        sync_deadline_due(incident)


def _recount(
    db: Session,
    incident: Incident,
    *,
    actor: audit.Actor,
    now: datetime,
    rise_only: bool,
    org: routing.Organisation,
    at_least: grading.Facts | None = None,
    recategorise: bool = True,
) -> None:
    """Recount the incident from the reports it holds now (flushed), and say on the timeline
    when its level changed and why; ``rise_only`` (reports came in): it never falls.
    ``recategorise``: its categories follow the reports too (a merge sets them itself)."""
    db.flush()
    rows = _reports(db, incident.id)
    reports = [_facts(r) for r in rows]
    rc = recount(
        reports, grading_rule=incident.grading_rule, floor=incident.level_floor, at_least=at_least
    )
    set_facts(incident, rc.facts)
    incident.report_count = rc.report_count
    incident.channels = rc.channels
    incident.occurred_at = rc.occurred_at
    if rc.facts.known():
        incident.needs_assessment = rc.needs_assessment
    level = grading.graver(rc.level, incident.level) if rise_only else rc.level
    if level != incident.level:
        old = incident.level
        _set_level(incident, level)
        rose = grading.rank(level) < grading.rank(old)
        why = "；".join(rc.reasons)
        record_step(
            db,
            incident,
            _step(
                "level_raised" if rose else "level_lowered",
                f"更正后定级由 {old} {'升' if rose else '降'}为 {level}：{why}",
                f"level {'raised' if rose else 'lowered'} from {old} to {level} by the correction",
                {"from": old, "to": level, "reasons": rc.reasons},
            ),
            actor=actor,
            at=now,
        )
    plan = scene_codes(reports, current=incident.category_code,
                       secondary=incident.secondary_codes or [],
                       source=incident.category_source) if recategorise else None  # fmt: skip
    if plan is not None:
        codes, officer_lead = plan
        donors = [(r.category_code, r.category_source, r.category_confidence, None)
                  for r in sorted(reports, key=lambda x: (x.occurred_at, x.id))]  # fmt: skip
        _set_codes(db, incident, codes, lead=officer_lead, donors=donors, org=org, actor=actor,
                   now=now)  # fmt: skip
    manual = (incident.location or {}).get("source") == MANUAL_LOCATION
    current = (incident.lon, incident.lat) if incident.lon is not None else None
    position = leading_position(reports, current=current, manual=manual)  # type: ignore[arg-type]  # lon is set whenever lat is (one position)
    if position is not None and position != current:
        at = next((r for r in rows if (r.lon, r.lat) == position), None)
        _place(db, incident, position[0], position[1], Crs.wgs84, manual=False,
               address=at.address if at else "", text=at.text if at else "",
               location=_stated_location(at.raw_body) if at else None)  # fmt: skip


def _group(code: str | None, prefix: int) -> str | None:
    return code[:prefix] if code else None


_PREFIX = get_intake_settings().merge_group_prefix_len  # as the writer groups (YINGJI_INTAKE_)


def _set_category(incident: Incident, code: str | None, source: str, confidence: float) -> None:
    """Set the leading category and what follows from it: merge group and key, grading
    rule, production-safety clocks (started when it becomes one, from the incident's
    creation, as for a report; dropped when it no longer is)."""
    incident.category_code = code
    incident.category_source = source
    incident.category_confidence = confidence
    incident.low_confidence = False if source == OFFICER_SOURCE else incident.low_confidence
    if source == OFFICER_SOURCE:
        incident.category_matched = []  # the officer decided, not the classifier's words
    path = categories.path(code) if code else None
    incident.grading_rule = path.grading_rule if path else "general"
    incident.category_group = _group(code, _PREFIX)
    _set_merge_key(incident)
    production_safety = bool(path and path.grading_rule == "production_safety")
    if production_safety and not incident.production_safety:
        incident.deadlines = [
            d.as_dict() for d in deadlines.deadlines(incident.created_at, incident.level)
        ]
    elif not production_safety:
        incident.deadlines = []
    incident.production_safety = production_safety
    sync_deadline_due(incident)


Donor = tuple[str | None, str, float, list[str] | None]  # code, source, confidence, matched


def _set_codes(
    db: Session,
    incident: Incident,
    codes: Sequence[str | None],
    *,
    lead: str | None,
    donors: Sequence[Donor],
    org: routing.Organisation,
    actor: audit.Actor,
    now: datetime,
) -> None:
    """Give the incident these categories through ``scenes.set_categories`` (the gravest leads,
    or ``lead``, the officer's choice; the others stay secondary and each routes to its
    department), then, when the lead changed, what follows from the lead (grading rule,
    production-safety clocks, source and confidence of whoever classified it: the first of
    ``donors`` with that code)."""
    old_lead = incident.category_code
    scenes.set_categories(db, incident, codes, policy=policy_store.current(db), org=org,
                          now=now, actor=actor, lead=lead, route=False)  # fmt: skip
    new_lead = incident.category_code
    if new_lead == old_lead:
        return
    donor = next((d for d in donors if d[0] == new_lead), None)
    if donor is None:
        return
    _set_category(incident, new_lead, donor[1], donor[2])
    if donor[3] is not None:
        incident.category_matched = list(donor[3])


def _set_merge_key(incident: Incident) -> None:
    group = incident.category_group
    incident.merge_key = (
        merge.merge_key(group, incident.lon, incident.lat)
        if group and incident.lon is not None and incident.lat is not None
        else None
    )


def _place(
    db: Session,
    incident: Incident,
    lon: float,
    lat: float,
    crs: Crs,
    *,
    manual: bool,
    address: str = "",
    text: str = "",
    location: Any = None,
) -> dict[str, Any]:
    """Locate a position in the grid (the grid's own errors: outside the district, swapped
    coordinates) and put the incident there: sub-district, grid, merge key and the evidence
    of place later reports are compared with (``places.place_of``) follow.

    ``address``/``text``/``location``: what names the new place — the officer's address (a
    pick on the map is precise; without an address the explicit place is cleared, since the
    old address no longer says where the incident is), or the report the incident now stands
    at (its words and stated accuracy)."""
    pos = grid_service.find(db, lon=lon, lat=lat, crs=crs)
    located = grid_service.located_facts(pos)
    if manual:
        located["source"] = MANUAL_LOCATION
    incident.lon = located["wgs84"]["lon"]
    incident.lat = located["wgs84"]["lat"]
    incident.subdistrict_code = located["subdistrict"]["code"]
    incident.location = located
    _set_merge_key(incident)
    line_hit = pos.found.line
    offset = (
        places.line_offset_m(line_hit.line.geometry, pos.wgs_lon, pos.wgs_lat)
        if line_hit is not None and line_hit.distance_m <= places.MAX_LINE_SNAP_M
        else None
    )
    place = places.place_of(
        location=None if manual else location, address=address, text=text, located=located,
        line_offset=offset, lon=incident.lon, lat=incident.lat, policy=policy_store.current(db),
    )  # fmt: skip
    incident.accuracy_m = place.accuracy_m or None
    incident.grid_point_code = place.point_code
    incident.line_code = place.line_code
    incident.line_offset_m = place.line_offset_m
    incident.place_key = place.place_key
    return located


def _route(
    db: Session,
    incident: Incident,
    *,
    old_codes: tuple[str | None, str | None],
    org: routing.Organisation,
    actor: audit.Actor,
    now: datetime,
    pending: list[PendingEvent],
) -> dict[str, Any]:
    """Route again; the parties that lose the incident are told under their own codes (a
    headquarters' or a sub-district's filtered stream hears it). Answers the change."""
    gained, lost = route_again(db, incident, org, now)
    change = {
        "gained": routing.as_dicts(gained),
        "lost": [
            {"type": r.target_type, "code": r.target_code, "name": r.target_name} for r in lost
        ],
    }
    if gained or lost:
        zh = "重新推送：" + "；".join(
            x
            for x in (
                "新增 " + "、".join(t.name for t in gained) if gained else "",
                "撤回 " + "、".join(r.target_name for r in lost) if lost else "",
            )
            if x
        )
        en = (
            f"routed again: gained {', '.join(t.code for t in gained) or 'none'}; "
            f"withdrawn from {', '.join(r.target_code for r in lost) or 'none'}"
        )
        record_step(db, incident, _step("rerouted", zh, en, change), actor=SYSTEM_ACTOR, at=now)
    old_hq, old_sub = old_codes
    if lost and (old_hq != incident.headquarters_code or old_sub != incident.subdistrict_code):
        pending.append(PendingEvent(_as_was(incident, old_hq, old_sub), ROUTING_WITHDRAWN,
                                    {"routing": change}, None, False))  # fmt: skip
    return change


def _as_was(incident: Incident, hq: str | None, sub: str | None) -> IncidentRecord:
    """The incident under the codes it had: the stream event to the parties that lost it."""
    record = IncidentRecord(**{c: getattr(incident, c) for c in INCIDENT_COLUMNS})
    record.headquarters_code = hq
    record.subdistrict_code = sub
    return record


def _record(
    db: Session,
    *,
    kind: str,
    actor: audit.Actor,
    reason: str,
    incident: Incident,
    incident_ids: list[int],
    report_ids: list[int],
    data: dict[str, Any],
    now: datetime,
) -> Correction:
    correction = Correction(
        at=now, kind=kind, actor_type=actor.type, actor_id=actor.id, actor_name=actor.name,
        reason=reason, incident_id=incident.id, incident_ids=incident_ids,
        report_ids=report_ids, data=data,
    )  # fmt: skip
    db.add(correction)
    db.flush()
    return correction


def _audit(
    db: Session, actor: audit.Actor, action: str, incident: Incident,
    before: dict[str, Any], reason: str,
) -> None:  # fmt: skip
    audit.record(
        db, actor=actor, action=action, object_type="incident", object_id=incident.id,
        before=before, after=audit.snapshot(incident), reason=reason,
    )  # fmt: skip


# ------------------------------------------------------------------ merge
def merge_incidents(
    db: Session,
    *,
    lead_id: int,
    incident_ids: list[int],
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> Corrected:
    """Merge incidents into the lead the officer picked: reports, timeline and (through the
    followers) tasks, warnings and consultation follow the lead; the lead's figures are the
    maxima (never a sum), its level only rises; the others are kept, status ``merged``,
    pointing at the lead."""
    reason = _reason(reason)
    if len(incident_ids) < 2:
        raise invalid(
            "incident_ids",
            "合并至少需要两个事件",
            "A merge needs at least two incidents",
            code="merge_too_few",
        )
    if lead_id not in incident_ids:
        raise invalid(
            "lead_id",
            "主事件须是待合并事件之一",
            "The lead must be one of the incidents merged",
            code="lead_not_listed",
        )
    if len(set(incident_ids)) < len(incident_ids):
        repeated = sorted({i for i in incident_ids if incident_ids.count(i) > 1})
        if repeated == [lead_id] and len(set(incident_ids)) == 1:
            raise invalid(
                "incident_ids",
                f"不能将事件 #{lead_id} 合并到它自身",
                f"Incident #{lead_id} cannot be merged into itself",
                code="merge_into_self",
            )
        raise invalid(
            "incident_ids",
            f"事件重复列出：{'、'.join(f'#{i}' for i in repeated)}",
            f"Incidents listed twice: {', '.join(f'#{i}' for i in repeated)}",
            code="merge_into_self" if lead_id in repeated else "duplicate_incident",
        )
    incidents = _lock(db, incident_ids, field_name="incident_ids")
    lead = incidents[lead_id]
    _refuse_closed(lead, "lead_id")
    others = [incidents[i] for i in sorted(set(incident_ids) - {lead_id})]
    for o in others:
        _refuse_closed(o, "incident_ids")
    ids = [lead_id, *(o.id for o in others)]
    for follower in merge_followers.followers():
        refusal = follower.refusal(db, ids)
        if refusal is not None:
            raise refusal
    before = {i.id: audit.snapshot(i) for i in incidents.values()}
    merged_ids = [o.id for o in others]
    reports_of: dict[int, list[int]] = {i: [] for i in merged_ids}
    for rid, iid in db.execute(
        select(Report.id, Report.incident_id)
        .where(Report.incident_id.in_(merged_ids))
        .order_by(Report.id)
    ):
        if iid is not None:
            reports_of[iid].append(rid)
    moved_reports = sorted(r for ids_ in reports_of.values() for r in ids_)
    at_least = grading.Facts()
    for inc in incidents.values():
        at_least = at_least.merged(_incident_facts(inc))
    floor = None
    for inc in incidents.values():
        if inc.level_floor:
            floor = grading.graver(floor, inc.level_floor) if floor else inc.level_floor
    gravest = lead.level
    for o in others:
        gravest = grading.graver(gravest, o.level)
    old_codes = (lead.headquarters_code, lead.subdistrict_code)
    lead_code = lead.category_code
    for model in (Report, IncidentReport, TimelineEntry):
        db.execute(
            update(model).where(model.incident_id.in_(merged_ids)).values(incident_id=lead_id)
        )
    lead.level_floor = floor
    if gravest != lead.level:
        old = lead.level
        _set_level(lead, gravest)
        record_step(
            db, lead,
            _step("level_raised", f"合并后定级由 {old} 升为 {gravest}（取各事件中最高级别）",
                  f"level raised from {old} to {gravest} by the merge",
                  {"from": old, "to": gravest}),
            actor=actor, at=now,
        )  # fmt: skip
    lead.deadlines_done = sorted(
        {*lead.deadlines_done, *(d for o in others for d in o.deadlines_done)}
    )
    _recount(db, lead, actor=actor, now=now, rise_only=True, at_least=at_least, org=org,
             recategorise=False)  # fmt: skip
    # every category of every incident stays: the gravest leads (an officer's lead stays
    # lead), the others are secondary and each still routes to its department
    low = lead.low_confidence
    _set_codes(
        db, lead,
        [c for inc in (lead, *others) for c in (inc.category_code, *(inc.secondary_codes or []))],
        lead=lead.category_code if lead.category_source == OFFICER_SOURCE else None,
        donors=[(c, inc.category_source, inc.category_confidence, inc.category_matched)
                for inc in (lead, *others)
                for c in (inc.category_code, *(inc.secondary_codes or []))],
        org=org, actor=actor, now=now,
    )  # fmt: skip
    if lead.category_code != lead_code:
        lead.low_confidence = next(
            (o.low_confidence for o in others if o.category_code == lead.category_code), low
        )
    lead.updated_at = now
    pending: list[PendingEvent] = []
    for o in others:
        o.status = "merged"
        o.merged_into_id = lead_id
        o.report_count = 0
        o.updated_at = now
        sync_deadline_due(o)
        withdrawn = [
            {"type": r.target_type, "code": r.target_code, "name": r.target_name}
            for r in withdraw_all(db, o.id, now)
        ]
        record_step(
            db, o,
            _step("merged_into", f"{actor.name} 将本事件并入事件 #{lead_id}：{reason}",
                  f"{actor.name} merged this incident into #{lead_id}: {reason}",
                  {"into": lead_id, "reason": reason, "reports": reports_of[o.id]}),
            actor=actor, at=now,
        )  # fmt: skip
        extra = {"merged_into": lead_id, "withdrawn": withdrawn}
        pending.append(PendingEvent(o, MERGED_AWAY, extra, None, False))
    followed = []
    for follower in merge_followers.followers():
        note = follower.follow(db, lead_id=lead_id, merged_ids=merged_ids, now=now)
        if note is not None:
            followed.append(note)
            record_step(db, lead, _step("records_followed", note.message, note.message_en,
                                        note.data), actor=actor, at=now)  # fmt: skip
    names = "、".join(f"#{i}" for i in merged_ids)
    record_step(
        db, lead,
        _step("incidents_merged", f"{actor.name} 将事件 {names} 并入本事件：{reason}",
              f"{actor.name} merged incidents {', '.join(f'#{i}' for i in merged_ids)} "
              f"into this one: {reason}",
              {"merged": merged_ids, "reports": moved_reports, "reason": reason}),
        actor=actor, at=now,
    )  # fmt: skip
    change = _route(db, lead, old_codes=old_codes, org=org, actor=actor, now=now, pending=pending)
    for inc in incidents.values():
        _audit(db, actor, "merge" if inc is lead else "merged_into", inc, before[inc.id], reason)
    correction = _record(
        db, kind="merge", actor=actor, reason=reason, incident=lead, incident_ids=ids,
        report_ids=moved_reports,
        data={"lead": lead_id, "merged": merged_ids, "level": lead.level, "routing": change},
        now=now,
    )  # fmt: skip
    extra = {"merged": merged_ids, "routing": change, "correction_id": correction.id}
    pending.insert(0, PendingEvent(lead, COMBINED, extra, None, True))
    events = append_events(db, pending, org, now)
    return Corrected(lead, others, correction, events)


def _incident_facts(incident: Incident) -> grading.Facts:
    return grading.Facts(
        deaths=incident.deaths, missing=incident.missing,
        serious_injuries=incident.serious_injuries, injuries=incident.injuries,
        trapped=incident.trapped, direct_loss_cny=incident.direct_loss_cny,
        affected_people=incident.affected_people,
    )  # fmt: skip


# ------------------------------------------------------------------ split and move
def _report_of(db: Session, incident: Incident, report_id: int) -> Report:
    report = db.get(Report, report_id)
    if report is None or report.incident_id != incident.id:
        raise not_found(
            f"事件 #{incident.id} 的报告 #{report_id}",
            f"Report #{report_id} of incident #{incident.id}",
            field="report_id",
        )
    return report


def _refuse_only_report(db: Session, incident: Incident, what: str, what_en: str) -> None:
    if _report_count(db, incident.id) < 2:
        raise conflict(
            "only_report",
            f"该报告是事件 #{incident.id} 唯一的报告，不能{what}（可将事件合并或标为误报）",
            f"The report is incident #{incident.id}'s only report: it cannot be {what_en} "
            "(merge the incident or mark it a false alarm instead)",
            field="report_id",
        )


def _move_rows(db: Session, report: Report, to: int, link_reason: str) -> None:
    report.incident_id = to
    db.execute(
        update(IncidentReport)
        .where(IncidentReport.report_id == report.id)
        .values(incident_id=to, reason=link_reason[:500])
    )
    db.execute(
        update(TimelineEntry).where(TimelineEntry.report_id == report.id).values(incident_id=to)
    )


def split_report(
    db: Session,
    *,
    incident_id: int,
    report_id: int,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    settings: IntakeSettings,
    now: datetime,
) -> Corrected:
    """Split a report out into a new incident of its own (the report's category, position
    and figures); the incident it left is recounted."""
    reason = _reason(reason)
    incident = _lock(db, [incident_id], field_name="incident_id")[incident_id]
    _refuse_closed(incident, "incident_id")
    report = _report_of(db, incident, report_id)
    _refuse_only_report(db, incident, "拆分", "split out")
    before = audit.snapshot(incident)
    old_codes = (incident.headquarters_code, incident.subdistrict_code)
    new = Incident(
        title=(report.title.strip() or report.text.strip()[:60])[:200],
        status="verified" if report.channel in settings.trusted_channels else "reported",
        level=report.level,
        needs_assessment=True,
        grading_rule="general",
        occurred_at=report.occurred_at,
        created_at=now,
        updated_at=now,
        last_report_at=now,
        address=report.address,
        location={},
        report_count=1,
        channels=[report.channel],
        trusted=report.channel in settings.trusted_channels,
        production_safety=False,
        deadlines=[],
        deadlines_done=[],
        overdue=False,
        category_confidence=0.0,
        category_source="none",
        low_confidence=False,
    )
    _set_category(new, report.category_code, report.category_source, report.category_confidence)
    if report.lon is not None and report.lat is not None:
        _place(db, new, report.lon, report.lat, Crs.wgs84, manual=False, address=report.address,
               text=report.text, location=_stated_location(report.raw_body))  # fmt: skip
    db.add(new)
    db.flush()
    _move_rows(db, report, new.id, f"值班员 {actor.name} 拆分：{reason}")
    _recount(db, new, actor=actor, now=now, rise_only=False, org=org)
    _recount(db, incident, actor=actor, now=now, rise_only=False, org=org)
    incident.updated_at = now
    pending: list[PendingEvent] = []
    record_step(
        db, incident,
        _step("report_split_out",
              f"{actor.name} 将报告 #{report.id} 拆分为新事件 #{new.id}：{reason}",
              f"{actor.name} split report #{report.id} out into new incident #{new.id}: {reason}",
              {"report_id": report.id, "new_incident_id": new.id, "reason": reason}),
        actor=actor, at=now,
    )  # fmt: skip
    record_step(
        db, new,
        _step("split_from",
              f"{actor.name} 从事件 #{incident.id} 拆出报告 #{report.id}，新建本事件：{reason}",
              f"{actor.name} split report #{report.id} out of incident #{incident.id}: {reason}",
              {"report_id": report.id, "from_incident_id": incident.id, "reason": reason}),
        actor=actor, at=now,
    )  # fmt: skip
    targets = targets_for(new, org, _local_force(new))
    buffer_routes(db, new, targets, now)
    record_step(db, new, routed_step(targets, 0.0), actor=SYSTEM_ACTOR, at=now)
    change = _route(db, incident, old_codes=old_codes, org=org, actor=actor, now=now,
                    pending=pending)  # fmt: skip
    _audit(db, actor, "split", incident, before, reason)
    audit.record(db, actor=actor, action="split_from", object_type="incident", object_id=new.id,
                 after=audit.snapshot(new), reason=reason)  # fmt: skip
    correction = _record(
        db, kind="split", actor=actor, reason=reason, incident=new,
        incident_ids=[new.id, incident.id], report_ids=[report.id],
        data={"from": incident.id, "to": new.id, "routing": change}, now=now,
    )  # fmt: skip
    pending[:0] = [
        PendingEvent(incident, SPLIT, {"report_id": report.id, "new_incident_id": new.id,
                                       "routing": change}, None, True),
        PendingEvent(new, CREATED, {"report_id": report.id, "split_from": incident.id}, None,
                     True),
    ]  # fmt: skip
    events = append_events(db, pending, org, now)
    return Corrected(new, [incident], correction, events)


def _local_force(incident: Incident) -> tuple[str, str] | None:
    lf = (incident.location or {}).get("local_force")
    return (lf["subdistrict_code"], lf["name"]) if lf else None


def move_report(
    db: Session,
    *,
    incident_id: int,
    report_id: int,
    to_incident_id: int,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> Corrected:
    """Move a report to another open incident; both are recounted (the target's level only
    rises, the source's may fall to what its remaining reports support, never below the
    level an officer set)."""
    reason = _reason(reason)
    if to_incident_id == incident_id:
        raise invalid(
            "to_incident_id",
            "报告已在该事件中",
            "The report is in that incident already",
            code="same_incident",
        )
    locked = _lock(db, [incident_id, to_incident_id], field_name="to_incident_id")
    source, target = locked[incident_id], locked[to_incident_id]
    _refuse_closed(source, "incident_id")
    _refuse_closed(target, "to_incident_id")
    report = _report_of(db, source, report_id)
    _refuse_only_report(db, source, "移走", "moved away")
    before = {source.id: audit.snapshot(source), target.id: audit.snapshot(target)}
    codes = {i.id: (i.headquarters_code, i.subdistrict_code) for i in (source, target)}
    _move_rows(db, report, target.id, f"值班员 {actor.name} 移入：{reason}")
    _recount(db, target, actor=actor, now=now, rise_only=True, org=org)
    _recount(db, source, actor=actor, now=now, rise_only=False, org=org)
    pending: list[PendingEvent] = []
    for inc, kind, zh, en in (
        (source, "report_moved_out", f"{actor.name} 将报告 #{report.id} 移至事件 #{target.id}",
         f"{actor.name} moved report #{report.id} to incident #{target.id}"),
        (target, "report_moved_in", f"{actor.name} 将报告 #{report.id} 从事件 #{source.id} 移入",
         f"{actor.name} moved report #{report.id} in from incident #{source.id}"),
    ):  # fmt: skip
        inc.updated_at = now
        record_step(db, inc, _step(kind, f"{zh}：{reason}", f"{en}: {reason}",
                                   {"report_id": report.id, "from": source.id, "to": target.id,
                                    "reason": reason}), actor=actor, at=now)  # fmt: skip
    changes = {
        inc.id: _route(db, inc, old_codes=codes[inc.id], org=org, actor=actor, now=now,
                       pending=pending)
        for inc in (source, target)
    }  # fmt: skip
    _audit(db, actor, "report_moved_out", source, before[source.id], reason)
    _audit(db, actor, "report_moved_in", target, before[target.id], reason)
    correction = _record(
        db, kind="move", actor=actor, reason=reason, incident=target,
        incident_ids=[target.id, source.id], report_ids=[report.id],
        data={"from": source.id, "to": target.id,
              "routing": {str(k): v for k, v in changes.items()}}, now=now,
    )  # fmt: skip
    extra = {"report_id": report.id, "from": source.id, "to": target.id}
    pending[:0] = [
        PendingEvent(source, REPORT_MOVED, {**extra, "routing": changes[source.id]}, None, True),
        PendingEvent(target, REPORT_MOVED, {**extra, "routing": changes[target.id]}, None, True),
    ]
    events = append_events(db, pending, org, now)
    return Corrected(target, [source], correction, events)


# ------------------------------------------------------------------ re-classify, re-locate
def reclassify(
    db: Session,
    *,
    incident_id: int,
    category_code: str,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> Corrected:
    """Set the incident's category by hand: grading rule, level, merge group and routing
    follow; the parties that lose and gain it are told on the stream."""
    reason = _reason(reason)
    path = categories.path(category_code)
    if path is None:
        raise invalid(
            "category_code",
            f"未知的突发事件类别代码：{category_code}（应为 GB/T 35561 代码，如 21A03）",
            f"Unknown category code {category_code} (a GB/T 35561 code, e.g. 21A03)",
            code="unknown_category",
        )
    incident = _lock(db, [incident_id], extra_codes=[path.code], field_name="incident_id")[
        incident_id
    ]
    _refuse_closed(incident, "incident_id")
    if incident.category_code == path.code and incident.category_source == OFFICER_SOURCE:
        raise conflict(
            "category_unchanged",
            f"事件已是该类别：{path.display}",
            f"The incident already has category {path.code}",
            field="category_code",
        )
    before = audit.snapshot(incident)
    old_code, old_codes = (
        incident.category_code,
        (incident.headquarters_code, incident.subdistrict_code),
    )
    # the officer's code leads whatever its severity; the other categories of the scene stay
    # secondary. Promoting one of them keeps the old lead as a secondary; a new code replaces
    # the old lead (the officer said it was wrong)
    policy = policy_store.current(db)
    rest = list(incident.secondary_codes or [])
    promoted = any(c[: policy.group_len] == path.code[: policy.group_len] for c in rest)
    scenes.set_categories(db, incident, [path.code, *([old_code] if promoted else []), *rest],
                          policy=policy, org=org, now=now, actor=actor,
                          lead=path.code, route=False)  # fmt: skip
    _set_category(incident, path.code, OFFICER_SOURCE, 1.0)
    _recount(db, incident, actor=actor, now=now, rise_only=False, org=org)
    incident.updated_at = now
    old = categories.path(old_code) if old_code else None
    old_name = old.display if old else "未分类"
    record_step(
        db, incident,
        _step("reclassified", f"{actor.name} 将类别由“{old_name}”改为“{path.display}”：{reason}",
              f"{actor.name} re-classified from {old_code or 'none'} to {path.code}: {reason}",
              {"from": old_code, "to": path.code, "reason": reason}),
        actor=actor, at=now,
    )  # fmt: skip
    pending: list[PendingEvent] = []
    change = _route(db, incident, old_codes=old_codes, org=org, actor=actor, now=now,
                    pending=pending)  # fmt: skip
    _audit(db, actor, "reclassify", incident, before, reason)
    report_ids = list(db.scalars(select(Report.id).where(Report.incident_id == incident.id)))
    correction = _record(
        db, kind="reclassify", actor=actor, reason=reason, incident=incident,
        incident_ids=[incident.id], report_ids=report_ids,
        data={"from": old_code, "to": path.code, "level": incident.level, "routing": change},
        now=now,
    )  # fmt: skip
    extra = {"category_from": old_code, "routing": change}
    pending.insert(0, PendingEvent(incident, RECLASSIFIED, extra, None, True))
    events = append_events(db, pending, org, now)
    return Corrected(incident, [], correction, events)


def relocate(
    db: Session,
    *,
    incident_id: int,
    lon: float | None,
    lat: float | None,
    crs: Crs,
    address: str,
    reason: str,
    actor: audit.Actor,
    org: routing.Organisation,
    now: datetime,
) -> Corrected:
    """Put the incident where the officer says (a point on the map, or an address matched to
    a grid name): sub-district, grid, local force and routing follow; the nearby resources
    search reads the incident's position."""
    reason = _reason(reason)
    if lon is None or lat is None:
        hit = match_address(grid_service.locate_index(db)[0], address)
        if hit is None:
            raise ApiError(
                422, "address_not_found",
                f"地址“{address}”与网格中的任何名称都不匹配，请在地图上选点",
                f"The address '{address}' matches no name in the grid; pick the point on the map",
                field="address",
            )  # fmt: skip
        _, lon, lat, _ = hit
        crs = Crs.wgs84
    pos = grid_service.find(db, lon=lon, lat=lat, crs=crs)  # refuses before anything changes
    incident = _lock(db, [incident_id], field_name="incident_id")[incident_id]
    _refuse_closed(incident, "incident_id")
    before = audit.snapshot(incident)
    old_codes = (incident.headquarters_code, incident.subdistrict_code)
    old_pos = {"lon": incident.lon, "lat": incident.lat, "address": incident.address,
               "subdistrict": incident.subdistrict_code}  # fmt: skip
    if address.strip():
        incident.address = address.strip()[:256]
    _place(db, incident, pos.wgs_lon, pos.wgs_lat, Crs.wgs84, manual=True,
           address=address.strip())  # fmt: skip
    incident.updated_at = now
    sub = subdistrict_ref(incident, org)
    where = " / ".join(
        x for x in (
            sub.name if sub else "",
            (incident.location.get("area") or {}).get("name", ""),
            (incident.location.get("point") or {}).get("name", ""),
        ) if x
    )  # fmt: skip
    record_step(
        db, incident,
        _step("relocated",
              f"{actor.name} 重新定位至 {incident.lon:.6f}, {incident.lat:.6f}"
              f"（{where}）：{reason}",
              f"{actor.name} re-located the incident to {incident.lon:.6f}, {incident.lat:.6f} "
              f"({where}): {reason}",
              {"from": old_pos, "to": {"lon": incident.lon, "lat": incident.lat,
                                       "subdistrict": incident.subdistrict_code},
               "reason": reason}),
        actor=actor, at=now,
    )  # fmt: skip
    pending: list[PendingEvent] = []
    change = _route(db, incident, old_codes=old_codes, org=org, actor=actor, now=now,
                    pending=pending)  # fmt: skip
    _audit(db, actor, "relocate", incident, before, reason)
    correction = _record(
        db, kind="relocate", actor=actor, reason=reason, incident=incident,
        incident_ids=[incident.id], report_ids=[],
        data={"from": old_pos, "to": {"lon": incident.lon, "lat": incident.lat,
                                      "subdistrict": incident.subdistrict_code},
              "routing": change}, now=now,
    )  # fmt: skip
    pending.insert(0, PendingEvent(incident, RELOCATED, {"routing": change}, None, True))
    events = append_events(db, pending, org, now)
    return Corrected(incident, [], correction, events)
