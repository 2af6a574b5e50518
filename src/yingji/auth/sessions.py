"""Logins and their tokens: the login itself (password, then the second factor), logout's
revocation, the second factor's enrolment, and the per-role requirement of one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.auth import lockout, totp
from yingji.auth.models import RevokedToken, RolePolicy, TotpCredential, User
from yingji.auth.roles import Role
from yingji.config import Settings
from yingji.core.errors import ApiError, conflict, invalid
from yingji.core.security import ENROL, create_access_token, verify_password

ENROL_TOKEN_TTL_S = 10 * 60


@dataclass(frozen=True)
class Issued:
    token: str
    expires_in: int
    enrolment_required: bool = False


def _bad(code: str, zh: str, en: str) -> ApiError:
    return ApiError(401, code, zh, en, headers={"WWW-Authenticate": "Bearer"})


def user_actor(user: User) -> audit.Actor:
    return audit.Actor(type="user", id=str(user.id), name=user.display_name or user.username)


def issue(db: Session, user: User, *, address: str, how: str, settings: Settings) -> Issued:
    """A full token for a user who passed every factor; the login is audited (caller commits)."""
    lockout.clear_account(db, user.username)
    audit.record(
        db,
        actor=user_actor(user),
        action="login",
        object_type="user",
        object_id=user.id,
        after={"client_address": address, "factors": how},
    )
    ttl = settings.access_token_ttl_s
    return Issued(create_access_token(str(user.id), settings.resolved_secret_key(), ttl), ttl)


def login(
    db: Session,
    *,
    username: str,
    password: str,
    otp: str | None,
    address: str,
    now: datetime,
    settings: Settings,
) -> Issued:
    """Password login with the failed-login limits and, where enrolled, the second factor.

    Raises 429 while the account or address must wait, 401 ``bad_credentials`` for a wrong
    password, 401 ``otp_required`` when the account has a second factor and no code was
    sent (the password was right: the login page then asks for the code), 401 ``bad_otp``
    for a wrong code. Every failure is counted and audited; the caller commits either way.
    """
    lockout.refuse_if_waiting(db, username=username, address=address, now=now, settings=settings)
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        lockout.record_failure(
            db, username=username, address=address, reason="password", now=now, settings=settings
        )
        raise _bad("bad_credentials", "用户名或密码错误", "Wrong username or password")
    cred = db.get(TotpCredential, user.id)
    if cred is not None and cred.confirmed_at is not None:
        if not otp:
            raise _bad("otp_required", "请输入动态验证码", "Enter the code from your authenticator")
        how = second_factor(db, cred, otp, now)
        if how is None:
            lockout.record_failure(
                db, username=username, address=address, reason="otp", now=now, settings=settings
            )
            raise _bad("bad_otp", "动态验证码错误或已使用", "Wrong or already used code")
        return issue(db, user, address=address, how=f"password+{how}", settings=settings)
    if Role(user.role) in required_roles(db):
        # The role needs a second factor and this account has none yet: a token that only
        # lets it enrol one (and finish this login with a code from it).
        token = create_access_token(
            str(user.id), settings.resolved_secret_key(), ENROL_TOKEN_TTL_S, typ=ENROL
        )
        return Issued(token, ENROL_TOKEN_TTL_S, enrolment_required=True)
    return issue(db, user, address=address, how="password", settings=settings)


def second_factor(db: Session, cred: TotpCredential, code: str, now: datetime) -> str | None:
    """ "totp" or "recovery" when the code is accepted (and used up), None otherwise."""
    step = totp.accepted_step(cred.secret, code, now, cred.last_step)
    if step is not None:
        cred.last_step = step
        return "totp"
    if totp.looks_like_recovery_code(code):
        used = totp.matching_recovery_hash(cred.recovery_hashes, code)
        if used is not None:
            cred.recovery_hashes = [h for h in cred.recovery_hashes if h != used]
            audit.record(
                db,
                actor=audit.Actor(type="user", id=str(cred.user_id)),
                action="use_recovery_code",
                object_type="totp",
                object_id=cred.user_id,
                after={"recovery_codes_left": len(cred.recovery_hashes)},
            )
            return "recovery"
    return None


# -- logout ------------------------------------------------------------------------------


def revoke(db: Session, claims: dict[str, Any], *, user: User, now: datetime) -> datetime:
    """Refuse this token's ``jti`` until it expires; expired revocations are pruned."""
    expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
    db.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    if db.get(RevokedToken, str(claims["jti"])) is None:
        db.add(
            RevokedToken(
                jti=str(claims["jti"]), user_id=user.id, expires_at=expires_at, revoked_at=now
            )
        )
    audit.record(
        db,
        actor=user_actor(user),
        action="logout",
        object_type="user",
        object_id=user.id,
        after={"jti": claims["jti"], "expires_at": expires_at},
    )
    return expires_at


