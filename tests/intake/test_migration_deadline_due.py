"""intake_0005 gives incidents written before it the due time of their earliest pending
statutory report."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from yingji.core.migrate import alembic_config

# an incident row as written before intake_0005 (production-safety unless ps=0)
_INSERT_INCIDENT = text(
    "INSERT INTO intake_incident (id, title, status, level, needs_assessment, grading_rule,"
    " category_confidence, category_source, low_confidence, occurred_at, created_at,"
    " updated_at, last_report_at, address, location, report_count, channels, trusted,"
    " production_safety, deadlines, deadlines_done, overdue) VALUES (:id, :title, :status,"
    " 'IV', 1, 'production_safety', 0, 'none', 0, :t, :t, :t, :t, '', '{}', 1, '[]', 0, :ps,"
    " :deadlines, :done, :overdue)"
)


def _incident(**row: object) -> dict[str, object]:
    defaults = {"id": None, "status": "reported", "overdue": 0, "ps": 1, "deadlines": [],
                "done": [], "t": "2026-11-29 03:00:00"}  # fmt: skip
    out: dict[str, object] = {**defaults, **row}
    out["deadlines"], out["done"] = json.dumps(out["deadlines"]), json.dumps(out["done"])
    return out


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
        {"title": "flagged", "ps": 1, "deadlines": [county, city], "done": [], "overdue": 1},
        {"title": "closed", "ps": 1, "deadlines": [county, city], "done": [], "status": "closed"},
    ]
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "intake_0004")
        conn.execute(_INSERT_INCIDENT, [_incident(**r) for r in rows])
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
        "flagged": None,
        "closed": None,
    }


def test_down_to_intake_0003_and_up_again_keeps_the_rows(tmp_path):
    """Both revisions undo cleanly on SQLite with foreign keys on and reports pointing at
    the incidents (recreating the table would break those keys)."""
    from yingji.core.db import make_engine

    url = f"sqlite:///{tmp_path / 'round.db'}"
    engine = make_engine(url)  # the platform's connections: foreign keys on
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        conn.execute(_INSERT_INCIDENT, _incident(id=7, title="kept", ps=0))
        conn.execute(
            text(
                "INSERT INTO intake_routing (incident_id, target_type, target_code, target_name,"
                " reason, routed_at) VALUES (7, 'headquarters', 'HQ-FIRE', '', '', :t)"
            ),
            {"t": "2026-11-29 03:00:00"},
        )
    for target in ("intake_0003", "heads"):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if target == "heads":
                command.upgrade(cfg, target)
            else:
                command.downgrade(cfg, target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM intake_incident")).scalars().all() == ["kept"]
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    engine.dispose()
