"""One scene, many categories (一个现场、多个类别): the lead category and the secondary ones.

A crash with a burning car and an injured person is one incident of three categories
(``21B01``, ``21C02``, ``91A02``). The *lead* is the most serious (the merge policy's
``severity``; ties: a GB/T 35561 category before an everyday help class, then the one the
incident had first); the others are kept as secondary categories, and each still routes to
its headquarters or department (:func:`yingji.intake.routing_rows.targets_for`).

:func:`lead_and_rest` is the pure rule; :func:`fold_category` applies it to an incident a
report joins (the writer); :func:`set_categories` is the service function for a duty
officer's re-classification or merge (officer tools): it sets the categories, re-routes and
records the step on the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.intake import categories, merge, routing
from yingji.intake.journal import record_step
from yingji.intake.models import IncidentLike
from yingji.intake.policy import MergePolicy
from yingji.intake.prepare import Step
from yingji.intake.routing_rows import reroute, targets_for


def lead_and_rest(
    codes: Iterable[str | None], policy: MergePolicy, lead: str | None = None
) -> tuple[str | None, list[str]]:
    """The lead (most serious) and the secondary categories of a scene, from its codes in the
    order the incident got them. Codes of one 小类 are one category (the first one stays,
    unless a graver code of the 小类 comes). ``lead``: the category a duty officer chose; it
    leads whatever its severity (the officer's judgement wins over the table), and stands for
    its 小类."""
    if lead:
        g = policy.group_len
        others = [c for c in codes if c and c[:g] != lead[:g]]
        first, more = lead_and_rest(others, policy)
        groups = [c[:g] for c in others]
        rest = [c for c in (first, *more) if c]
        return lead, sorted(rest, key=lambda c: groups.index(c[:g]))
    kept: list[str] = []
    for code in codes:
        if not code:
            continue
        same = next((k for k in kept if k[: policy.group_len] == code[: policy.group_len]), None)
        if same is None:
            kept.append(code)
        elif policy.severity(code) > policy.severity(same):
            kept[kept.index(same)] = code
    if not kept:
        return None, []
    order = {c: i for i, c in enumerate(kept)}
    lead = max(
        kept,
        key=lambda c: (policy.severity(c), categories.is_emergency(c), -order[c]),
    )
    return lead, [c for c in kept if c != lead]


def fold_category(incident: IncidentLike, code: str | None, policy: MergePolicy) -> bool:
    """Add a joining report's category to its incident; answers whether the categories
    changed (the caller re-routes)."""
    before = (incident.category_code, list(incident.secondary_codes or []))
    lead, rest = lead_and_rest([incident.category_code, *(incident.secondary_codes or []), code],
                               policy)  # fmt: skip
    if (lead, rest) == before:
        return False
    if lead != incident.category_code:
        _set_lead_group(incident, lead, policy)
    incident.category_code = lead
    incident.secondary_codes = rest
    return True


def _set_lead_group(incident: IncidentLike, lead: str | None, policy: MergePolicy) -> None:
    """The lead's group, and the merge key under it (candidates are read by lead group)."""
    incident.category_group = lead[: policy.group_len] if lead else None
    if incident.category_group and incident.lon is not None and incident.lat is not None:
        incident.merge_key = merge.merge_key(incident.category_group, incident.lon, incident.lat)
    else:
        incident.merge_key = None


def targets_of(
    incident: IncidentLike, org: routing.Organisation, local_force: tuple[str, str] | None = None
) -> list[routing.Target]:
    """Everyone the incident goes to: the lead's targets and each secondary category's."""
    return targets_for(incident, org, local_force)


def set_categories(
    db: Session,
    incident: IncidentLike,
    codes: Iterable[str | None],
    *,
    policy: MergePolicy,
    org: routing.Organisation,
    now: datetime,
    actor: audit.Actor,
    report_id: int | None = None,
    lead: str | None = None,
    route: bool = True,
) -> bool:
    """Give the incident exactly these categories (lead picked by :func:`lead_and_rest`, or
    ``lead`` when a duty officer chose it), route it to whoever they add, and record the step.
    Answers whether anything changed. ``route=False``: the caller routes afresh itself (a duty
    officer's correction: ``routing_rows.route_again`` also withdraws, and states it once).
    Unknown codes must be refused by the caller (``categories.path(code) is None``)."""
    lead, rest = lead_and_rest(codes, policy, lead)
    old = (incident.category_code, list(incident.secondary_codes or []))
    if (lead, rest) == old:
        return False
    _set_lead_group(incident, lead, policy)
    incident.category_code = lead
    incident.secondary_codes = rest
    p = categories.path(lead) if lead else None
    if p is not None:
        incident.grading_rule = p.grading_rule
    names = "、".join(categories.path(c).display for c in rest if categories.path(c))  # type: ignore[union-attr]  # path() checked not None in the filter
    record_step(
        db,
        incident,
        Step(
            "categories_changed",
            "ok",
            0.0,
            f"类别：主类 {p.display if p else '未分类'}" + (f"，次要类别 {names}" if names else ""),
            f"categories: lead {lead or 'none'}"
            + (f", secondary {', '.join(rest)}" if rest else ""),
            {"lead": lead, "secondary": rest, "before": {"lead": old[0], "secondary": old[1]}},
        ),
        actor=actor,
        at=now,
    )
    if route:
        reroute(db, incident, org, now, report_id=report_id)
    return True
