"""``yingji bench demo`` runs end to end (one round; the figures themselves are not tested)."""

from __future__ import annotations

from typer.testing import CliRunner

from yingji.cli import app


def test_bench_demo_runs_on_a_temporary_sqlite() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "demo", "--rounds", "1", "--baseline-rounds", "1"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    for step in ("load_demo: all of it", "generate_district alone", "bulk insert", "baseline"):
        assert step in result.output
    assert "median s" in result.output


def test_bench_demo_refuses_an_unknown_database() -> None:
    result = CliRunner().invoke(app, ["bench", "demo", "--database", "oracle"])
    assert result.exit_code == 2
