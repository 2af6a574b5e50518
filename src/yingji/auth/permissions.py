"""Route guards, readable in one line: ``principal: Principal = Depends(GRID_WRITE)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.auth.service import cached_principal, resolve_bearer, unauthorized
from yingji.core.deps import get_db
from yingji.core.errors import forbidden
from yingji.core.responses import raises

_bearer = HTTPBearer(auto_error=False, description="用户令牌或集成令牌 / user or integration token")


@raises(401)
def current_principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    db: Session = Depends(get_db),
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    principal = resolve_bearer(
        db, credentials.credentials, request.app.state.settings.resolved_secret_key()
    )
    if principal is None:
        raise unauthorized()
    return principal


def principal_on_own_session(request: Request) -> Principal:
    """The caller, resolved on a session that is closed before this returns.

    For endpoints that outlive their request's work: a guard that depends on ``get_db``
    keeps that session — a pooled connection inside an open transaction — until the
    response ends, which for the live stream is as long as a dashboard stays open (on
    PostgreSQL it drains the pool and holds back vacuum; on SQLite it pins the WAL).
    """
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise unauthorized()
    cached = cached_principal(token)
    if cached is not None:  # almost always, on the hot intake path: no session at all
        return cached
    db = request.app.state.db.session()
    try:
        principal = resolve_bearer(db, token, request.app.state.settings.resolved_secret_key())
    finally:
        db.close()
    if principal is None:
        raise unauthorized()
    return principal


def allow_own_session(
    *roles: Role, integrations: bool = False
) -> Callable[[Request], Awaitable[Principal]]:
    """As ``allow``, but resolved on the event loop on a session of its own, closed at once:
    for the live stream (a guard on ``get_db`` would keep its session open as long as the
    stream) and for the hot intake path (no hand-over to FastAPI's threadpool; the
    principal cache answers almost always, on a miss one short query runs)."""
    allowed = frozenset(roles)

    async def guard(request: Request) -> Principal:
        principal = principal_on_own_session(request)
        if principal.kind == "integration":
            if integrations:
                return principal
        elif principal.role in allowed:
            return principal
        raise forbidden()

    guard.__name__ = f"allow_own_session_{'_'.join(sorted(r.value for r in allowed))}"
    return raises(401, 403)(guard)


def allow(
    *roles: Role, integrations: bool = False, channel: str | None = None
) -> Callable[..., Principal]:
    """A dependency that admits the given user roles (and, if asked, integration tokens)."""
    allowed = frozenset(roles)

    def guard(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.kind == "integration":
            if integrations and (channel is None or channel in principal.channels):
                return principal
            raise forbidden("集成令牌无权访问此接口", "Integration token not allowed here")
        if principal.role in allowed:
            return principal
        raise forbidden()

    guard.__name__ = f"allow_{'_'.join(sorted(r.value for r in allowed))}"
    return raises(403)(guard)


EVERYONE = tuple(Role)
ADMIN = allow(Role.admin)
AUTHENTICATED = allow(*EVERYONE)
ORG_READ = allow(*EVERYONE)
GRID_READ = allow(
    Role.admin,
    Role.committee,
    Role.hq_commander,
    Role.duty_officer,
    Role.department_operator,
    Role.subdistrict_operator,
    Role.grid_worker,
    Role.viewer,
    integrations=True,
)
GRID_WRITE = allow(Role.admin, Role.subdistrict_operator)
