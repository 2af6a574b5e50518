"""Merge policy (合并规则): radius and time window per GB/T 35561 category, and which categories
may share one scene (一个现场一个事件), as data an admin edits.

The document (:class:`MergePolicyDoc`) is what ``data/merge_policy.json`` ships and what
``PUT /api/v1/intake/merge-policy`` takes, validated: radii 10 m – 3 km, windows 1 min – 72 h,
prefixes that lead to a known category code (GB/T 35561 or the platform's 9xxxx everyday help
classes), no prefix twice, no scene pair twice. :func:`compile_policy` turns it into the
:class:`MergePolicy` the pure rule (:mod:`yingji.intake.merge`) reads: no I/O here.

Why these defaults (issue 13): one radius and one window for every kind of event merged two
falls in two streets an hour apart and split a crash reported to 120, 119 and 122. A road
accident strings its reports over 150 m at most and is called in within 45 min; a building
fire is seen from 200 m for hours; a hazardous-chemicals leak or a flood is reported from a
kilometre away for half a day; a forest fire from 3 km for a day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from yingji.core.errors import ZhValueError
from yingji.intake import categories

MIN_RADIUS_M, MAX_RADIUS_M = 10.0, 3000.0
MIN_WINDOW_S, MAX_WINDOW_S = 60.0, 72 * 3600.0
GROUP_LEN = 3  # codes in one 小类 (21C01, 21C02) are "the same category" for merging


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


_Radius = Field(ge=MIN_RADIUS_M, le=MAX_RADIUS_M, allow_inf_nan=False)
_Window = Field(ge=MIN_WINDOW_S, le=MAX_WINDOW_S, allow_inf_nan=False)


def _known_prefix(value: str) -> str:
    value = categories.normalise(value)
    if not (1 <= len(value) <= 5) or not any(c.startswith(value) for c in categories.table()):
        raise ZhValueError(
            f"未知的类别代码前缀：{value}（应为 GB/T 35561 或平台日常求助代码的前缀，如 21B）",
            f"unknown category prefix {value} (a prefix of a GB/T 35561 or 9xxxx code, e.g. 21B)",
        )
    return value


class CategoryRuleDoc(_Strict):
    """One category's rule: reports of it within ``radius_m`` and ``window_s`` are one event."""

    prefix: str = Field(min_length=1, max_length=5)
    radius_m: float = _Radius
    window_s: float = _Window
    line_radius_m: float | None = Field(default=None, ge=MIN_RADIUS_M, le=MAX_RADIUS_M)
    severity: int = Field(default=50, ge=0, le=100)

    _prefix = field_validator("prefix")(classmethod(lambda cls, v: _known_prefix(v)))


class SceneRuleDoc(_Strict):
    """Two categories that may be one scene, with the pair's own radius and window."""

    a: str = Field(min_length=1, max_length=5)
    b: str = Field(min_length=1, max_length=5)
    radius_m: float = _Radius
    window_s: float = _Window

    _codes = field_validator("a", "b")(classmethod(lambda cls, v: _known_prefix(v)))


class MergePolicyDoc(_Strict):
    default_radius_m: float = _Radius
    default_window_s: float = _Window
    cell_accuracy_m: float = Field(default=300.0, ge=0, le=2000)
    max_widening_m: float = Field(default=500.0, ge=0, le=2000)
    same_place_factor: float = Field(default=1.5, ge=1.0, le=3.0)
    conflict_edge_fraction: float = Field(default=0.5, ge=0.0, le=1.0)
    point_snap_m: float = Field(default=30.0, ge=0, le=200)
    line_snap_m: float = Field(default=60.0, ge=0, le=200)
    categories: list[CategoryRuleDoc] = Field(default_factory=list, max_length=500)
    scenes: list[SceneRuleDoc] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _no_repeats(self) -> MergePolicyDoc:
        seen: set[str] = set()
        for c in self.categories:
            if c.prefix in seen:
                raise ZhValueError(f"类别 {c.prefix} 重复", f"category {c.prefix} given twice")
            seen.add(c.prefix)
        pairs: set[frozenset[str]] = set()
        for s in self.scenes:
            pair = frozenset((s.a, s.b))
            if pair in pairs:
                raise ZhValueError(f"场景 {s.a}+{s.b} 重复", f"scene pair {s.a}+{s.b} given twice")
            pairs.add(pair)
        return self


@dataclass(frozen=True)
class Rule:
    """The rule two reports are compared under: its name (for the timeline), radius, window."""

    name: str
    name_en: str
    radius_m: float
    window_s: float
    line_radius_m: float | None = None


