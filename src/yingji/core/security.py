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


def create_access_token(subject: str, secret: str, ttl_s: int, now: datetime | None = None) -> str:
    issued = now or datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": int(issued.timestamp()),
        "exp": int((issued + timedelta(seconds=ttl_s)).timestamp()),
        "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_access_token(token: str, secret: str) -> dict[str, Any] | None:
    """The token's claims, or None when it is forged, malformed or expired."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == "access" else None


def new_integration_token() -> str:
    return INTEGRATION_TOKEN_PREFIX + secrets.token_urlsafe(32)


def digest_token(token: str) -> str:
    """Integration tokens are stored as their SHA-256; the plain token is shown once."""
    return hashlib.sha256(token.encode()).hexdigest()
