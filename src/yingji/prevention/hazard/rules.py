"""The hidden-hazard closed loop (隐患排查治理闭环) as a pure state machine.

Sources: 《安全生产事故隐患排查治理暂行规定》(原国家安监总局令第16号): 第三条 一般/重大 definitions
(sure); 第十五条 a 重大 hazard's treatment plan (治理方案) holds 目标任务、方法措施、经费物资、
机构人员、时限要求、安全措施和应急预案 — the issue's five elements 措施、责任、资金、时限、预案 are
these grouped (UNSURE on wording); 第十八条 a 重大 hazard's treatment is evaluated (评估) by the
enterprise's technical staff or an outside agency before it is closed; 第二十三条 where the
regulator listed it or ordered a stop, the enterprise applies in writing to resume and the
regulator reviews on site within 10 days, then cancels it (核销) or orders more work (UNSURE:
the 10 days are from the notes, not read in the text).

No database and no clock: a step is checked against the hazard's facts and the actor's part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from yingji.core.errors import conflict, forbidden, invalid

STATES = ("registered", "rectifying", "rectified", "verified", "resume_applied", "closed")
STATE_LABELS: dict[str, tuple[str, str]] = {
    "registered": ("已登记", "Registered"),
    "rectifying": ("整改中", "Rectifying"),
    "rectified": ("已整改", "Rectified"),
    "verified": ("已验收", "Verified"),
    "resume_applied": ("申请复产", "Resumption applied"),
    "closed": ("已销号", "Closed"),
}
GRADES = {"general": ("一般隐患", "General"), "major": ("重大隐患", "Major")}
PLAN_ELEMENTS: dict[str, str] = {
    "measures": "措施（目标任务、方法措施、安全措施）",
    "responsibility": "责任（机构人员）",
    "funds": "资金（经费物资）",
    "deadline": "时限（时限要求）",
    "contingency": "预案（应急预案）",
}
RESUME_REVIEW_DAYS = 10  # 16号令 第二十三条 (UNSURE, see the module docstring)


@dataclass(frozen=True)
class Facts:
    """What a step needs to know of the hazard."""

    state: str
    grade: str
    has_plan: bool
    evaluated: bool
    rectified_by: str | None
    listed_or_stopped: bool


@dataclass(frozen=True)
class Actor:
    """Who acts, in the loop's terms: their id, and whether they are the bureau."""

    id: str
    bureau: bool
    enterprise: bool


def _state(facts: Facts, *allowed: str, action: str) -> None:
    if facts.state not in allowed:
        zh = STATE_LABELS[facts.state][0]
        raise conflict(
            "hazard_wrong_state",
            f"隐患当前为「{zh}」，不能{action}",
            f"The hazard is {facts.state}; it cannot be {action!r} now",
            field="state",
        )


def start(facts: Facts, *, deadline: date, today: date) -> str:
    """登记 → 整改中: a deadline from today on; a 重大 hazard needs its treatment plan first."""
    _state(facts, "registered", action="开始整改")
    if facts.grade == "major" and not facts.has_plan:
        raise conflict(
            "treatment_plan_required",
            "重大隐患须先制定治理方案（措施、责任、资金、时限、预案），方可整改",
            "A major hazard needs its treatment plan (measures, responsibility, funds, "
            "deadline, contingency) before rectification",
            field="treatment_plan",
        )
    if deadline < today:
        raise invalid("deadline", "整改期限不能早于今天", "The deadline cannot be in the past")
    return "rectifying"


def check_plan(plan: dict[str, str]) -> None:
    """The five elements, each given."""
    missing = [k for k in PLAN_ELEMENTS if not str(plan.get(k, "")).strip()]
    if missing:
        zh = "、".join(PLAN_ELEMENTS[k] for k in missing)
        raise invalid(
            f"treatment_plan.{missing[0]}",
            f"治理方案缺少：{zh}",
            f"The treatment plan lacks: {', '.join(missing)}",
            code="treatment_plan_incomplete",
        )


def plan(facts: Facts) -> None:
    if facts.grade != "major":
        raise conflict(
            "plan_for_major_only", "治理方案仅适用于重大隐患",
            "A treatment plan is for major hazards", field="grade",
        )  # fmt: skip
    _state(facts, "registered", "rectifying", action="制定治理方案")


def rectified(facts: Facts) -> str:
    """整改中 → 已整改 (with photos)."""
    _state(facts, "rectifying", action="报告整改完成")
    return "rectified"


