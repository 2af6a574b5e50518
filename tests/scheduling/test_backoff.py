"""Capped exponential backoff: exact delays at the boundaries, and its shape for any policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.scheduling.backoff import Backoff


def test_default_schedule_doubles_from_30_s_to_the_15_min_cap():
    assert Backoff().schedule_s() == [30.0, 60.0, 120.0, 240.0, 480.0, 900.0]


def test_the_cap_is_reached_exactly_and_held():
    b = Backoff(base_s=10, factor=3, max_s=90, max_attempts=10)
    assert b.delay_s(1) == 10 and b.delay_s(2) == 30
    assert b.delay_s(3) == 90  # 10 × 3² = 90: at the cap, not past it
    assert b.delay_s(4) == 90 and b.delay_s(10_000) == 90


def test_one_attempt_means_no_retry():
    assert Backoff(max_attempts=1).schedule_s() == []


@pytest.mark.parametrize(
    "kwargs",
    [{"base_s": 0}, {"factor": 0.5}, {"base_s": 10, "max_s": 9}, {"max_attempts": 0}],
)
def test_nonsense_policies_are_refused(kwargs):
    with pytest.raises(ValueError):
        Backoff(**kwargs)


def test_attempts_count_from_one():
    with pytest.raises(ValueError):
        Backoff().delay_s(0)


@given(
    base=st.floats(0.01, 1e4),
    factor=st.floats(1, 10),
    cap_over=st.floats(0, 1e6),
    attempts=st.integers(1, 50),
)
def test_delays_never_shrink_and_stay_within_base_and_cap(base, factor, cap_over, attempts):
    b = Backoff(base_s=base, factor=factor, max_s=base + cap_over, max_attempts=attempts)
    delays = b.schedule_s()
    assert len(delays) == attempts - 1
    assert all(base <= d <= b.max_s for d in delays)
    assert delays == sorted(delays)
