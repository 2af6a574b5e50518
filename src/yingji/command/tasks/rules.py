"""Task lifecycle, as data: assigned → accepted → en_route → on_scene → completed, or refused
with a reason, or reassigned to another party by a commander.

A party may skip forward (a sub-district already on the scene accepts and arrives at once),
never back.
"""

from __future__ import annotations

STATUSES = ("assigned", "accepted", "en_route", "on_scene", "completed", "refused", "reassigned")
TERMINAL = frozenset({"completed", "refused", "reassigned"})
OPEN = tuple(s for s in STATUSES if s not in TERMINAL)
STATUS_NAMES = {
    "assigned": "已下达",
    "accepted": "已接收",
    "en_route": "在途",
    "on_scene": "已到场",
    "completed": "已完成",
    "refused": "已拒绝",
    "reassigned": "已改派",
}
PROGRESS = ("assigned", "accepted", "en_route", "on_scene", "completed")

# the moves a party makes on its own task
PARTY_MOVES: dict[str, frozenset[str]] = {
    "assigned": frozenset({"accepted", "en_route", "on_scene", "completed", "refused"}),
    "accepted": frozenset({"en_route", "on_scene", "completed"}),
    "en_route": frozenset({"on_scene", "completed"}),
    "on_scene": frozenset({"completed"}),
}
REASSIGNABLE = frozenset({"assigned", "accepted", "en_route", "refused"})

# a deadline is met once the task reached this status (or a later one)
MET_BY = {
    "accepted": frozenset({"accepted", "en_route", "on_scene", "completed"}),
    "on_scene": frozenset({"on_scene", "completed"}),
    "completed": frozenset({"completed"}),
}


def check_move(status: str, to: str) -> str | None:
    """None if a party may move its task from ``status`` to ``to``; else the reason code."""
    if to not in STATUSES:
        return "unknown_status"
    if to == "reassigned":
        return "use_reassign"
    if to not in PARTY_MOVES.get(status, frozenset()):
        return "illegal_transition"
    return None


def allowed_next(status: str) -> list[str]:
    return [s for s in STATUSES if s in PARTY_MOVES.get(status, frozenset())]


def deadline_met(status: str, deadline_for: str) -> bool:
    return status in MET_BY.get(deadline_for, MET_BY["completed"])


def stamps_for(status: str, to: str) -> list[str]:
    """The progress stamps a move sets: its own, and ``accepted_at`` when acceptance was
    skipped (doing a task accepts it). Skipped en-route / on-scene steps stay unstamped: a
    task done at a desk never went to the scene, and "first on scene" must not say so."""
    if to not in PROGRESS or to == "assigned":
        return []
    stamps = [f"{to}_at"]
    if status == "assigned" and to != "accepted":
        stamps.insert(0, "accepted_at")
    return stamps
