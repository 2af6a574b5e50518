"""Risk grading of a risk point (风险分级): pure functions of values and of the band table in
force; no database, no clock.

LEC (作业条件危险性评价法, Graham–Kinney): D = L × E × C with each factor from its allowed set
(L likelihood 0.1–10, E exposure 0.5–10, C consequence 1–100). D is fractional (0.5×3×7 = 10.5)
and both D = 20 (1×0.5×40) and D = 70 (10×1×7) occur, so bands are half-open float intervals
stated with their inclusive side, never integer tables.

LS (风险矩阵): R = L × S, each 1–5; only 1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25 occur.

Direct judgement (直接判定): any listed item present makes the point red (重大风险), whatever a
score would say — the list is a rule table, not the hidden-hazard criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yingji.core.errors import ZhValueError

# Factor sets (cn_emergency_tables.json "lec", after the Graham–Kinney tables as repeated in
# the Chinese safety literature).
LEC_L: tuple[float, ...] = (10, 6, 3, 1, 0.5, 0.2, 0.1)
LEC_E: tuple[float, ...] = (10, 6, 3, 2, 1, 0.5)
LEC_C: tuple[float, ...] = (100, 40, 15, 7, 3, 1)
LS_RANGE = range(1, 6)
LEVELS: dict[str, tuple[str, str]] = {
    "red": ("重大风险", "Major risk"),
    "orange": ("较大风险", "Considerable risk"),
    "yellow": ("一般风险", "Moderate risk"),
    "blue": ("低风险", "Low risk"),
    "ungraded": ("不定级", "Ungraded"),
}
# Control level by colour (管控层级): company for red, workshop for orange, team for yellow,
# post for blue — the usual practice (UNSURE: no national text fixes it; a default only).
CONTROL_LEVEL = {"red": "company", "orange": "workshop", "yellow": "team", "blue": "post"}


@dataclass(frozen=True)
class Band:
    """``colour`` when ``low <op> score`` and ``score <op> high`` (None = unbounded)."""

    colour: str
    low: float | None
    low_inclusive: bool
    high: float | None
    high_inclusive: bool

    def holds(self, score: float) -> bool:
        if self.low is not None and (
            score < self.low or (score == self.low and not self.low_inclusive)
        ):
            return False
        return not (
            self.high is not None
            and (score > self.high or (score == self.high and not self.high_inclusive))
        )


@dataclass(frozen=True)
class Grade:
    score: float | None
    colour: str
    level: str
    level_en: str


# Default bands (issue 15): LEC D > 320 red; 160 < D ≤ 320 orange; 70 ≤ D ≤ 160 yellow;
# D < 70 blue (D = 70 is yellow). The classic table calls D < 20 "稍有危险，可以接受"; it stays
# blue unless an admin publishes a version that makes it ungraded.
DEFAULT_LEC_BANDS: list[dict[str, Any]] = [
    {"colour": "red", "low": 320, "low_inclusive": False, "high": None, "high_inclusive": False},
    {"colour": "orange", "low": 160, "low_inclusive": False, "high": 320, "high_inclusive": True},
    {"colour": "yellow", "low": 70, "low_inclusive": True, "high": 160, "high_inclusive": True},
    {"colour": "blue", "low": None, "low_inclusive": False, "high": 70, "high_inclusive": False},
]
# LS (variant B of the notes, widely used, NOT checked against DB37/T 2882): ≥ 20 red,
# 15–16 orange, 9–12 yellow, ≤ 8 blue. Published unconfirmed.
DEFAULT_LS_BANDS: list[dict[str, Any]] = [
    {"colour": "red", "low": 20, "low_inclusive": True, "high": None, "high_inclusive": False},
    {"colour": "orange", "low": 15, "low_inclusive": True, "high": 16, "high_inclusive": True},
    {"colour": "yellow", "low": 9, "low_inclusive": True, "high": 12, "high_inclusive": True},
    {"colour": "blue", "low": None, "low_inclusive": False, "high": 8, "high_inclusive": True},
]
DEFAULT_DIRECT_ITEMS: list[dict[str, str]] = [
    {"code": "mandatory_breach", "text": "违反法律、法规及国家标准中强制性条款的"},
    {"code": "major_hazard_source", "text": "涉及重大危险源的"},
    {
        "code": "ten_in_toxic_area",
        "text": "同一作业区域内作业人员 10 人及以上，存在有毒有害、易燃易爆场所的",
    },
    {
        "code": "past_fatal_accident",
        "text": "曾发生过死亡、重伤、重大财产损失事故，且现在发生事故的条件依然存在的",
    },
    {"code": "key_process_unchecked", "text": "涉及重点监管危险化工工艺未实现自动化控制的"},
]


def parse_bands(body: Any) -> list[dict[str, Any]]:
    """A band table an admin publishes: colours known, each score in at most one band."""
    if not isinstance(body, list) or not body:
        raise ZhValueError("分级表应为非空列表", "A band table is a non-empty list")
    bands = []
    for item in body:
        if not isinstance(item, dict) or item.get("colour") not in LEVELS:
            raise ZhValueError("每个分级应有已知颜色", "Each band needs a known colour")
        bands.append(
            {
                "colour": item["colour"],
                "low": None if item.get("low") is None else float(item["low"]),
                "low_inclusive": bool(item.get("low_inclusive", False)),
                "high": None if item.get("high") is None else float(item["high"]),
                "high_inclusive": bool(item.get("high_inclusive", False)),
            }
        )
    probes = {b[k] for b in bands for k in ("low", "high") if b[k] is not None}
    for p in sorted(probes | {p + 0.5 for p in probes} | {p - 0.5 for p in probes}):
        hits = [b["colour"] for b in bands if Band(**b).holds(p)]
        if len(hits) > 1:
            raise ZhValueError(
                f"分级区间重叠：{p:g} 同时属于 {'、'.join(hits)}",
                f"Bands overlap: {p:g} falls in {', '.join(hits)}",
            )
    return bands


def parse_direct_items(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, list) or not body:
        raise ZhValueError("直接判定清单应为非空列表", "The direct-judgement list is non-empty")
    items = []
    for item in body:
        if not isinstance(item, dict) or not item.get("code") or not item.get("text"):
            raise ZhValueError("每项应有 code 和 text", "Each item needs a code and a text")
        items.append({"code": str(item["code"]), "text": str(item["text"])})
    if len({i["code"] for i in items}) != len(items):
        raise ZhValueError("清单编码重复", "Item codes repeat")
    return items


def _factor(value: float, allowed: tuple[float, ...], name: str) -> float:
    if value not in allowed:
        shown = "、".join(f"{v:g}" for v in allowed)
        raise ZhValueError(
            f"{name} 取值 {value:g} 不在允许值 {shown} 中",
            f"{name} = {value:g} is not one of {', '.join(f'{v:g}' for v in allowed)}",
        )
    return value


def grade_score(score: float, bands: list[dict[str, Any]]) -> Grade:
    """The colour of ``score`` under ``bands``; a score no band holds is ungraded."""
    colour = next((b["colour"] for b in bands if Band(**b).holds(score)), "ungraded")
    zh, en = LEVELS[colour]
    return Grade(score=score, colour=colour, level=zh, level_en=en)


def lec(l: float, e: float, c: float, bands: list[dict[str, Any]]) -> Grade:  # noqa: E741
    """D = L × E × C graded by ``bands``; a factor outside its set is refused."""
    d = _factor(l, LEC_L, "L") * _factor(e, LEC_E, "E") * _factor(c, LEC_C, "C")
    return grade_score(round(d, 6), bands)


def ls(l: int, s: int, bands: list[dict[str, Any]]) -> Grade:  # noqa: E741
    """R = L × S (each 1–5) graded by ``bands``."""
    for name, value in (("L", l), ("S", s)):
        if value not in LS_RANGE:
            raise ZhValueError(
                f"{name} 应为 1–5 的整数，收到 {value}", f"{name} must be 1-5, not {value}"
            )
    return grade_score(float(l * s), bands)


def direct(items: list[str], allowed: list[dict[str, str]]) -> Grade:
    """Red when any listed item is present; an empty list is not a judgement."""
    known = {i["code"] for i in allowed}
    unknown = [i for i in items if i not in known]
    if unknown or not items:
        raise ZhValueError(
            f"直接判定项未知或为空：{'、'.join(unknown) or '（空）'}",
            f"Unknown or no direct-judgement items: {', '.join(unknown) or '(none)'}",
        )
    zh, en = LEVELS["red"]
    return Grade(score=None, colour="red", level=zh, level_en=en)


def worst(colours: list[str | None]) -> str | None:
    """The most serious colour of several (an enterprise's overall colour), None if none."""
    rank = {"red": 4, "orange": 3, "yellow": 2, "blue": 1}
    graded = [c for c in colours if c in rank]
    return max(graded, key=rank.__getitem__) if graded else None
