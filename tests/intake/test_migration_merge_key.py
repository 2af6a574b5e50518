"""intake_0002 gives incidents written before it their merge key."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, text

from yingji.core.migrate import alembic_config
from yingji.intake.merge import merge_key


def test_upgrade_fills_the_merge_key_of_existing_incidents(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "intake_0001")
        conn.execute(
            text(
                "INSERT INTO intake_incident (title, status, level, needs_assessment,"
                " grading_rule, category_group, category_confidence, category_source,"
                " low_confidence, occurred_at, created_at, updated_at, last_report_at, lon, lat,"
                " address, location, report_count, channels, trusted, production_safety,"
                " deadlines, deadlines_done, overdue) VALUES"
                " (:title, 'reported', 'IV', 1, 'general', :group, 0, 'none', 0, :t, :t, :t, :t,"
                " :lon, :lat, '', '{}', 1, '[]', 0, 0, '[]', '[]', 0)"
            ),
            [
                {"title": "located", "group": "21C", "t": "2026-11-29 00:00:00",
                 "lon": 117.0001, "lat": 36.6001},
                {"title": "nowhere", "group": "21C", "t": "2026-11-29 00:00:00",
                 "lon": None, "lat": None},
            ],
        )  # fmt: skip
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
        rows = dict(conn.execute(text("SELECT title, merge_key FROM intake_incident")).all())
    engine.dispose()
    assert rows == {"located": merge_key("21C", 117.0001, 36.6001), "nowhere": None}
