"""intake_0005 gives incidents written before it the due time of their earliest pending
statutory report."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from yingji.core.migrate import alembic_config


def test_upgrade_fills_the_due_time_of_existing_incidents(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = alembic_config(url)
    county = {
        "step": "county",
        "authority": "县",
        "authority_en": "county",
        "due_at": "2026-11-29T04:00:00+00:00",
    }
    city = {"step": "city", "authority": "市", "authority_en": "city",
            "due_at": "2026-11-29T06:00:00+00:00"}  # fmt: skip
    rows = [
        {"title": "pending", "ps": 1, "deadlines": [county, city], "done": []},
        {"title": "county made", "ps": 1, "deadlines": [county, city], "done": ["county"]},
        {"title": "all made", "ps": 1, "deadlines": [county, city], "done": ["county", "city"]},
        {"title": "no clocks", "ps": 0, "deadlines": [], "done": []},
    ]
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "intake_0004")
        conn.execute(
            text(
                "INSERT INTO intake_incident (title, status, level, needs_assessment,"
                " grading_rule, category_confidence, category_source, low_confidence,"
                " occurred_at, created_at, updated_at, last_report_at, address, location,"
                " report_count, channels, trusted, production_safety, deadlines,"
                " deadlines_done, overdue) VALUES (:title, 'reported', 'IV', 1,"
                " 'production_safety', 0, 'none', 0, :t, :t, :t, :t, '', '{}', 1, '[]', 0, :ps,"
                " :deadlines, :done, 0)"
            ),
            [{**r, "t": "2026-11-29 03:00:00", "deadlines": json.dumps(r["deadlines"]),
              "done": json.dumps(r["done"])} for r in rows],
        )  # fmt: skip
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        got = dict(conn.execute(text("SELECT title, deadline_due_at FROM intake_incident")).all())
    engine.dispose()
    as_stored = {  # UTCDateTime's SQLite text: naive UTC
        "pending": datetime(2026, 11, 29, 4, tzinfo=UTC),
        "county made": datetime(2026, 11, 29, 6, tzinfo=UTC),
    }
    assert got == {
        "pending": as_stored["pending"].replace(tzinfo=None).isoformat(" ", "microseconds"),
        "county made": as_stored["county made"].replace(tzinfo=None).isoformat(" ", "microseconds"),
        "all made": None,
        "no clocks": None,
    }
