"""Command's records follow an incident into a merge (``intake.service.MergeFollower``).

Intake merges incidents without reading command's tables; it asks this follower whether the
merge may go ahead and then to move command's records to the lead, in the same transaction:
tasks, warnings to the surroundings, consultation messages and plan activations keep only
an incident id, so they follow with an UPDATE of that id.

Refused: merging two incidents that each run a plan (an active activation). Two responses
with their own frozen plans, tasks and deadlines cannot be made one by a click; the
commander ends one response first (or merges the incidents the other way round, once only
one runs a plan). One running plan follows the lead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.command.models import Activation, Message, Review, Task, Warning
from yingji.core.errors import ApiError, conflict
from yingji.intake import service as intake

_NAMES = {
    "tasks": "任务",
    "warnings": "预警",
    "messages": "会商消息",
    "activations": "预案响应",
    "reviews": "总结评估",
}


class CommandFollower:
    def refusal(self, db: Session, incident_ids: list[int]) -> ApiError | None:
        running = sorted(
            set(
                db.scalars(
                    select(Activation.incident_id).where(
                        Activation.incident_id.in_(incident_ids), Activation.status == "active"
                    )
                )
            )
        )
        if len(running) < 2:
            return None
        names = "、".join(f"#{i}" for i in running)
        return conflict(
            "plans_running",
            f"事件 {names} 各自正在执行应急预案，不能合并：请先结束其中一个预案响应",
            f"Incidents {', '.join(f'#{i}' for i in running)} each run a plan and cannot be "
            "merged: end one of the responses first",
            field="incident_ids",
        )

    def follow(
        self, db: Session, *, lead_id: int, merged_ids: list[int], now: datetime
    ) -> intake.Followed | None:
        moved: dict[str, int] = {}
        for name, model in (
            ("tasks", Task),
            ("warnings", Warning),
            ("messages", Message),
            ("activations", Activation),
        ):
            result = db.execute(
                update(model).where(model.incident_id.in_(merged_ids)).values(incident_id=lead_id)
            )
            moved[name] = int(result.rowcount or 0)  # type: ignore[attr-defined]  # Result of an UPDATE is a CursorResult at run time
        # one review per incident: a merged incident's review follows only if the lead has none
        has_review = db.scalar(select(Review.id).where(Review.incident_id == lead_id))
        if has_review is None:
            review = db.scalar(
                select(Review).where(Review.incident_id.in_(merged_ids)).order_by(Review.id)
            )
            if review is not None:
                review.incident_id = lead_id
                moved["reviews"] = 1
        if not any(moved.values()):
            return None
        parts = [f"{_NAMES[k]} {v} 项" for k, v in moved.items() if v]
        return intake.Followed(
            "随合并转入本事件：" + "、".join(parts),
            "followed the merge: " + ", ".join(f"{v} {k}" for k, v in moved.items() if v),
            {"moved": moved, "from": merged_ids},
        )


intake.register_merge_follower(CommandFollower())