def verify(facts: Facts, *, actor: Actor, accept: bool) -> str:
    """已整改 → 已验收, or back to 整改中: by anyone but the one who reported the rectification."""
    _state(facts, "rectified", action="验收")
    if facts.rectified_by is not None and actor.id == facts.rectified_by:
        raise forbidden(
            "验收人不能是报告整改完成的人",
            "The person who reported the rectification cannot verify it",
            field="verified_by",
        )
    return "verified" if accept else "rectifying"


def evaluate(facts: Facts) -> None:
    """评估 of a 重大 hazard's treatment, after verification (16号令 第十八条)."""
    if facts.grade != "major":
        raise conflict(
            "evaluation_for_major_only", "治理效果评估仅适用于重大隐患",
            "An evaluation is for major hazards", field="grade",
        )  # fmt: skip
    _state(facts, "verified", action="评估")


def close(facts: Facts, *, actor: Actor) -> str:
    """已验收 → 已销号. A 重大 hazard: evaluated, and closed by the bureau, not the enterprise;
    listed or stopped ones go through the resume application instead."""
    _state(facts, "verified", action="销号")
    if facts.grade == "major":
        if not actor.bureau:
            raise forbidden(
                "重大隐患须由应急管理部门核销，企业不能自行销号",
                "A major hazard is closed by the bureau, not by the enterprise",
                field="state",
            )
        if not facts.evaluated:
            raise conflict(
                "evaluation_required", "重大隐患销号前须完成治理效果评估",
                "A major hazard is evaluated before it is closed", field="evaluation",
            )  # fmt: skip
        if facts.listed_or_stopped:
            raise conflict(
                "resume_application_required",
                "挂牌督办或责令停产的重大隐患须经企业书面申请复产、部门现场审查后核销",
                "A listed or stopped hazard is closed through the written resume application "
                "and the bureau's on-site review",
                field="state",
            )
    return "closed"


def apply_resume(facts: Facts, *, actor: Actor) -> str:
    """The enterprise's written application to resume (已验收 and evaluated)."""
    _state(facts, "verified", action="申请复产")
    if not facts.listed_or_stopped:
        raise conflict(
            "resume_not_needed", "未挂牌督办或责令停产，无需申请复产",
            "Not listed or stopped: no resume application is needed", field="state",
        )  # fmt: skip
    if not facts.evaluated:
        raise conflict(
            "evaluation_required", "申请复产前须完成治理效果评估",
            "The treatment is evaluated before applying to resume", field="evaluation",
        )  # fmt: skip
    return "resume_applied"


def review_resume(facts: Facts, *, actor: Actor, accept: bool) -> str:
    """The bureau's on-site review: 核销 (closed) or more work (rectifying)."""
    _state(facts, "resume_applied", action="审查复产申请")
    require_bureau(actor)
    return "closed" if accept else "rectifying"


def review_due(applied_on: date) -> date:
    return applied_on + timedelta(days=RESUME_REVIEW_DAYS)


def reopen(facts: Facts, *, actor: Actor) -> str:
    """Only the bureau reopens a closed hazard (with a reason)."""
    _state(facts, "closed", action="重新打开")
    require_bureau(actor)
    return "rectifying"


def supervise(facts: Facts, *, actor: Actor) -> None:
    """挂牌督办: the bureau lists a hazard that is not closed."""
    require_bureau(actor)
    if facts.state == "closed":
        raise conflict(
            "hazard_closed", "已销号的隐患不能挂牌督办", "A closed hazard cannot be listed",
            field="state",
        )  # fmt: skip


def extension(facts: Facts, *, current: date | None, proposed: date) -> None:
    """An extension asks for a later deadline while rectifying."""
    _state(facts, "rectifying", action="申请延期")
    if current is not None and proposed <= current:
        raise invalid(
            "deadline", "延期后的期限应晚于现期限", "The new deadline must be later than the old"
        )


def require_bureau(actor: Actor) -> None:
    if not actor.bureau:
        raise forbidden(
            "只有区应急管理局可以执行此操作", "Only the district emergency bureau may do this"
        )


def overdue(state: str, deadline: date | None, today: date) -> bool:
    """Past its deadline and not yet rectified (a rectified hazard waits on its verifier)."""
    return state in ("registered", "rectifying") and deadline is not None and deadline < today
