"""The per-alarm secret is checked in constant time for any text a caller sends."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from yingji.alarm.rules import secret_for, secret_ok


def test_the_right_secret_passes_and_others_do_not():
    s = secret_for("k", "idem-1")
    assert secret_ok("k", "idem-1", s)
    assert not secret_ok("k", "idem-2", s) and not secret_ok("k", "idem-1", None)
    assert not secret_ok("k", "idem-1", "")


@given(st.text())
def test_any_text_is_refused_never_an_error(given_secret):
    # non-ASCII text made hmac.compare_digest raise TypeError: a 500 the fuzzer found
    assert secret_ok("k", "idem-1", given_secret) is (given_secret == secret_for("k", "idem-1"))
