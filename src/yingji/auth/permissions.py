"""Route guards, readable in one line: ``principal: Principal = Depends(GRID_WRITE)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.auth.service import cached_principal, resolve_bearer, unauthorized
from yingji.auth.sessions import is_revoked
from yingji.core.deps import get_db
from yingji.core.errors import forbidden
from yingji.core.responses import raises
from yingji.core.security import ACCESS, ENROL, decode_access_token

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


@dataclass(frozen=True)
class Caller:
    """A user and the claims of the token they came with (logout, enrolment)."""

    user: User
    claims: dict[str, Any]
    token: str


def _caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    db: Session,
    typs: tuple[str, ...],
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    secret = request.app.state.settings.resolved_secret_key()
    for typ in typs:
        claims = decode_access_token(credentials.credentials, secret, typ=typ)
        if claims is None or is_revoked(db, str(claims["jti"])):
            continue
        subject = str(claims.get("sub", ""))
        user = db.get(User, int(subject)) if subject.isdigit() else None
        if user is not None and user.is_active:
            return Caller(user=user, claims=claims, token=credentials.credentials)
    raise unauthorized()


@raises(401)
def signed_in_user(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    db: Session = Depends(get_db),
) -> Caller:
    """A user with a full token (not an integration token)."""
    return _caller(request, credentials, db, (ACCESS,))


@raises(401)
def enrolling_user(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    db: Session = Depends(get_db),
) -> Caller:
    """A user with a full token or with the enrolment-only token a login gave them."""
    return _caller(request, credentials, db, (ACCESS, ENROL))


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
