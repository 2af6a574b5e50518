"""Accounts and tokens: creating them, checking passwords, resolving a bearer token."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import passwords
from yingji.auth.models import IntegrationToken, RevokedToken, User
from yingji.auth.principal import Principal
from yingji.auth.roles import ROLE_SCOPE, Role, ScopeType
from yingji.core import creditcode
from yingji.core.errors import ApiError, conflict, invalid
from yingji.core.security import (
    INTEGRATION_TOKEN_PREFIX,
    decode_access_token,
    digest_token,
    hash_password,
    new_integration_token,
    verify_password,
)

# ``receipts``: a notification provider sending delivery receipts (not a report channel)
# ``inspections``: an enterprise's own system sending inspection records (prevention)
CHANNELS = (
    "notice", "grid", "public", "internet", "alarm", "sensor", "cap", "receipts", "inspections",
)  # fmt: skip


def validate_scope(role: Role, scope_code: str | None, known_codes: set[str] | None) -> str:
    """The scope type a role needs; refuses a scoped role without a known scope code."""
    scope_type = ROLE_SCOPE[role]
    if scope_type == ScopeType.district:
        return scope_type.value
    if not scope_code:
        raise invalid(
            "scope",
            f"角色 {role.value} 需要指定{_SCOPE_ZH[scope_type]}代码",
            f"Role {role.value} needs a {scope_type.value} scope code",
            code="scope_required",
        )
    if scope_type == ScopeType.enterprise and not creditcode.is_valid(scope_code):
        raise invalid(
            "scope",
            f"企业范围应为有效的统一社会信用代码：{scope_code[:20]}",
            f"An enterprise scope is a valid unified social credit code: {scope_code[:20]!r}",
            code="unknown_scope",
        )
    if known_codes is not None and scope_code not in known_codes:
        raise invalid(
            "scope",
            f"未知的{_SCOPE_ZH[scope_type]}代码：{scope_code}",
            f"Unknown {scope_type.value} code: {scope_code}",
            code="unknown_scope",
        )
    return scope_type.value


_SCOPE_ZH = {
    ScopeType.headquarters: "指挥部",
    ScopeType.department: "部门",
    ScopeType.subdistrict: "街道",
    ScopeType.enterprise: "企业",
    ScopeType.district: "全区",
}


def create_user(
    db: Session,
    *,
    username: str,
    password: str,
    role: Role,
    scope_code: str | None,
    known_scope_codes: set[str] | None,
    actor: audit.Actor,
    display_name: str = "",
    phone: str = "",
) -> User:
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise conflict("username_taken", f"用户名已存在：{username}", f"Username taken: {username}")
    check_password(password, username)
    scope_type = validate_scope(role, scope_code, known_scope_codes)
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role.value,
        scope_type=scope_type,
        scope_code=scope_code if scope_type != "district" else None,
        phone=phone,
    )
    db.add(user)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="create",
        object_type="user",
        object_id=user.id,
        after=audit.snapshot(user, exclude=("password_hash",)),
    )
    return user


def check_password(password: str, username: str) -> None:
    """Refuse a new password that breaks the policy (:mod:`yingji.auth.passwords`)."""
    found = passwords.problem(password, username)
    if found is not None:
        code, zh, en = found
        raise invalid("password", zh, en, code=code)


def change_password(db: Session, user: User, *, current: str, new: str, actor: audit.Actor) -> None:
    """A user's own change: the current password first, the new one under the policy."""
    if not verify_password(user.password_hash, current):
        raise invalid(
            "current_password", "当前密码错误", "Current password is wrong", code="bad_password"
        )
    check_password(new, user.username)
    user.password_hash = hash_password(new)
    audit.record(db, actor=actor, action="change_password", object_type="user", object_id=user.id)


def authenticate(db: Session, username: str, password: str) -> User | None:
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        return None
    return user


