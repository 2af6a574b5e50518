"""``yingji bench nearby`` runs end to end on a temporary demo district and agrees with its
no-index baseline (the figures themselves are not tested)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from yingji.bench.nearby import LatencySummary
from yingji.cli import app


def test_latency_summary_percentiles() -> None:
    s = LatencySummary.of([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert (s.calls, s.median_ms, s.max_ms) == (100, 50.5, 100.0)
    assert s.p90_ms == pytest.approx(90.1) and s.p99_ms == pytest.approx(99.01)
    with pytest.raises(ValueError):
        LatencySummary.of([0.001])


def test_bench_nearby_runs_and_matches_the_baseline() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "nearby", "--queries", "40", "--rounds", "1", "--baseline-queries", "40"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "teams 44, experts 64, warehouses 26, stations 17, videos 16" in result.output
    assert "40 queries, 0 mismatches" in result.output
    for way in ("service", "HTTP", "baseline", "p99 ms", "CPU p99"):
        assert way in result.output


def test_bench_nearby_against_a_uvicorn_child() -> None:
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "nearby",
            "--queries",
            "20",
            "--rounds",
            "1",
            "--baseline-queries",
            "10",
            "--server",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "server" in result.output and "target server p99" in result.output
