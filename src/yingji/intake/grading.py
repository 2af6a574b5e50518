"""Grading (分级): level I–IV of an incident from what is known of its consequences.

Rules are data (``data/grading.json``), each a table of lower bounds per level:

* ``production_safety``: 《生产安全事故报告和调查处理条例》第三条 — deaths, serious injuries
  (including acute industrial poisoning) and direct economic loss. '以上' includes the number,
  '以下' excludes it, so each figure in the table is the first value of its level: 29 deaths
  are 重大 (II), 30 特别重大 (I). Any one criterion suffices; the highest level reached wins.
* ``general`` (every other category until its special plan's table is added): the same
  casualty steps plus people affected (evacuated, relocated), after the national plan for
  environmental emergencies, 附件1.

Missing persons count as deaths by default (``missing_counts_as_deaths``): statistics of
production-safety accidents count 失踪 with 死亡, and a provisional grade should not
understate. When nothing at all is known the grade is a provisional IV that
``needs_assessment``; people trapped leave the outcome open, so they set it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

LEVELS = ("I", "II", "III", "IV")
LEVEL_NAMES = {"I": "特别重大", "II": "重大", "III": "较大", "IV": "一般"}
LEVEL_NAMES_EN = {"I": "Especially major", "II": "Major", "III": "Large", "IV": "General"}
_CRITERIA_ZH = {
    "deaths": "死亡（含失踪）",
    "serious_injuries": "重伤（含急性中毒）",
    "direct_loss_cny": "直接经济损失（元）",
    "affected_people": "受影响（疏散转移）人数",
}


def rank(level: str) -> int:
    """I → 1 … IV → 4: a smaller rank is a graver level."""
    return LEVELS.index(level) + 1


def graver(a: str, b: str) -> str:
    return a if rank(a) <= rank(b) else b


@dataclass(frozen=True)
class Facts:
    """What a report says of the consequences; None where it says nothing."""

    deaths: int | None = None
    missing: int | None = None
    serious_injuries: int | None = None
    injuries: int | None = None
    trapped: int | None = None
    direct_loss_cny: float | None = None
    affected_people: int | None = None

    def known(self) -> bool:
        return any(v is not None for v in self.__dict__.values())

    def merged(self, other: Facts) -> Facts:
        """The maximum of each figure (two reports of one incident: the larger count stands)."""

        def mx(a: Any, b: Any) -> Any:
            if a is None:
                return b
            if b is None:
                return a
            return max(a, b)

        return Facts(**{k: mx(getattr(self, k), getattr(other, k)) for k in self.__dict__})


@dataclass(frozen=True)
class Grade:
    level: str
    needs_assessment: bool
    rule: str
    reasons: list[str] = field(default_factory=list)  # Chinese, one per criterion that decided

    @property
    def name(self) -> str:
        return LEVEL_NAMES[self.level]


@dataclass(frozen=True)
class Rule:
    name: str
    basis: str
    thresholds: dict[str, dict[str, float]]


@dataclass(frozen=True)
class GradingTable:
    rules: dict[str, Rule]
    missing_counts_as_deaths: bool


def load_table(raw: dict[str, Any]) -> GradingTable:
    rules = {
        name: Rule(name=name, basis=r["basis"], thresholds=r["thresholds"])
        for name, r in raw["rules"].items()
    }
    for rule in rules.values():
        if set(rule.thresholds) != {"I", "II", "III"}:
            raise ValueError(f"rule {rule.name} must give thresholds for I, II and III")
        for criterion in {k for t in rule.thresholds.values() for k in t}:
            steps = [rule.thresholds[lv].get(criterion) for lv in ("I", "II", "III")]
            if None in steps or not steps[0] > steps[1] > steps[2] > 0:  # type: ignore[operator]  # None is refused by the first test
                raise ValueError(f"rule {rule.name}: {criterion} must fall strictly from I to III")
    return GradingTable(rules=rules, missing_counts_as_deaths=bool(raw["missing_counts_as_deaths"]))


@cache
def default_table() -> GradingTable:
    raw = json.loads(
        resources.files("yingji.intake").joinpath("data/grading.json").read_text("utf-8")
    )
    return load_table(raw)


def _values(facts: Facts, table: GradingTable) -> dict[str, float | None]:
    deaths = facts.deaths
    if table.missing_counts_as_deaths and facts.missing is not None:
        deaths = (deaths or 0) + facts.missing
    return {
        "deaths": deaths,
        "serious_injuries": facts.serious_injuries,
        "direct_loss_cny": facts.direct_loss_cny,
        "affected_people": facts.affected_people,
    }


def grade(facts: Facts, *, rule: str = "general", table: GradingTable | None = None) -> Grade:
    """The level the facts reach under a rule (unknown rules fall back to ``general``)."""
    table = table or default_table()
    chosen = table.rules.get(rule) or table.rules["general"]
    if not facts.known():
        return Grade("IV", True, chosen.name, ["情况不明，暂定一般（Ⅳ级），待评估"])
    values = _values(facts, table)
    for level in ("I", "II", "III"):
        reasons = [
            f"{_CRITERIA_ZH[c]} {_fmt(values[c])} ≥ {_fmt(bound)}"
            for c, bound in chosen.thresholds[level].items()
            if values.get(c) is not None and values[c] >= bound  # type: ignore[operator]  # checked not None first
        ]
        if reasons:
            return Grade(level, bool(facts.trapped), chosen.name, reasons)
    return Grade("IV", bool(facts.trapped), chosen.name, ["未达较大（Ⅲ级）标准"])


def _fmt(v: float | None) -> str:
    if v is None:
        return "?"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"