def create_integration_token(
    db: Session,
    *,
    name: str,
    channels: list[str],
    actor: audit.Actor,
    created_by: int | None,
    scope_code: str | None = None,
    scope_type: str | None = None,
) -> tuple[IntegrationToken, str]:
    """A new token; the plain value is returned once and only its digest is kept."""
    unknown = [c for c in channels if c not in CHANNELS]
    if unknown or not channels:
        raise invalid(
            "channels",
            f"未知或缺少通道：{', '.join(unknown) or '（空）'}",
            f"Unknown or missing channels: {', '.join(unknown) or '(none)'}",
            code="unknown_channel",
        )
    if scope_type == "enterprise" and not (scope_code and creditcode.is_valid(scope_code)):
        raise invalid(
            "scope_code",
            "企业范围的令牌需要有效的统一社会信用代码",
            "An enterprise-scoped token needs a valid unified social credit code",
            code="unknown_scope",
        )
    plain = new_integration_token()
    token = IntegrationToken(
        name=name,
        token_digest=digest_token(plain),
        channels=sorted(set(channels)),
        scope_type=scope_type or ("subdistrict" if scope_code else "district"),
        scope_code=scope_code,
        created_by=created_by,
    )
    db.add(token)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="create",
        object_type="integration_token",
        object_id=token.id,
        after=audit.snapshot(token, exclude=("token_digest",)),
    )
    return token, plain


def revoke_integration_token(
    db: Session, token_id: int, *, actor: audit.Actor, now: datetime
) -> IntegrationToken | None:
    token = db.get(IntegrationToken, token_id)
    if token is None:
        return None
    before = audit.snapshot(token, exclude=("token_digest",))
    token.revoked_at = now
    audit.record(
        db,
        actor=actor,
        action="revoke",
        object_type="integration_token",
        object_id=token.id,
        before=before,
        after=audit.snapshot(token, exclude=("token_digest",)),
    )
    _cache.clear()
    return token


def user_principal(user: User) -> Principal:
    return Principal(
        kind="user",
        id=user.id,
        name=user.display_name or user.username,
        role=Role(user.role),
        scope_type=user.scope_type,
        scope_code=user.scope_code,
    )


class _PrincipalCache:
    """A short-lived cache of resolved bearer tokens: the hot intake path skips a query."""

    def __init__(self, ttl_s: float = 10.0) -> None:
        self.ttl_s = ttl_s
        self._items: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        item = self._items.get(key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, key: str, principal: Principal) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[key] = (time.monotonic() + self.ttl_s, principal)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def forget(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)


_cache = _PrincipalCache()


def clear_principal_cache() -> None:
    _cache.clear()


def forget_token(token: str) -> None:
    """Drop one token from this process's cache (logout). Other processes' caches hold a
    resolved token for at most ``_PrincipalCache.ttl_s`` (10 s) before asking the database."""
    _cache.forget(token)


def cached_principal(token: str) -> Principal | None:
    """The principal behind a token if it was resolved lately (no query)."""
    return _cache.get(token)


def resolve_bearer(db: Session, token: str, secret: str) -> Principal | None:
    """The principal behind a bearer token (a user's JWT or an integration token)."""
    cached = _cache.get(token)
    if cached is not None:
        return cached
    principal: Principal | None = None
    if token.startswith(INTEGRATION_TOKEN_PREFIX):
        row = db.scalar(
            select(IntegrationToken).where(IntegrationToken.token_digest == digest_token(token))
        )
        if row is not None and row.revoked_at is None:
            principal = Principal(
                kind="integration",
                id=row.id,
                name=row.name,
                role=None,
                scope_type=row.scope_type,
                scope_code=row.scope_code,
                channels=frozenset(row.channels),
            )
    else:
        claims = decode_access_token(token, secret)
        if claims is not None and db.get(RevokedToken, str(claims["jti"])) is None:
            subject = str(claims.get("sub", ""))
            user = db.get(User, int(subject)) if subject.isdigit() else None
            if user is not None and user.is_active:
                principal = user_principal(user)
    if principal is not None:
        _cache.put(token, principal)
    return principal


def unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "未登录或登录已过期",
        "Not authenticated or session expired",
        headers={"WWW-Authenticate": "Bearer"},
    )
