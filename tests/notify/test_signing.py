"""Signed bodies: what we sign verifies; any change to body, time or key does not."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from yingji.notify import signing


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = '{"text":"任务下达"}'.encode()
    expected = hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signing.sign("k", 1700000000, body) == f"v1={expected}"


def test_the_tolerance_window_is_inclusive():
    sig = signing.sign("k", 1000, b"x")
    kw = {"timestamp": "1000", "body": b"x", "signature": sig, "tolerance_s": 300}
    assert signing.verify("k", now_s=1300, **kw)
    assert signing.verify("k", now_s=700, **kw)
    assert not signing.verify("k", now_s=1300.5, **kw)
    assert not signing.verify("k", now_s=699, **kw)


def test_no_secret_no_timestamp_no_pass():
    sig = signing.sign("k", 1000, b"x")
    assert not signing.verify("", timestamp="1000", body=b"x", signature=sig, now_s=1000,
                              tolerance_s=300)  # fmt: skip
    assert not signing.verify("k", timestamp="", body=b"x", signature=sig, now_s=1000,
                              tolerance_s=300)  # fmt: skip
    assert not signing.verify("k", timestamp="-1000", body=b"x", signature=sig, now_s=1000,
                              tolerance_s=300)  # fmt: skip


def test_a_second_scheme_beside_ours_still_verifies():
    sig = signing.sign("k", 1000, b"x")
    assert signing.verify("k", timestamp="1000", body=b"x", signature=f"v0=abc, {sig}",
                          now_s=1000, tolerance_s=300)  # fmt: skip


@given(secret=st.text(min_size=1, max_size=40), ts=st.integers(0, 10**12 - 1),
       body=st.binary(max_size=200), flip=st.integers(0, 199))  # fmt: skip
def test_any_change_breaks_the_signature(secret, ts, body, flip):
    sig = signing.sign(secret, ts, body)
    ok = {"timestamp": str(ts), "signature": sig, "now_s": ts, "tolerance_s": 300}
    assert signing.verify(secret, body=body, **ok)
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]
        assert not signing.verify(secret, body=changed, **ok)
    assert not signing.verify(secret + "x", body=body, **ok)
    assert not signing.verify(secret, body=body, **(ok | {"timestamp": str(ts + 1)}))
