"""``yingji bench locate`` runs end to end (tiny sizes; the figures themselves are not tested)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from yingji.bench.stats import RateSummary
from yingji.cli import app


def test_rate_summary_median_spread_and_quartiles() -> None:
    s = RateSummary.of([30.0, 10.0, 20.0, 50.0, 40.0])
    assert (s.median, s.minimum, s.maximum, s.rounds) == (30.0, 10.0, 50.0, 5)
    assert (s.q1, s.q3) == (20.0, 40.0)
    one = RateSummary.of([7.0])
    assert one.median == one.q1 == one.q3 == 7.0
    with pytest.raises(ValueError):
        RateSummary.of([])


def test_bench_locate_runs_on_a_temporary_demo_district() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "locate", "--points", "300", "--rounds", "2", "--baseline-points", "30"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "17 街道, 127 面, 322 线, 4758 点" in out
    for name in ("GridIndex.locate", "BD-09 input", "naive shapely PIP", "brute-force reference"):
        assert name in out
    assert "median calls/s" in out and "CPU time" in out
