"""The arithmetic of ``yingji bench dashboard-live`` (the browser run itself is a benchmark)."""

from __future__ import annotations

from yingji.bench.dashboard_live import LiveArrival


def test_lag_is_first_sample_showing_the_incident_minus_its_201():
    r = LiveArrival(rate_per_s=2, duration_s=1, baseline_count=10)
    r.posted_at = [1.0, 1.5]
    r.samples = [(0.9, 10), (1.05, 10), (1.1, 11), (1.6, 11), (1.8, 12)]
    assert [round(x) for x in r.lags_ms()] == [100, 300]
    assert r.shown == 2


def test_incidents_never_shown_have_no_lag_and_count_as_missing():
    r = LiveArrival(rate_per_s=2, duration_s=1, baseline_count=0)
    r.posted_at = [1.0, 2.0, 3.0]
    r.samples = [(1.2, 1), (5.0, 1)]
    assert len(r.lags_ms()) == 1
    assert r.shown == 1
