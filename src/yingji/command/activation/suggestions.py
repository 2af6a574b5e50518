"""Plans that apply to an incident (预案匹配), best first, with the response level and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yingji.command.incidents import IncidentRef
from yingji.command.plans import rules as plan_rules
from yingji.command.plans import service as plans


def suggestions(db: Session, incident: IncidentRef) -> list[dict[str, Any]]:
    """Plans that apply to the incident, best first, with the response level and why."""
    out: list[dict[str, Any]] = []
    for plan, version, doc in plans.current_documents(db):
        s = plan_rules.suggest(doc, incident)
        if s is None:
            continue
        level = plan_rules.level_of(doc, s.response_level)
        out.append(
            {
                "plan": {"id": plan.id, "code": plan.code, "name": plan.name, "kind": plan.kind},
                "version": version.version,
                "score": s.score,
                "category_match": s.category_match,
                "level_ok": s.level_ok,
                "conditions_met": s.conditions_met,
                "conditions_unmet": s.conditions_unmet,
                "response_level": s.response_level,
                "response_name": level.name,
                "lead": level.lead.model_dump(),
                "task_count": sum(
                    len(p.actions)
                    for r in plan_rules.levels_in_force(doc, s.response_level)
                    for p in r.parties
                ),
            }
        )
    out.sort(key=lambda x: (-x["score"], x["plan"]["code"]))
    return out
