"""Running Alembic from inside the package, with no alembic.ini on disk."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, text

_LOCK_KEY = 0x59494E474A49  # "YINGJI"
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision of every domain's branch (``heads``)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several server processes may start at once: one migrates, the others wait.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def revision(url: str, message: str, autogenerate: bool = True, head: str = "head") -> None:
    command.revision(alembic_config(url), message=message, autogenerate=autogenerate, head=head)
