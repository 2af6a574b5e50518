"""Failed logins in the database: counting them per account and per address, and the
refusal (429 with ``Retry-After``) when :mod:`yingji.auth.throttle` says wait."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from yingji.audit import service as audit
from yingji.auth import throttle
from yingji.auth.models import LoginFailure
from yingji.config import Settings
from yingji.core.errors import ApiError

# At most this many failures are read per key: past the lock-out threshold more change nothing.
_READ_CAP = 1000


def account_limits(settings: Settings) -> throttle.Limits:
    return throttle.Limits(
        delay_after=settings.login_account_delay_after,
        lockout_after=settings.login_account_lockout_after,
        window_s=settings.login_window_s,
        max_delay_s=settings.login_max_delay_s,
        lockout_s=settings.login_lockout_s,
    )


def address_limits(settings: Settings) -> throttle.Limits:
    return throttle.Limits(
        delay_after=settings.login_address_delay_after,
        lockout_after=settings.login_address_lockout_after,
        window_s=settings.login_window_s,
        max_delay_s=settings.login_max_delay_s,
        lockout_s=settings.login_lockout_s,
    )


def _failures(
    db: Session, column: InstrumentedAttribute[str], key: str, now: datetime, window_s: int
) -> list[datetime]:
    since = now - timedelta(seconds=window_s)
    rows = db.scalars(
        select(LoginFailure.at)
        .where(column == key, LoginFailure.at > since)
        .order_by(LoginFailure.at.desc())
        .limit(_READ_CAP)
    )
    return list(rows)


def refuse_if_waiting(
    db: Session, *, username: str, address: str, now: datetime, settings: Settings
) -> None:
    """Raise 429 when the account or the address must still wait (nothing is counted)."""
    verdicts = []
    for column, key, limits in (
        (LoginFailure.username, username, account_limits(settings)),
        (LoginFailure.client_address, address, address_limits(settings)),
    ):
        found = throttle.verdict(_failures(db, column, key, now, limits.window_s), now, limits)
        if found is not None:
            verdicts.append(found)
    if not verdicts:
        return
    retry = max(v.retry_after_s for v in verdicts)
    if any(v.locked for v in verdicts):
        raise ApiError(
            429,
            "login_locked",
            f"登录失败次数过多，已锁定，请 {retry} 秒后再试",
            f"Too many failed logins: locked, try again in {retry} s",
            headers={"Retry-After": str(retry)},
        )
    raise ApiError(
        429,
        "login_throttled",
        f"登录失败次数较多，请 {retry} 秒后再试",
        f"Several failed logins: wait {retry} s before the next attempt",
        headers={"Retry-After": str(retry)},
    )


def record_failure(
    db: Session,
    *,
    username: str,
    address: str,
    reason: str,
    now: datetime,
    settings: Settings,
) -> None:
    """Count one failure, audit it, and audit the lock-out it causes (caller commits)."""
    db.execute(
        delete(LoginFailure).where(
            LoginFailure.at <= now - timedelta(seconds=settings.login_window_s)
        )
    )
    db.add(LoginFailure(username=username, client_address=address, at=now))
    db.flush()
    anonymous = audit.Actor(type="anonymous", id=username[:64], name=address[:128])
    audit.record(
        db,
        actor=anonymous,
        action="login_failed",
        object_type="user",
        object_id=username[:128],
        after={"client_address": address, "reason": reason},
    )
    for column, key, limits, kind in (
        (LoginFailure.username, username, account_limits(settings), "account"),
        (LoginFailure.client_address, address, address_limits(settings), "address"),
    ):
        count = len(throttle.counted(_failures(db, column, key, now, limits.window_s), now, limits))
        if throttle.locks_now(count, limits):
            audit.record(
                db,
                actor=anonymous,
                action="lockout",
                object_type=f"login_{kind}",
                object_id=key[:128],
                after={
                    "failures": count,
                    "window_s": limits.window_s,
                    "until": now + timedelta(seconds=limits.lockout_s),
                    "client_address": address,
                },
            )


def clear_account(db: Session, username: str) -> None:
    """A successful login forgives the account's failures (not the address's)."""
    db.execute(delete(LoginFailure).where(LoginFailure.username == username))
