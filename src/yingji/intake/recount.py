"""Recounting an incident from the reports it holds, after a duty officer's correction moved
reports in or out (merge, split, move) or changed its category: the one place where an
incident's figures, level, leading category and position are derived again from its reports.

Pure: values in, values out. The same rules as folding a report in (``facts.merge_facts``):
figures are the maxima over the reports (two reports of one event count its casualties
once, never added up, so a merge never doubles a count), the level is the gravest of what
the figures reach under the incident's grading rule, what each report itself said, and the
level an officer set by hand (``floor``): a recount never takes it below that. When
reports leave, the figures they alone carried leave with them and the level may fall to
what the rest support, never below the floor; the caller puts the change on the timeline.

The categories (:func:`scene_codes`, applied by ``scenes.set_categories``): a lead an officer
set stays, with the secondary categories some remaining report still carries; otherwise the
categories are those the remaining reports carry, and the gravest leads (``scenes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from yingji.intake import grading


@dataclass(frozen=True)
class ReportFacts:
    """What a recount needs of one report."""

    id: int
    occurred_at: datetime
    channel: str
    level: str
    facts: grading.Facts
    category_code: str | None
    category_source: str
    category_confidence: float
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class Recount:
    report_count: int
    channels: list[str]
    occurred_at: datetime
    facts: grading.Facts
    level: str
    needs_assessment: bool
    reasons: list[str]


def facts_of(
    casualties: dict[str, int | None], loss: float | None, affected: int | None
) -> grading.Facts:
    """A stored report's figures (its ``casualties`` JSON and two columns) as grading facts."""
    c = casualties or {}
    return grading.Facts(
        deaths=c.get("deaths"),
        missing=c.get("missing"),
        serious_injuries=c.get("serious_injuries"),
        injuries=c.get("injuries"),
        trapped=c.get("trapped"),
        direct_loss_cny=loss,
        affected_people=affected,
    )


def recount(
    reports: Sequence[ReportFacts],
    *,
    grading_rule: str,
    floor: str | None,
    at_least: grading.Facts | None = None,
    table: grading.GradingTable | None = None,
) -> Recount:
    """An incident's figures and level from its reports (at least one).

    ``at_least``: figures the incident keeps whatever its reports say (a merge keeps the
    maxima of the incidents merged, so nothing known before is lost)."""
    if not reports:
        raise ValueError("an incident holds at least one report")
    facts = grading.Facts()
    for r in reports:
        facts = facts.merged(r.facts)
    if at_least is not None:
        facts = facts.merged(at_least)
    graded = grading.grade(facts, rule=grading_rule, table=table)
    level = graded.level
    reasons = list(graded.reasons)
    for r in reports:
        if grading.rank(r.level) < grading.rank(level):
            level, reasons = r.level, [f"报告 #{r.id} 定级 {r.level}"]
    if floor is not None and grading.rank(floor) < grading.rank(level):
        level, reasons = floor, [f"值班员定级 {floor}"]
    channels: list[str] = []
    for r in sorted(reports, key=lambda x: (x.occurred_at, x.id)):
        if r.channel not in channels:
            channels.append(r.channel)
    return Recount(
        report_count=len(reports),
        channels=channels,
        occurred_at=min(r.occurred_at for r in reports),
        facts=facts,
        level=level,
        needs_assessment=graded.needs_assessment,
        reasons=reasons,
    )


def scene_codes(
    reports: Sequence[ReportFacts], *, current: str | None, secondary: Sequence[str], source: str
) -> tuple[list[str], str | None] | None:
    """The categories an incident carries after reports moved in or out (a split, a move), as
    ``(codes, officer's lead)`` for ``scenes.set_categories``, or None to leave them as they are
    (no remaining report carries a category and no officer set one).

    An officer's lead stays lead; of the secondary categories only those a remaining report
    still carries stay (a category the officer took away does not come back from the reports).
    Otherwise the codes are the remaining reports', earliest first, the current lead first when
    a report still carries it (ties keep the category the incident had)."""
    carried = [r.category_code for r in sorted(reports, key=lambda x: (x.occurred_at, x.id))]
    codes = [c for c in carried if c]
    if source == "officer" and current:
        return [current, *(c for c in secondary if c in codes)], current
    if not codes:
        return None
    if current in codes:
        codes = [current, *(c for c in codes if c != current)]
    return codes, None


def leading_position(
    reports: Sequence[ReportFacts], *, current: tuple[float, float] | None, manual: bool
) -> tuple[float, float] | None:
    """Where the incident is after reports moved: where an officer put it; else where it is
    while a remaining report stands there; else the earliest located report's position."""
    if manual:
        return current
    located = [r for r in reports if r.lon is not None and r.lat is not None]
    if current and any((r.lon, r.lat) == current for r in located):
        return current
    ordered = sorted(located, key=lambda x: (x.occurred_at, x.id))
    return (ordered[0].lon, ordered[0].lat) if ordered else current  # type: ignore[return-value]  # located holds reports with both lon and lat
