"""Merge candidates are read as a range of one index: the cells around the batch's reports
and, within each, only the merge window, never every incident a cell ever had."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import event

from yingji.intake.candidates import open_candidates
from yingji.intake.config import get_intake_settings
from yingji.intake.prepare import Sender, prepare
from yingji.intake.schemas import ReportIn

from .conftest import report_body


def _captured_candidate_query(session, items):  # type: ignore[no-untyped-def]
    """The SQL text and parameters ``open_candidates`` sends to the driver."""
    seen: list[tuple[str, object]] = []
    engine = session.get_bind()

    def capture(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "merge_key" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        open_candidates(session, items, get_intake_settings(), 3)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    # the near part (every category) and, for a report with wide scene rules, the far part
    # (only the wide categories' groups): each a range of the one index
    assert 1 <= len(seen) <= 2
    return seen


def test_candidates_are_a_range_of_the_merge_key_and_time_index(session, spot) -> None:
    _, lon, lat = spot()
    body = report_body(lon, lat)
    prepared = prepare(
        session, ReportIn.model_validate(body), raw_body="{}", payload=body,
        sender=Sender("integration", "1", "t"), now=datetime.now(UTC),
    )  # fmt: skip
    for statement, parameters in _captured_candidate_query(session, [prepared]):
        _check_plan(session, statement, parameters)


def _check_plan(session, statement, parameters) -> None:  # type: ignore[no-untyped-def]
    cursor = session.connection().connection.driver_connection.cursor()
    if session.get_bind().dialect.name == "sqlite":
        cursor.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "ix_intake_incident_merge_key_time" in plan, plan
        assert "occurred_at>" in plan and "occurred_at<" in plan, plan
    else:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small
        cursor.execute(f"EXPLAIN {statement}", parameters)
        plan = " ".join(str(row[0]) for row in cursor.fetchall())
        assert "ix_intake_incident_merge_key_time" in plan, plan
        cond = plan.split("Index Cond:")[1]
        assert "merge_key" in cond and "occurred_at" in cond, plan
