"""An incident's figures from its reports: founding an incident from its first report, and
folding each later one in (maxima of the figures; the level only rises).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from yingji.intake import deadlines, grading, lifecycle, merge
from yingji.intake.config import IntakeSettings
from yingji.intake.models import IncidentLike, IncidentRecord
from yingji.intake.prepare import Prepared


def new_incident(
    p: Prepared,
    settings: IntakeSettings,
    now: datetime,
    group: str | None,
    place: merge.Place = merge.NO_PLACE,
) -> IncidentRecord:
    """A new incident from the first report of an event (a record, inserted by the writer),
    with the report's evidence of place (what later reports are compared with)."""
    r = p.report
    trusted = r.channel in settings.trusted_channels
    path = p.category_path
    production_safety = bool(path and path.grading_rule == "production_safety")
    incident = IncidentRecord(
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
        category_matched=list(p.category.matched),
        secondary_codes=[],
        accuracy_m=place.accuracy_m or None,
        grid_point_code=place.point_code,
        line_code=place.line_code,
        line_offset_m=place.line_offset_m,
        place_key=place.place_key,
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
    set_facts(incident, p.facts)
    sync_deadline_due(incident)
    return incident


def sync_deadline_due(incident: IncidentLike) -> None:
    """Set when the overdue check must next look at the incident: its earliest report not
    yet made, or never (None) once every report is made, the incident is flagged overdue
    or has ended. Call it wherever the deadlines, the reports made, the overdue flag or the
    status change, so nothing the check need not read stays in its index range."""
    watch = not incident.overdue and incident.status not in lifecycle.TERMINAL
    incident.deadline_due_at = (
        deadlines.pending_due_at(incident.deadlines or [], incident.deadlines_done or [])
        if watch
        else None
    )


def facts_of(incident: IncidentLike) -> grading.Facts:
    return grading.Facts(
        deaths=incident.deaths,
        missing=incident.missing,
        serious_injuries=incident.serious_injuries,
        injuries=incident.injuries,
        trapped=incident.trapped,
        direct_loss_cny=incident.direct_loss_cny,
        affected_people=incident.affected_people,
    )


def set_facts(incident: IncidentLike, facts: grading.Facts) -> None:
    for k, v in facts.__dict__.items():
        setattr(incident, k, v)


# What folding a report in may change (``merge_facts``, and ``reroute`` after a level rise):
# the writer updates these columns of merged incidents with one executemany UPDATE.
MERGED_COLUMNS = (
    *(f.name for f in dataclasses.fields(grading.Facts)),
    "needs_assessment",
    "report_count",
    "channels",
    "occurred_at",
    "last_report_at",
    "updated_at",
    "level",
    "deadlines",
    "deadline_due_at",
    "headquarters_code",
    "category_code",
    "category_group",
    "merge_key",
    "secondary_codes",
)


def merge_facts(
    incident: IncidentLike, p: Prepared, now: datetime
) -> tuple[str, str, list[str]] | None:
    """Fold a report into an incident: maxima of the figures, the level only rises."""
    facts = facts_of(incident).merged(p.facts)
    set_facts(incident, facts)
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
        sync_deadline_due(incident)
    return old, new_level, regraded.reasons
