"""The authenticated caller of a request and what its scope lets it see."""

from __future__ import annotations

from dataclasses import dataclass, field

from yingji.audit.service import Actor
from yingji.auth.roles import DISTRICT_WIDE, SUBDISTRICT_BOUND, Role
from yingji.core.errors import forbidden


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or "integration"
    id: int
    name: str
    role: Role | None
    scope_type: str
    scope_code: str | None
    channels: frozenset[str] = field(default_factory=frozenset)

    @property
    def actor(self) -> Actor:
        return Actor(type=self.kind, id=str(self.id), name=self.name)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def territory(self) -> str | None:
        """The only sub-district this caller may see, or None for the whole district."""
        if self.role in SUBDISTRICT_BOUND or (
            self.kind == "integration" and self.scope_type == "subdistrict"
        ):
            return self.scope_code or "\x00none"
        return None

    def enterprise_scope(self) -> str | None:
        """The only enterprise (its credit code) this caller may see, or None for any.

        Enterprises' safety staff and their own systems' integration tokens are bound to one
        enterprise; everyone else is bound at most to a sub-district (:meth:`territory`).
        """
        if self.role == Role.enterprise_user or (
            self.kind == "integration" and self.scope_type == "enterprise"
        ):
            return self.scope_code or "\x00none"
        return None

    def require_enterprise(self, code: str, subdistrict_code: str | None = None) -> None:
        """Refuse an enterprise outside this caller's enterprise or sub-district."""
        own = self.enterprise_scope()
        if own is not None and code != own:
            raise forbidden("无权访问其他企业的数据", "Outside your enterprise")
        if subdistrict_code is not None:
            self.require_subdistrict(subdistrict_code)

    def can_see_territory(self) -> bool:
        return (
            self.role in DISTRICT_WIDE
            or self.role in SUBDISTRICT_BOUND
            or (self.kind == "integration")
        )

    def require_subdistrict(self, code: str | None) -> None:
        """Refuse access to an object that lies in a sub-district outside this caller's scope."""
        own = self.territory()
        if own is not None and code != own:
            raise forbidden("无权访问其他街道的数据", "Outside your sub-district")