def is_revoked(db: Session, jti: str) -> bool:
    return db.get(RevokedToken, jti) is not None


# -- second factor: enrolment and the per-role requirement --------------------------------


def start_enrolment(db: Session, user: User, *, issuer: str) -> tuple[str, str]:
    """A new secret for the user (replacing one never confirmed): (secret, otpauth URI)."""
    cred = db.get(TotpCredential, user.id)
    if cred is not None and cred.confirmed_at is not None:
        raise conflict(
            "totp_enrolled",
            "已启用双因素认证；如需更换请由管理员重置",
            "Two-factor login is already set up; an administrator can reset it",
        )
    secret = totp.new_secret()
    if cred is None:
        cred = TotpCredential(user_id=user.id, secret=secret, last_step=0, recovery_hashes=[])
        db.add(cred)
    else:
        cred.secret = secret
        cred.last_step = 0
    return secret, totp.provisioning_uri(secret, user.username, issuer)


def confirm_enrolment(db: Session, user: User, code: str, *, now: datetime) -> list[str]:
    """Turn the second factor on once the user shows a valid code; the recovery codes
    (plain, this once) are returned."""
    cred = db.get(TotpCredential, user.id)
    if cred is None or cred.confirmed_at is not None:
        raise conflict(
            "totp_not_pending",
            "没有待确认的双因素认证",
            "No two-factor enrolment is waiting to be confirmed",
        )
    step = totp.accepted_step(cred.secret, code, now, cred.last_step)
    if step is None:
        raise invalid("code", "动态验证码错误", "Wrong code", code="bad_otp")
    codes = totp.new_recovery_codes()
    cred.last_step = step
    cred.confirmed_at = now
    cred.recovery_hashes = totp.hash_recovery_codes(codes)
    audit.record(
        db,
        actor=user_actor(user),
        action="enable",
        object_type="totp",
        object_id=user.id,
        after={"confirmed_at": now, "recovery_codes": len(codes)},
    )
    return codes


def reset_second_factor(db: Session, user: User, *, actor: audit.Actor) -> bool:
    """An administrator's reset (a lost phone): the user enrols again at the next login."""
    cred = db.get(TotpCredential, user.id)
    if cred is None:
        return False
    was = {"confirmed_at": cred.confirmed_at, "recovery_codes": len(cred.recovery_hashes)}
    db.delete(cred)
    audit.record(db, actor=actor, action="reset", object_type="totp", object_id=user.id, before=was)
    return True


def has_second_factor(db: Session, user_id: int) -> bool:
    cred = db.get(TotpCredential, user_id)
    return cred is not None and cred.confirmed_at is not None


def required_roles(db: Session) -> set[Role]:
    rows = db.scalars(select(RolePolicy.role).where(RolePolicy.totp_required.is_(True)))
    return {Role(r) for r in rows}


def set_required_roles(
    db: Session, roles: set[Role], *, actor: audit.Actor, now: datetime
) -> set[Role]:
    before = required_roles(db)
    for role in Role:
        row = db.get(RolePolicy, role.value)
        want = role in roles
        if row is None:
            if want:
                db.add(RolePolicy(role=role.value, totp_required=True, updated_at=now))
        elif row.totp_required != want:
            row.totp_required = want
            row.updated_at = now
    db.flush()
    after = required_roles(db)
    if after != before:
        audit.record(
            db,
            actor=actor,
            action="update",
            object_type="auth_policy",
            object_id="totp_required_roles",
            before={"totp_required_roles": sorted(r.value for r in before)},
            after={"totp_required_roles": sorted(r.value for r in after)},
        )
    return after
