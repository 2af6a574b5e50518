"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from yingji.models import Base


def test_models_and_migrations_agree(database):
    with database.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == [], diff


def test_upgrade_twice_is_harmless(database):
    from yingji.core import migrate

    migrate.upgrade(database.engine)
    migrate.upgrade(database.engine)
