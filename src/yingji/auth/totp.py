"""Two-factor login (双因素认证): TOTP (RFC 6238) with one-time recovery codes.

GB/T 22239-2019 (等保 2.0, level 3) 8.1.4.1 d): "应采用口令、密码技术、生物技术等两种或两种
以上组合的鉴别技术对用户进行身份鉴别". The platform asks the second factor of every account
that has enrolled one, and an administrator can require enrolment per role
(``auth_role_policy``; admins and commanders first).

The codes are pyotp's (SHA-1, 6 digits, 30 s steps: what every authenticator app shows).
A code is accepted for the step before, at and after ``now`` (RFC 6238 §5.2's allowance for
clock drift and typing time), and never for a step at or before the last one accepted, so a
code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import pyotp
import segno

from yingji.core.security import hash_password, verify_password

STEP_S = 30
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_secret() -> str:
    """A 160-bit base32 secret (RFC 4226 §4 recommends at least 128 bits)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code (ISO/IEC 18004, error correction M), an SVG ``data:`` URI that
    the login page shows as an image: the CSP's ``img-src data:`` allows it."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def step_of(now: datetime) -> int:
    return int(now.timestamp()) // STEP_S


def accepted_step(secret: str, code: str, now: datetime, last_step: int) -> int | None:
    """The time step the code belongs to, if it is valid now and newer than ``last_step``."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = step_of(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and secrets.compare_digest(totp.at(step * STEP_S), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes like ``k7hq2-mx9ct``: 50 bits each, shown once, stored as argon2 hashes."""
    return [
        "-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def hash_recovery_codes(codes: list[str]) -> list[str]:
    return [hash_password(_normal(c)) for c in codes]


def looks_like_recovery_code(code: str) -> bool:
    return len(_normal(code)) == 11 and "-" in _normal(code)


def matching_recovery_hash(hashes: list[str], code: str) -> str | None:
    """The stored hash the code matches (to strike it off), or None."""
    normal = _normal(code)
    for stored in hashes:
        if verify_password(stored, normal):
            return stored
    return None


def _normal(code: str) -> str:
    return code.strip().lower().replace(" ", "")