@dataclass(frozen=True)
class MergePolicy:
    """The compiled policy: lookups by code, memoised per code (codes are few)."""

    default_radius_m: float
    default_window_s: float
    cell_accuracy_m: float
    max_widening_m: float
    same_place_factor: float
    conflict_edge_fraction: float
    point_snap_m: float
    line_snap_m: float
    categories: tuple[CategoryRuleDoc, ...]
    scenes: tuple[SceneRuleDoc, ...]
    group_len: int = GROUP_LEN
    # None: cross-category scenes allowed by the table; the uniform (pre-issue-13) policy
    # compares the first ``group_len`` characters only
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def category_rule(self, code: str) -> Rule:
        """The rule of ``code`` alone: its longest matching prefix, else the platform default."""
        key = ("cat", code)
        hit = self._memo.get(key)
        if hit is None:
            best: CategoryRuleDoc | None = None
            for c in self.categories:
                if code.startswith(c.prefix) and (best is None or len(c.prefix) > len(best.prefix)):
                    best = c
            if best is None:
                hit = Rule("平台默认规则", "platform default", self.default_radius_m,
                           self.default_window_s)  # fmt: skip
            else:
                hit = Rule(f"类别规则 {best.prefix}", f"category rule {best.prefix}",
                           best.radius_m, best.window_s, best.line_radius_m)  # fmt: skip
            self._memo[key] = hit
        return hit

    def severity(self, code: str) -> int:
        """How serious a category is, to pick a scene's lead: its rule's severity; a code no
        rule names counts 50 (a GB/T 35561 category) or 0 (an everyday help class)."""
        key = ("sev", code)
        hit = self._memo.get(key)
        if hit is None:
            best: CategoryRuleDoc | None = None
            for c in self.categories:
                if code.startswith(c.prefix) and (best is None or len(c.prefix) > len(best.prefix)):
                    best = c
            hit = best.severity if best else (50 if categories.is_emergency(code) else 0)
            self._memo[key] = hit
        return hit

    def pair_rule(self, a: str, b: str) -> Rule | None:
        """The rule two codes are compared under: one category (the same 小类) takes the wider
        of their two rules, so the answer does not depend on which came first; two categories
        take their scene pair's rule (either order, the longest prefixes), or None."""
        key = ("pair", a, b) if a <= b else ("pair", b, a)
        if key in self._memo:
            return self._memo[key]
        hit: Rule | None
        if a[: self.group_len] == b[: self.group_len]:
            ra, rb = self.category_rule(a), self.category_rule(b)
            wide = ra if (ra.radius_m, ra.window_s) >= (rb.radius_m, rb.window_s) else rb
            lines = [r for r in (ra.line_radius_m, rb.line_radius_m) if r is not None]
            hit = Rule(wide.name, wide.name_en, max(ra.radius_m, rb.radius_m),
                       max(ra.window_s, rb.window_s), max(lines) if lines else None)  # fmt: skip
        else:
            best: SceneRuleDoc | None = None
            best_len = -1
            for s in self.scenes:
                if (a.startswith(s.a) and b.startswith(s.b)) or (
                    a.startswith(s.b) and b.startswith(s.a)
                ):
                    length = len(s.a) + len(s.b)
                    if length > best_len:
                        best, best_len = s, length
            hit = (
                Rule(
                    f"场景规则 {best.a}+{best.b}",
                    f"scene rule {best.a}+{best.b}",
                    best.radius_m,
                    best.window_s,
                )
                if best
                else None
            )
        self._memo[key] = hit
        return hit

    def best_rule(
        self, code: str, lead: str | None, secondary: tuple[str, ...] = ()
    ) -> tuple[Rule, str] | None:
        """The widest rule ``code`` is compared with an incident under — its lead under the
        category or scene rule, a secondary category under the category rule only — with the
        category it matched; None when none applies.
        Memoised: the writer asks it for every candidate."""
        key = ("best", code, lead, secondary)
        if key in self._memo:
            return self._memo[key]
        best: tuple[Rule, str] | None = None
        for other in (lead, *secondary):
            if not other:
                continue
            # a scene's other categories take in reports of their own category only; a
            # scene rule applies with the lead, or scenes would chain (a crash, then a car
            # fire, then a gas smell, then every fall around the gas)
            if other is not lead and other[: self.group_len] != code[: self.group_len]:
                continue
            r = self.pair_rule(code, other)
            if r is not None and (
                best is None or (r.radius_m, r.window_s) > (best[0].radius_m, best[0].window_s)
            ):
                best = (r, other)
        self._memo[key] = best
        return best

    def outer_m(self, rule: Rule) -> float:
        """The farthest two reports can be and still merge under ``rule``: its radius at the
        same place and fully widened, or its radius along a grid line."""
        circle = rule.radius_m * self.same_place_factor + self.max_widening_m
        return max(circle, rule.line_radius_m or 0.0)

    def reach_m(self, code: str) -> float:
        """The farthest a report of ``code`` can merge with anything: where candidates are
        looked for, and which cells a writer locks."""
        key = ("reach", code)
        hit = self._memo.get(key)
        if hit is None:
            rules = [self.category_rule(code)]
            for s in self.scenes:
                if code.startswith(s.a) or code.startswith(s.b):
                    rules.append(Rule("", "", s.radius_m, s.window_s))
            for c in self.categories:  # siblings in the 小类 whose rule may be wider
                if c.prefix[: self.group_len] == code[: self.group_len] or code.startswith(
                    c.prefix
                ):
                    rules.append(Rule("", "", c.radius_m, c.window_s, c.line_radius_m))
            circle = max(r.radius_m for r in rules) * self.same_place_factor + self.max_widening_m
            lines = [r.line_radius_m for r in rules if r.line_radius_m is not None]
            hit = (max([circle, *lines]), max(r.window_s for r in rules))
            self._memo[key] = hit
        return hit[0]

    def group_reaches(
        self, code: str, own_accuracy_m: float = 0.0
    ) -> dict[str, tuple[float, float]]:
        """For each category group a report of ``code`` may share an incident with, how far
        to look for its incidents by distance alone: ``(precise, uncertain)`` — against an
        incident placed precisely only the report's own uncertainty widens the radius;
        against one with an ``accuracy_m`` the full widening may apply. Candidates are read
        by (group, cell) keys within these reaches, so a crash call reads the crashes, fires
        and injuries around it and a leak's kilometre only for leaks, not every open
        incident nearby; incidents at the same place or on the same grid line, which may
        lie farther, are read by those keys (``candidates.open_candidates``)."""
        widen = min(own_accuracy_m, self.max_widening_m)
        key = ("reaches", code, widen)
        hit = self._memo.get(key)
        if hit is None:
            hit = {}
            for other in categories.table():
                rule = self.pair_rule(code, other)
                if rule is None:
                    continue
                g = other[: self.group_len]
                # the same place and the same grid line are looked up by their own keys
                precise = rule.radius_m + widen
                full = rule.radius_m + self.max_widening_m
                was = hit.get(g, (0.0, 0.0))
                hit[g] = (max(was[0], precise), max(was[1], full))
            self._memo[key] = hit
        return hit

    def partner_groups(self, code: str) -> frozenset[str]:
        """Every category group a report of ``code`` may share an incident with."""
        key = ("partners", code)
        hit = self._memo.get(key)
        if hit is None:
            hit = frozenset(
                other[: self.group_len]
                for other in categories.table()
                if self.pair_rule(code, other) is not None
            )
            self._memo[key] = hit
        return hit

    def window_s(self, code: str) -> float:
        """The longest window a report of ``code`` can merge within."""
        self.reach_m(code)
        return self._memo[("reach", code)][1]


