"""Who may read and change which enterprise.

- Reading: the district-wide roles, the bureau and other departments, a sub-district's staff
  and grid workers for the enterprises of their sub-district, an enterprise's own safety staff
  (and its own systems' tokens) for that enterprise only.
- Creating an enterprise and changing what the bureau decides (code, kind, industry, place,
  standardisation, major hazard): the administrator and the emergency bureau (区应急管理局).
- An enterprise's own staff keep its people and contacts, licences and units up to date.
"""

from __future__ import annotations

from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.errors import forbidden

BUREAU = "DEPT-EM"
READERS = tuple(Role)
# What an enterprise's own staff may change of its ledger entry.
SELF_SERVICE_FIELDS = frozenset(
    {
        "address", "legal_rep_name", "legal_rep_phone", "principal_name", "principal_phone",
        "safety_manager_name", "safety_manager_phone", "contacts", "employees",
    }
)  # fmt: skip


def is_bureau(principal: Principal) -> bool:
    return principal.is_admin or (
        principal.role == Role.department_operator and principal.scope_code == BUREAU
    )


def require_bureau(principal: Principal) -> None:
    if not is_bureau(principal):
        raise forbidden(
            "只有区应急管理局或管理员可以执行此操作",
            "Only the district emergency bureau or an administrator may do this",
        )


def require_read(principal: Principal, code: str, subdistrict_code: str) -> None:
    """Refuse an enterprise outside the caller's enterprise or sub-district."""
    principal.require_enterprise(code, subdistrict_code)


def require_edit(principal: Principal, code: str, subdistrict_code: str, fields: set[str]) -> None:
    """The bureau changes anything; the enterprise's own staff only the self-service fields."""
    if is_bureau(principal):
        return
    if principal.enterprise_scope() == code and principal.role == Role.enterprise_user:
        others = sorted(fields - SELF_SERVICE_FIELDS)
        if others:
            raise forbidden(
                f"企业用户不能修改：{'、'.join(others)}（由区应急管理局维护）",
                f"An enterprise user cannot change: {', '.join(others)} (kept by the bureau)",
                field=others[0],
            )
        return
    require_read(principal, code, subdistrict_code)
    raise forbidden("无权修改该企业", "Not allowed to change this enterprise")


def require_keep(principal: Principal, code: str) -> None:
    """Licences and units: the bureau or the enterprise's own staff."""
    if is_bureau(principal):
        return
    if principal.role == Role.enterprise_user and principal.enterprise_scope() == code:
        return
    raise forbidden(
        "只有本企业人员或区应急管理局可以修改证照和单元",
        "Only the enterprise's own staff or the bureau may change licences and units",
    )
