"""Pure plan rules: which plans fit an incident, which response level, which tasks.

No database, no clock: the incident comes in as values and ``now`` is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from yingji.command.plans.document import (
    INCIDENT_SUBDISTRICT,
    LEVELS,
    Condition,
    Party,
    PlanDocument,
    ResponseLevel,
    level_rank,
)


@dataclass(frozen=True)
class IncidentFacts:
    """What the rules need to know about an incident (plain values, from intake)."""

    id: int
    level: str
    category_code: str | None
    subdistrict_code: str | None
    headquarters_code: str | None = None
    title: str = ""
    text: str = ""
    facts: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Suggestion:
    score: int
    category_match: str
    level_ok: bool
    conditions_met: list[str]
    conditions_unmet: list[str]
    response_level: str


def category_match(prefixes: list[str], code: str | None) -> str | None:
    """The longest plan prefix that the incident's code starts with (trailing 0s trimmed)."""
    if not code:
        return None
    best = None
    for p in prefixes:
        trimmed = p.rstrip("0") or p
        if code.startswith(trimmed) and (best is None or len(trimmed) > len(best)):
            best = trimmed
    return best


def condition_met(c: Condition, incident: IncidentFacts) -> bool:
    if c.fact == "keyword":
        return str(c.value) in f"{incident.title} {incident.text}"
    value = incident.facts.get(c.fact)
    if value is None:
        return False
    target = float(c.value)
    if c.op == ">=":
        return value >= target
    if c.op == ">":
        return value > target
    return value == target


def choose_response_level(doc: PlanDocument, incident_level: str) -> str:
    """The least severe defined response level at least as severe as the incident; if the plan
    has none that severe, its most severe one."""
    defined = sorted((r.level for r in doc.response_levels), key=level_rank)  # I first
    fitting = [lv for lv in defined if level_rank(lv) <= level_rank(incident_level)]
    return fitting[-1] if fitting else defined[0]


def suggest(doc: PlanDocument, incident: IncidentFacts) -> Suggestion | None:
    """How well a plan fits an incident, or None when its categories do not apply."""
    match = category_match(doc.applies_to.categories, incident.category_code)
    if match is None:
        return None
    level_ok = incident.level in doc.applies_to.levels
    met = [c.label for c in doc.activation.conditions if condition_met(c, incident)]
    unmet = [c.label for c in doc.activation.conditions if not condition_met(c, incident)]
    score = len(match) * 10 + (5 if level_ok else 0) + (3 if met else 0)
    if doc.activation.conditions and not met:
        score -= 3
    return Suggestion(
        score=score,
        category_match=match,
        level_ok=level_ok,
        conditions_met=met,
        conditions_unmet=unmet,
        response_level=choose_response_level(doc, incident.level),
    )


def levels_in_force(doc: PlanDocument, response_level: str) -> list[ResponseLevel]:
    """The response levels whose parties act at ``response_level`` (it and all below it)."""
    return [r for r in doc.response_levels if level_rank(r.level) >= level_rank(response_level)]


def level_of(doc: PlanDocument, response_level: str) -> ResponseLevel:
    return next(r for r in doc.response_levels if r.level == response_level)


@dataclass(frozen=True)
class TaskSpec:
    """A task to create: one action of one party at one response level."""

    action_key: str
    response_level: str
    seq: int
    party_type: str
    party_code: str
    title: str
    detail: str
    deadline_at: datetime
    deadline_for: str
    resources: list[dict[str, Any]]
    notify: list[str]
    phase: str = "response"


def party_code(party: Party, incident: IncidentFacts) -> str | None:
    """The party's code for this incident; None when the incident has no sub-district."""
    if party.type == "subdistrict" and party.code == INCIDENT_SUBDISTRICT:
        return incident.subdistrict_code
    if party.type == "expert" and not party.code:
        return f"specialty:{party.specialty}"
    if party.type == "committee":
        return party.code or "committee"
    return party.code


def expand(
    parties_by_level: list[tuple[str, list[Party]]],
    incident: IncidentFacts,
    *,
    now: datetime,
    existing_keys: set[str],
    phase: str = "response",
    seq_start: int = 0,
) -> tuple[list[TaskSpec], list[str]]:
    """Every action of every party as a task spec (skipping ``existing_keys``), deadlines from
    ``now``; and the party keys that could not be resolved (no sub-district)."""
    specs: list[TaskSpec] = []
    unresolved: list[str] = []
    seq = seq_start
    for level, parties in parties_by_level:
        for party in parties:
            code = party_code(party, incident)
            if code is None:
                unresolved.append(party.key)
                continue
            for i, action in enumerate(party.actions):
                key = f"{phase}/{level}/{party.key}/{i}"
                if key in existing_keys:
                    continue
                seq += 1
                specs.append(
                    TaskSpec(
                        action_key=key,
                        response_level=level,
                        seq=seq,
                        party_type=party.type,
                        party_code=code,
                        title=action.title,
                        detail=action.detail,
                        deadline_at=now + timedelta(minutes=action.deadline_min),
                        deadline_for=action.deadline_for,
                        resources=[r.model_dump(exclude_none=True) for r in action.resources],
                        notify=list(action.notify),
                        phase=phase,
                    )
                )
    return specs, unresolved


def response_specs(
    doc: PlanDocument,
    response_level: str,
    incident: IncidentFacts,
    *,
    now: datetime,
    existing_keys: set[str],
    seq_start: int = 0,
) -> tuple[list[TaskSpec], list[str]]:
    """Tasks of every party in force at ``response_level`` not created yet."""
    levels: list[tuple[str, list[Party]]] = [
        (r.level, r.parties) for r in levels_in_force(doc, response_level)
    ]
    return expand(levels, incident, now=now, existing_keys=existing_keys, seq_start=seq_start)


def aftermath_specs(
    doc: PlanDocument,
    incident: IncidentFacts,
    *,
    now: datetime,
    existing_keys: set[str],
    seq_start: int = 0,
) -> tuple[list[TaskSpec], list[str]]:
    """The plan's aftermath (善后) tasks."""
    return expand(
        [("-", doc.aftermath)],
        incident,
        now=now,
        existing_keys=existing_keys,
        phase="aftermath",
        seq_start=seq_start,
    )


def is_more_severe(a: str, b: str) -> bool:
    return level_rank(a) < level_rank(b)


__all__ = ["LEVELS", "IncidentFacts", "Suggestion", "TaskSpec"]
