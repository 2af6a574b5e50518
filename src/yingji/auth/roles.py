"""Roles and the kind of scope each is bound to."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    committee = "committee"
    hq_commander = "hq_commander"
    duty_officer = "duty_officer"
    department_operator = "department_operator"
    subdistrict_operator = "subdistrict_operator"
    grid_worker = "grid_worker"
    enterprise_user = "enterprise_user"
    viewer = "viewer"
    # a micro rescue station's crew (微型应急救援站), bound to the station's sub-district: they
    # see the alarms given to their station and accept, set out, arrive
    station = "station"


class ScopeType(StrEnum):
    district = "district"
    headquarters = "headquarters"
    department = "department"
    subdistrict = "subdistrict"
    enterprise = "enterprise"


ROLE_SCOPE: dict[Role, ScopeType] = {
    Role.admin: ScopeType.district,
    Role.committee: ScopeType.district,
    Role.duty_officer: ScopeType.district,
    Role.viewer: ScopeType.district,
    Role.hq_commander: ScopeType.headquarters,
    Role.department_operator: ScopeType.department,
    Role.subdistrict_operator: ScopeType.subdistrict,
    Role.grid_worker: ScopeType.subdistrict,
    Role.enterprise_user: ScopeType.enterprise,
    Role.station: ScopeType.subdistrict,
}

ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.admin: ("系统管理员", "Administrator"),
    Role.committee: ("应急委领导", "Emergency committee"),
    Role.hq_commander: ("指挥部指挥", "Headquarters commander"),
    Role.duty_officer: ("值班员", "Duty officer"),
    Role.department_operator: ("部门操作员", "Department operator"),
    Role.subdistrict_operator: ("街道操作员", "Sub-district operator"),
    Role.grid_worker: ("网格员", "Grid worker"),
    Role.enterprise_user: ("企业安全员", "Enterprise safety officer"),
    Role.viewer: ("只读用户", "Viewer"),
    Role.station: ("微型救援站", "Micro rescue station"),
}

# Roles that see the whole district's territory (grid, sub-districts).
DISTRICT_WIDE = frozenset(
    {
        Role.admin,
        Role.committee,
        Role.duty_officer,
        Role.viewer,
        Role.hq_commander,
        Role.department_operator,
    }
)
# Roles confined to the territory of their own sub-district.
SUBDISTRICT_BOUND = frozenset({Role.subdistrict_operator, Role.grid_worker, Role.station})
