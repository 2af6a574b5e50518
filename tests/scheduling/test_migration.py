"""scheduling_0001 moves command's timers to the shared table and keeps every row: an unfired
deadline stays due, a claim stays claimed; and back down again (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from tests.conftest import fresh_database_url
from yingji.core.migrate import alembic_config

_ROWS = [
    {"kind": "task_deadline", "ref_id": 7, "due": "2026-11-29 04:00:00", "by": None},
    {"kind": "task_escalate", "ref_id": 8, "due": "2026-11-29 05:00:00", "by": "host:1:ab"},
]


def test_timers_survive_the_move(tmp_path):
    url, drop = fresh_database_url(tmp_path)
    engine = create_engine(url)
    cfg = alembic_config(url)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "command_0001")
            conn.execute(
                text(
                    "INSERT INTO cmd_timer (kind, ref_id, due_at, payload, created_at,"
                    " claimed_by, outcome, attempts, last_error)"
                    " VALUES (:kind, :ref_id, :due, '{}', :due, :by, '', 0, '')"
                ),
                _ROWS,
            )
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "heads")
            moved = conn.execute(
                text("SELECT id, kind, ref_id, claimed_by FROM sched_timer ORDER BY id")
            ).all()
            # the id sequence carries on past the moved rows
            conn.execute(
                text(
                    "INSERT INTO sched_timer (kind, ref_id, due_at, payload, created_at,"
                    " outcome, attempts, last_error)"
                    " VALUES ('x', 1, :t, '{}', :t, '', 0, '')"
                ),
                {"t": "2026-11-29 06:00:00"},
            )
            new_id = conn.scalar(text("SELECT max(id) FROM sched_timer"))
        assert [(k, r, b) for _, k, r, b in moved] == [
            (r["kind"], r["ref_id"], r["by"]) for r in _ROWS
        ]
        assert new_id == moved[-1][0] + 1
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "scheduling@-1")
            back = conn.scalar(text("SELECT count(*) FROM cmd_timer"))
        assert back == 3
    finally:
        engine.dispose()
        drop()
