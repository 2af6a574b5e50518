"""Signed bodies: HMAC-SHA256 over the timestamp and the body (pure; no clock inside).

Every webhook the platform sends, and every receipt it accepts by signature, carries:

* ``X-Yingji-Timestamp``: Unix seconds when it was signed;
* ``X-Yingji-Signature``: ``v1=`` and the lowercase hex HMAC-SHA256 (RFC 2104, FIPS 180-4)
  of ``<timestamp>.<body bytes>`` under the shared secret.

The timestamp inside the signed text stops a replay outside the tolerance window; the
``v1=`` prefix leaves room for a second scheme during a key or algorithm change (the shape
Stripe and Slack use, which receivers' libraries already know).
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Yingji-Timestamp"
SIGNATURE_HEADER = "X-Yingji-Signature"
MESSAGE_ID_HEADER = "X-Yingji-Message-Id"
SCHEME = "v1"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(
    secret: str, *, timestamp: str, body: bytes, signature: str, now_s: float, tolerance_s: int
) -> bool:
    """True when ``signature`` is ours for this body and timestamp, and the timestamp is
    within ``tolerance_s`` of ``now_s`` (exactly the tolerance still passes)."""
    if not secret or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    ts = int(timestamp)
    if abs(now_s - ts) > tolerance_s:
        return False
    expected = sign(secret, ts, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature.split(",") if part)
