"""Who may command a response, and who may act on or see a task.

Commanders (the duty office, a headquarters, the committee) act on any task; a department
or sub-district operator on its own unit's tasks only.
"""

from __future__ import annotations

from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.command.models import Task

COMMAND_ROLES = frozenset({Role.admin, Role.duty_officer, Role.hq_commander, Role.committee})


ACTIVATE_ROLES = COMMAND_ROLES


def can_act(principal: Principal, task: Task) -> bool:
    """Commanders act on any task; an operator on the tasks of its own department or
    sub-district."""
    if principal.role in COMMAND_ROLES:
        return True
    if principal.role == Role.department_operator:
        return task.scope_type == "department" and task.scope_code == principal.scope_code
    if principal.role == Role.subdistrict_operator:
        return task.scope_type == "subdistrict" and task.scope_code == principal.scope_code
    return False


def can_see(principal: Principal, task: Task) -> bool:
    return principal.role == Role.viewer or can_act(principal, task)


def scope_filter(principal: Principal) -> tuple[str, str] | None:
    """The (scope type, code) a caller's task list is confined to, or None for all."""
    if principal.role == Role.department_operator:
        return ("department", principal.scope_code or "")
    if principal.role == Role.subdistrict_operator:
        return ("subdistrict", principal.scope_code or "")
    return None