def compile_policy(doc: MergePolicyDoc) -> MergePolicy:
    return MergePolicy(
        default_radius_m=doc.default_radius_m,
        default_window_s=doc.default_window_s,
        cell_accuracy_m=doc.cell_accuracy_m,
        max_widening_m=doc.max_widening_m,
        same_place_factor=doc.same_place_factor,
        conflict_edge_fraction=doc.conflict_edge_fraction,
        point_snap_m=doc.point_snap_m,
        line_snap_m=doc.line_snap_m,
        categories=tuple(doc.categories),
        scenes=tuple(doc.scenes),
    )


def uniform(radius_m: float, window_s: float, group_len: int = GROUP_LEN) -> MergePolicy:
    """One radius and window for every category, no scenes, no widening or place evidence:
    the rule before issue 13 (kept for callers that pass a radius and window)."""
    return MergePolicy(
        default_radius_m=radius_m,
        default_window_s=window_s,
        cell_accuracy_m=0.0,
        max_widening_m=0.0,
        same_place_factor=1.0,
        conflict_edge_fraction=1.0,
        point_snap_m=0.0,
        line_snap_m=0.0,
        categories=(),
        scenes=(),
        group_len=group_len,
    )


def shipped_raw() -> dict[str, Any]:
    raw = json.loads(
        resources.files("yingji.intake").joinpath("data/merge_policy.json").read_text("utf-8")
    )
    raw.pop("_about", None)
    return raw


@cache
def shipped_doc() -> MergePolicyDoc:
    """The shipped defaults (``data/merge_policy.json``), validated as an admin's edit is."""
    return MergePolicyDoc.model_validate(shipped_raw())


@cache
def shipped() -> MergePolicy:
    return compile_policy(shipped_doc())
