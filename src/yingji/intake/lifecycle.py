"""Incident lifecycle: reported → verified → responding → controlled → closed, or false_alarm;
or merged, when a duty officer merges it into another incident (``corrections``: it is kept,
pointing at the incident it joined, and nothing moves it again).

Screening (甄别研判) is the first step: a duty officer verifies a reported incident or marks
it a false alarm. Which role may make which move is data here, so the rule reads in one
place; sub-district operators act only in their own sub-district (checked by the caller).
"""

from __future__ import annotations

from yingji.auth.roles import Role

STATUSES = ("reported", "verified", "responding", "controlled", "closed", "false_alarm", "merged")
TERMINAL = frozenset({"closed", "false_alarm", "merged"})
OPEN = tuple(s for s in STATUSES if s not in TERMINAL)
STATUS_NAMES = {
    "reported": "已接报",
    "verified": "已核实",
    "responding": "处置中",
    "controlled": "已控制",
    "closed": "已结案",
    "false_alarm": "误报",
    "merged": "已合并",
}
# who may screen (甄别研判): verify, mark a false alarm, and correct the machine's merging,
# classification and location (``corrections``)
SCREENING_ROLES = frozenset({Role.admin, Role.duty_officer})

_SCREEN = SCREENING_ROLES
_COMMAND = frozenset({Role.admin, Role.duty_officer, Role.hq_commander, Role.committee})
_LOCAL = _COMMAND | {Role.subdistrict_operator}

# (from, to) → the roles allowed to make the move
TRANSITIONS: dict[tuple[str, str], frozenset[Role]] = {
    ("reported", "verified"): _SCREEN,
    ("reported", "false_alarm"): _SCREEN,
    ("verified", "false_alarm"): _SCREEN,
    ("verified", "responding"): _LOCAL,
    ("responding", "controlled"): _LOCAL,
    ("controlled", "responding"): _LOCAL,  # flared up again
    ("controlled", "closed"): _COMMAND,
    ("verified", "closed"): _COMMAND,  # handled without a response
}


def allowed_next(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def check(status: str, to: str, role: Role | None) -> str | None:
    """None if the move is allowed, else the reason code: unknown, illegal or role."""
    if to not in STATUSES:
        return "unknown_status"
    roles = TRANSITIONS.get((status, to))
    if roles is None:
        return "illegal_transition"
    if role is None or role not in roles:
        return "role_not_allowed"
    return None
