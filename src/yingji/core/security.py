"""Password hashing (argon2) and signed access tokens (JWT, HS256)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

INTEGRATION_TOKEN_PREFIX = "yjit_"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


ACCESS = "access"
# A token that only lets its holder enrol a second factor (the role requires one and the
# user has none yet); refused everywhere else.
ENROL = "totp_enrol"


def create_access_token(
    subject: str, secret: str, ttl_s: int, now: datetime | None = None, typ: str = ACCESS
) -> str:
    """A signed token with a random ``jti`` (RFC 7519 §4.1.7), the id logout revokes."""
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_s)).timestamp()),
        "jti": secrets.token_hex(16),
        "typ": typ,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_access_token(token: str, secret: str, typ: str = ACCESS) -> dict[str, Any] | None:
    """The token's claims, or None when it is forged, malformed, expired, of another type,
    or without a ``jti`` (issued before logout could revoke one)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"require": ["exp", "jti"]}
        )
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == typ else None


def new_integration_token() -> str:
    return INTEGRATION_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_token(token: str) -> str:
    """Integration tokens are stored as their SHA-256; the plain token is shown once."""
    return hashlib.sha256(token.encode()).hexdigest()
