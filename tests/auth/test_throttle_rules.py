"""The failed-login rule at its exact boundaries (auth/throttle.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from yingji.auth import throttle

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
LIMITS = throttle.Limits(
    delay_after=3, lockout_after=10, window_s=900, max_delay_s=60, lockout_s=900
)


def ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_below_the_slow_down_threshold_no_wait():
    assert throttle.verdict(ago(0, 0), NOW, LIMITS) is None


def test_at_the_threshold_one_second_then_doubling():
    assert throttle.delay_s(2, LIMITS) == 0
    assert throttle.delay_s(3, LIMITS) == 1
    assert throttle.delay_s(4, LIMITS) == 2
    assert throttle.delay_s(5, LIMITS) == 4
    assert throttle.delay_s(9, LIMITS) == 60  # 64 capped at max_delay_s


def test_wait_counts_from_the_last_failure():
    v = throttle.verdict(ago(10, 5, 0), NOW, LIMITS)
    assert v == throttle.Verdict(retry_after_s=1, locked=False)
    # exactly one second after the third failure the next attempt may go
    assert throttle.verdict(ago(11, 6, 1), NOW, LIMITS) is None
    assert throttle.verdict(ago(11, 6, 0.5), NOW, LIMITS) == throttle.Verdict(1, False)


def test_lockout_at_the_tenth_failure_for_lockout_s():
    nine = ago(*range(100, 91, -1))
    assert throttle.verdict(nine, NOW, LIMITS) is None  # 9 failures, 92 s ago: 60 s passed
    ten = ago(*range(100, 91, -1), 0)
    assert throttle.verdict(ten, NOW, LIMITS) == throttle.Verdict(retry_after_s=900, locked=True)
    assert throttle.locks_now(10, LIMITS) and not throttle.locks_now(9, LIMITS)
    assert not throttle.locks_now(11, LIMITS)  # audited once, when it starts


def test_lockout_ends_exactly_lockout_s_after_the_last_failure():
    hour = throttle.Limits(
        delay_after=3, lockout_after=10, window_s=3600, max_delay_s=60, lockout_s=900
    )
    ten = ago(*range(1000, 991, -1), 891)
    assert throttle.verdict(ten, NOW, hour) == throttle.Verdict(retry_after_s=9, locked=True)
    assert throttle.verdict(ago(*range(1000, 991, -1), 900), NOW, hour) is None
    # one more failure after the lock-out locks again at once
    assert throttle.verdict(ago(*range(1000, 990, -1), 0), NOW, hour).locked


def test_failures_at_exactly_window_s_ago_are_out_of_the_window():
    assert throttle.counted(ago(900, 899), NOW, LIMITS) == ago(899)


def test_failures_outside_the_window_are_forgotten():
    old = ago(*([901] * 20))
    assert throttle.counted(old, NOW, LIMITS) == []
    assert throttle.verdict(old, NOW, LIMITS) is None


@given(st.lists(st.floats(min_value=0, max_value=2000), max_size=40))
def test_verdict_never_longer_than_lockout_and_locked_only_past_the_limit(seconds):
    failures = ago(*seconds)
    v = throttle.verdict(failures, NOW, LIMITS)
    n = len(throttle.counted(failures, NOW, LIMITS))
    if v is not None:
        assert 1 <= v.retry_after_s <= LIMITS.lockout_s
        assert v.locked == (n >= LIMITS.lockout_after)
        assert n >= LIMITS.delay_after
    if n < LIMITS.delay_after:
        assert v is None
