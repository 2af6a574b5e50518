"""Who may read and write which resource.

- Reading catalogues, warehouses and stock totals, teams, experts, stations and videos: the
  district-wide roles and the department and sub-district operators (a department must see
  others' stock to ask for it).
- A warehouse's batches and movements ledger: the district-wide roles, and the operators of
  the owning department or sub-district — scoped users see their own ledgers only.
- Writing: the administrator, and the operators of the owning department or sub-district.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.errors import forbidden
from yingji.resources import supplies

READERS = (
    Role.admin,
    Role.committee,
    Role.hq_commander,
    Role.duty_officer,
    Role.department_operator,
    Role.subdistrict_operator,
    Role.viewer,
)
# Roles whose view is the whole district: they read every ledger.
LEDGER_READERS = frozenset(
    {Role.admin, Role.committee, Role.hq_commander, Role.duty_officer, Role.viewer}
)
# Dispatching a team is a command decision.
DISPATCHERS = (Role.admin, Role.duty_officer, Role.hq_commander)


def owns(principal: Principal, owner_type: str, owner_code: str) -> bool:
    """Whether the principal operates for this owner (a department or a sub-district)."""
    if principal.role == Role.department_operator:
        return owner_type == "department" and principal.scope_code == owner_code
    if principal.role == Role.subdistrict_operator:
        return owner_type == "subdistrict" and principal.scope_code == owner_code
    return False


def can_write(principal: Principal, owner_type: str, owner_code: str) -> bool:
    return principal.is_admin or owns(principal, owner_type, owner_code)


def require_write(principal: Principal, owner_type: str, owner_code: str) -> None:
    if not can_write(principal, owner_type, owner_code):
        raise forbidden(
            "只有管理员或所属单位的操作员可以修改", "Only the owner or an admin may change this"
        )


def can_read_ledger(principal: Principal, owner_type: str, owner_code: str) -> bool:
    return principal.role in LEDGER_READERS or owns(principal, owner_type, owner_code)


def require_ledger(principal: Principal, owner_type: str, owner_code: str) -> None:
    if not can_read_ledger(principal, owner_type, owner_code):
        raise forbidden("只能查看本单位仓库的台账", "You may see your own warehouses' ledgers only")


def own_owner(principal: Principal) -> tuple[str, str] | None:
    """(owner type, code) the principal operates for, or None for district-wide roles."""
    if principal.role == Role.department_operator and principal.scope_code:
        return "department", principal.scope_code
    if principal.role == Role.subdistrict_operator and principal.scope_code:
        return "subdistrict", principal.scope_code
    return None


def ledger_scope(db: Session, principal: Principal) -> list[int] | None:
    """Ids of the warehouses whose ledgers the caller may read; None for all of them."""
    if principal.role in LEDGER_READERS:
        return None
    own = own_owner(principal)
    return supplies.owned_warehouse_ids(db, *own) if own else []
