"""``yingji bench intake`` runs end to end on a small load and counts what it measures (the
figures themselves are not tested)."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import make_url
from typer.testing import CliRunner

from tests.conftest import ON_POSTGRES, PG_ADMIN_URL
from yingji.bench import intake as b
from yingji.cli import app


def test_bench_intake_runs_and_loses_nothing() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "intake", "--rounds", "1", "--reports-per-round", "300", "--rate", "100",
         "--rate-seconds", "1", "--surge", "400", "--connections", "8"],
        env={"COLUMNS": "260"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "none lost" in result.output and "merged into an existing incident" in result.output
    for column in ("server CPU", "DB CPU", "machine CPU"):
        assert column in result.output


def test_machine_cpu_counts_work_done() -> None:
    before = b.machine_busy_seconds()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:
        pass
    assert b.machine_busy_seconds() - before >= 0.2


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")
def test_postgres_cpu_counts_a_query() -> None:
    """Run with the PostgreSQL suite, where PostgreSQL runs on this machine (as the bench
    expects: it finds PostgreSQL's processes by name)."""
    before = b.postgres_cpu()
    assert before, "PostgreSQL's processes are found by name"
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False), connect_timeout=5) as conn:
        conn.execute("SELECT count(*) FROM generate_series(1, 5000000)").fetchone()
        assert b.postgres_cpu_since(before) > 0.1


def test_bench_pipeline_runs_the_servers_work_in_process() -> None:
    """Every report goes through prepare and a committed batch: the merged count is what
    the writer answered, so a pipeline that stopped writing would show none."""
    result = CliRunner().invoke(
        app, ["bench", "pipeline", "--reports", "400", "--rounds", "1", "--batch", "16"],
        env={"COLUMNS": "260"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "pipeline CPU median" in result.output and "baseline parse + validate" in result.output
    merged = int(result.output.split("│")[-2].split("(")[0].replace(",", "").strip())
    assert 0 < merged < 400
