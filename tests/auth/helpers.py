"""Apps of their own for the login tests: limits small enough to reach in a test, on the
session's database, each client from an address no other test uses."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from yingji.app import create_app
from yingji.audit.service import SYSTEM
from yingji.auth import service as auth
from yingji.auth.roles import Role
from yingji.config import Settings
from yingji.core.db import Database


def app_with(settings: Settings, database: Database, **overrides: Any):  # type: ignore[no-untyped-def]
    application = create_app(settings.model_copy(update=overrides), migrate_on_start=False)
    application.state.db.dispose()
    application.state.db = database
    return application


def client_from(application, address: str | None = None) -> TestClient:  # type: ignore[no-untyped-def]
    """A client whose peer address is its own (the address limits are per address)."""
    if address is None:
        n = uuid.uuid4().int
        address = f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"
    return TestClient(application, client=(address, 40000))


def new_user(
    database: Database, role: str = "duty_officer", password: str = "right-horse-battery"
) -> str:
    name = f"lg_{uuid.uuid4().hex[:10]}"
    with database.session() as s:
        auth.create_user(
            s,
            username=name,
            password=password,
            role=Role(role),
            scope_code=None,
            known_scope_codes=None,
            actor=SYSTEM,
        )
        s.commit()
    return name


class Clock:
    """The login view's clock, moved by hand (``yingji.auth.views.utcnow``): the limits are
    tested at their exact seconds, whatever the machine's speed."""

    def __init__(self) -> None:
        from yingji.core.db import utcnow

        self.now = utcnow()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)
