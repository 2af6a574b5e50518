# ruff: noqa: E501  (demo rows, one field per line)
"""Demo hidden hazards in every state of the loop, over the demo's enterprises.

About 640 hazards found over the last three months: most closed, some rectifying (a tenth of
them overdue, told and escalated), some waiting for verification, a few 重大 ones with their
treatment plans, two under listed supervision, one applying to resume. Each has the timeline
its state implies; the rectifying ones have their deadline timers on the shared scheduler.
Deterministic: a function of the seed and ``today``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from yingji.demo import names
from yingji.demo.enterprises import EnterprisesDemo
from yingji.prevention.hazard import criteria
from yingji.prevention.hazard.models import Hazard, HazardEvent
from yingji.prevention.hazard.service import DEADLINE
from yingji.scheduling import timers

HAZARDS = 640
DESCRIPTIONS = (
    "灭火器压力不足", "安全出口堵塞", "消防通道堆放杂物", "可燃气体报警器未校验", "静电接地线断开",
    "配电箱未上锁", "防护罩缺失", "叉车司机无证作业", "受限空间作业未审批", "应急照明损坏",
    "危化品标签脱落", "储罐液位计失灵", "洗眼器无水", "动火作业未设监护人", "安全警示标志缺失",
    "员工未佩戴防护用品", "电缆沟积水", "消防栓被遮挡", "仓库超量储存", "安全阀超期未检",
)  # fmt: skip
# state → share of the hazards (closed most, as in a working system)
MIX = (("closed", 0.55), ("verified", 0.05), ("rectified", 0.09), ("rectifying", 0.22),
       ("registered", 0.09))  # fmt: skip
PATH = {
    "registered": ["registered"],
    "rectifying": ["registered", "rectifying"],
    "rectified": ["registered", "rectifying", "rectified"],
    "verified": ["registered", "rectifying", "rectified", "verified"],
    "closed": ["registered", "rectifying", "rectified", "verified", "closed"],
    "resume_applied": ["registered", "treatment_plan", "listed_supervision", "rectifying",
                       "rectified", "verified", "evaluated", "resume_applied"],
}  # fmt: skip


def load_hazards_demo(
    session: Session, data: EnterprisesDemo, point_ids: list[int], *, seed: int, today: date
) -> int:
    """Insert the demo hazards with their timelines and timers (the caller commits)."""
    rng = random.Random(f"hazards-{seed}")
    ents = data.enterprises
    points_of: dict[str, list[int]] = {}
    for p, pid in zip(data.risk_points, point_ids, strict=True):
        points_of.setdefault(p["enterprise_code"], []).append(pid)
    now = datetime.combine(today, time(8), tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    paths: list[list[str]] = []
    states = [s for s, share in MIX for _ in range(round(share * HAZARDS))]
    for i, state in enumerate(states[:HAZARDS]):
        e = rng.choice(ents)
        major = i % 23 == 0
        if i == 5:
            state, major = "resume_applied", True
        table = criteria.table_for(e["kind"])
        found = now - timedelta(days=rng.randint(1, 90), hours=rng.randint(0, 12))
        deadline = (found + timedelta(days=rng.choice((3, 7, 15, 30)))).date()
        if state == "rectifying" and rng.random() < 0.45:
            deadline = today - timedelta(days=rng.randint(1, 20))  # overdue
        if state == "rectifying" and deadline < today and rng.random() < 0.5:
            deadline = today + timedelta(days=rng.randint(1, 10))
        started = state != "registered"
        rows.append(
            {
                "enterprise_code": e["code"], "subdistrict_code": e["subdistrict_code"],
                "industry_code": e["industry_code"],
                "risk_point_id": rng.choice(points_of[e["code"]]), "source": rng.choice(
                    ("inspection", "inspection", "inspection", "manual", "supervision")),
                "source_ref": "", "grade": "major" if major else "general",
                "criteria": [rng.choice(table.default)["code"]] if major else [],
                "rule_kind": table.kind, "rule_version": 1,
                "description": rng.choice(DESCRIPTIONS), "location": "", "media_ids": [],
                "found_by": names.person_name(rng), "found_at": found, "state": state,
                "deadline": deadline if started else None,
                "responsible_name": e["safety_manager_name"] if started else "",
                "responsible_phone": e["safety_manager_phone"] if started else "",
                "measures": "按规定整改" if started else "", "funds_yuan": None,
                "treatment_plan": _plan() if major else None,
                "rectified_by": "demo" if state in ("rectified", "verified", "closed", "resume_applied") else None,
                "rectified_at": found + timedelta(days=2) if state not in ("registered", "rectifying") else None,
                "verified_by": "bureau" if state in ("verified", "closed", "resume_applied") else None,
                "verified_at": found + timedelta(days=3) if state in ("verified", "closed", "resume_applied") else None,
                "closed_at": found + timedelta(days=4) if state == "closed" else None,
                "evaluation": {"by": "企业技术负责人", "agency": "", "conclusion": "已消除"}
                if major and state in ("closed", "resume_applied") else None,
                "resume_applied_at": now if state == "resume_applied" else None,
                "listed_supervision": state == "resume_applied" or (major and state == "rectifying"),
                "stop_ordered": state == "resume_applied",
                "overdue": state == "rectifying" and deadline < today,
                "created_at": found, "updated_at": found,
            }
        )  # fmt: skip
        paths.append(PATH[state] + (["overdue"] if rows[-1]["overdue"] else []))
    ids = session.scalars(
        insert(Hazard).returning(Hazard.id, sort_by_parameter_order=True), rows
    ).all()
    events = [
        {
            "hazard_id": hid, "kind": kind, "at": row["found_at"] + timedelta(hours=6 * k),
            "actor_type": "user", "actor_id": "demo", "actor_name": row["found_by"], "data": {},
            "reason": "",
        }
        for hid, row, path in zip(ids, rows, paths, strict=True)
        for k, kind in enumerate(path)
    ]  # fmt: skip
    session.execute(insert(HazardEvent), events)
    timers.schedule_many(
        session,
        [
            {"kind": DEADLINE, "ref_id": hid, "payload": {"deadline": row["deadline"].isoformat()},
             "due_at": datetime.combine(row["deadline"] + timedelta(days=1), time(0), tzinfo=UTC)
             - timedelta(hours=8)}
            for hid, row in zip(ids, rows, strict=True)
            if row["state"] == "rectifying" and not row["overdue"]
        ],
        now=now,
    )  # fmt: skip
    return len(ids)


def _plan() -> dict[str, str]:
    return {
        "measures": "停用相关设施，制定整改方案并组织实施",
        "responsibility": "企业主要负责人",
        "funds": "企业自筹",
        "deadline": "30日内",
        "contingency": "现场处置方案已修订并演练",
    }
