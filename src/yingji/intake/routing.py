"""Routing (分类推送、分级流转): who must act on an incident.

By category, the headquarters (指挥部) that takes it and its lead department, from the
editable table ``data/routing.json`` (longest code prefix wins; categories without a
headquarters go to a department, by default the emergency management bureau's duty desk);
by sub-district, that sub-district's local force (属地应急处置力量); by level, I and II also
to the committee (应急委). Pure: the organisation is passed in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Target:
    type: str  # headquarters, department, local_force, committee
    code: str
    name: str
    reason: str


@dataclass(frozen=True)
class RoutingTable:
    rules: list[dict[str, str]]
    fallback_department: str
    committee_levels: frozenset[str]

    def rule_for(self, code: str | None) -> dict[str, str] | None:
        if not code:
            return None
        best: dict[str, str] | None = None
        for rule in self.rules:
            if code.startswith(rule["prefix"]) and (
                best is None or len(rule["prefix"]) > len(best["prefix"])
            ):
                best = rule
        return best


@cache
def default_table() -> RoutingTable:
    raw = json.loads(
        resources.files("yingji.intake").joinpath("data/routing.json").read_text("utf-8")
    )
    return RoutingTable(
        rules=raw["rules"],
        fallback_department=raw["fallback_department"],
        committee_levels=frozenset(raw["committee_levels"]),
    )


@dataclass(frozen=True)
class Organisation:
    """What routing needs of the organisation: names and lead departments."""

    headquarters: dict[str, tuple[str, str]]  # code -> (name, lead department code)
    departments: dict[str, str]  # code -> name
    committee: tuple[str, str] | None  # (code, name)
    subdistricts: dict[str, str] = field(default_factory=dict)  # code -> name


def route(
    *,
    category_code: str | None,
    category_name: str,
    level: str,
    subdistrict: tuple[str, str] | None,
    local_force: tuple[str, str] | None,
    org: Organisation,
    table: RoutingTable | None = None,
) -> list[Target]:
    """The targets of an incident, headquarters first."""
    table = table or default_table()
    out: list[Target] = []
    rule = table.rule_for(category_code)
    why = f"类别：{category_name}" if category_code else "类别未定"
    hq_code = rule.get("headquarters") if rule else None
    if hq_code and hq_code in org.headquarters:
        name, lead = org.headquarters[hq_code]
        out.append(Target("headquarters", hq_code, name, why))
        if lead in org.departments:
            out.append(Target("department", lead, org.departments[lead], f"{name}牵头部门"))
    else:
        dept = (rule or {}).get("department") or table.fallback_department
        if dept in org.departments:
            out.append(Target("department", dept, org.departments[dept], why))
    if subdistrict and local_force:
        out.append(Target("local_force", subdistrict[0], local_force[1], f"属地：{subdistrict[1]}"))
    if level in table.committee_levels and org.committee:
        out.append(
            Target("committee", org.committee[0], org.committee[1], f"{level} 级事件报应急委")
        )
    return out


def as_dicts(targets: list[Target]) -> list[dict[str, Any]]:
    return [t.__dict__.copy() for t in targets]
