"""User accounts and integration tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow


class User(Base):
    __tablename__ = "auth_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(256), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    scope_type: Mapped[str] = mapped_column(String(16), nullable=False, default="district")
    scope_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class IntegrationToken(Base):
    """A machine channel's credential (a sensor gateway, the 12345 hotline system...)."""

    __tablename__ = "auth_integration_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    token_digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    channels: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    scope_type: Mapped[str] = mapped_column(String(16), nullable=False, default="district")
    scope_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("auth_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """One refused login, kept for the failed-login limits (``auth/throttle.py``).

    One row per failure, counted per account and per client address inside a window: every
    server process reads the same rows, so a guesser gains nothing by spreading attempts
    over the processes behind a load balancer. A successful login clears the account's rows;
    rows older than the window are pruned as new failures arrive.
    """

    __tablename__ = "auth_login_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), nullable=False)
    client_address: Mapped[str] = mapped_column(String(64), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_auth_login_failure_username_at", "username", "at"),
        Index("ix_auth_login_failure_address_at", "client_address", "at"),
        Index("ix_auth_login_failure_at", "at"),
    )


class RevokedToken(Base):
    """A user token ended by logout: its ``jti`` is refused until the token would expire."""

    __tablename__ = "auth_revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id"), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    revoked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TotpCredential(Base):
    """A user's second factor: a TOTP secret (RFC 6238) and one-time recovery codes.

    ``confirmed_at`` is set once the user has shown a code from the authenticator, and only
    then does login ask for one. Recovery codes are kept as argon2 hashes, like passwords;
    ``last_step`` is the last time step accepted, so a code is never accepted twice
    (RFC 6238 §5.2).
    """

    __tablename__ = "auth_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(64), nullable=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_step: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    recovery_hashes: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class RolePolicy(Base):
    """What an administrator requires of a role's accounts: two-factor login (等保三级)."""

    __tablename__ = "auth_role_policy"

    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    totp_required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
