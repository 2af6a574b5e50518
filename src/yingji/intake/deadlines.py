"""Statutory reporting clocks of a production-safety accident (事故报告时限).

《生产安全事故报告和调查处理条例》: 第九条 — the unit's head reports to the safety supervision
department of the county-level government within 1 hour of learning of the accident;
第十条/第十一条 — each department reports upward level by level, each step within 2 hours:
一般 (IV) up to the 设区的市 level, 较大 (III) up to the province, 重大 and 特别重大 (I, II)
up to the State Council's department. The clocks start when the accident became known (here:
when the first report reached the platform). Pure: ``now`` is always passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

FIRST_REPORT_H = 1
EACH_LEVEL_UP_H = 2

# (step key, authority, hours after the previous step)
_STEPS: tuple[tuple[str, str, str, int], ...] = (
    ("county", "县级人民政府安全生产监督管理部门", "county government", FIRST_REPORT_H),
    ("city", "设区的市级人民政府安全生产监督管理部门", "city government", EACH_LEVEL_UP_H),
    ("province", "省级人民政府安全生产监督管理部门", "provincial government", EACH_LEVEL_UP_H),
    ("state", "国务院安全生产监督管理部门", "State Council department", EACH_LEVEL_UP_H),
)
_TOP_STEP = {"IV": "city", "III": "province", "II": "state", "I": "state"}
BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_text(at: datetime) -> str:
    """A time as people on duty read it in a message: Beijing time to the minute
    (``2026-11-29 12:49``). The machine-readable time travels beside it in the entry's data."""
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class Deadline:
    step: str
    authority: str
    authority_en: str
    due_at: datetime

    def as_dict(self) -> dict[str, str]:
        return {
            "step": self.step,
            "authority": self.authority,
            "authority_en": self.authority_en,
            "due_at": self.due_at.isoformat(),
        }


def deadlines(known_at: datetime, level: str) -> list[Deadline]:
    """Every report the level requires, with the time it is due."""
    out: list[Deadline] = []
    due = known_at
    for key, authority, authority_en, hours in _STEPS:
        due = due + timedelta(hours=hours)
        out.append(Deadline(key, authority, authority_en, due))
        if key == _TOP_STEP[level]:
            break
    return out


def overdue(items: list[Deadline], *, done: set[str], now: datetime) -> list[Deadline]:
    """The deadlines passed (``now`` after ``due_at``) whose report has not been made."""
    return [d for d in items if d.step not in done and now > d.due_at]


def next_due(items: list[Deadline], *, done: set[str]) -> Deadline | None:
    pending = [d for d in items if d.step not in done]
    return pending[0] if pending else None


def from_stored(stored: list[dict[str, str]]) -> list[Deadline]:
    """An incident's deadlines as stored (``Deadline.as_dict``), in order."""
    return [
        Deadline(d["step"], d["authority"], d["authority_en"], datetime.fromisoformat(d["due_at"]))
        for d in stored
    ]


def pending_due_at(stored: list[dict[str, str]], done: list[str] | set[str]) -> datetime | None:
    """When the next report not yet made falls due (each step falls due after the one
    before); None when every report is made or none is required."""
    pending = next_due(from_stored(stored), done=set(done))
    return pending.due_at if pending else None
