"""Shared fixtures: one database per test session (SQLite file or a fresh PostgreSQL database),
the demo district loaded once, an app and client on it, and tokens for each role.

``YINGJI_TEST_DATABASE=postgres`` runs the same suite on PostgreSQL
(``YINGJI_TEST_PG_ADMIN_URL`` names a database to create the test database from).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from yingji.app import create_app
from yingji.config import Settings
from yingji.core import migrate
from yingji.core.db import Database

# Wall-clock deadlines per example only measure how busy the 2-core machine is.
hypothesis_settings.register_profile("yingji", deadline=None)
hypothesis_settings.load_profile("yingji")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PG_ADMIN_URL = os.environ.get(
    "YINGJI_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
ON_POSTGRES = os.environ.get("YINGJI_TEST_DATABASE", "sqlite") == "postgres"
TEST_PASSWORD = "test-password-1"


def _create_pg_database() -> tuple[str, Callable[[], None]]:
    name = f"yingji_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def fresh_database_url(tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A new, empty database of the kind this run tests on."""
    if ON_POSTGRES:
        return _create_pg_database()
    return f"sqlite:///{tmp_path / 'yingji.db'}", lambda: None


@pytest.fixture(scope="session")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url, drop = fresh_database_url(tmp_path_factory.mktemp("db"))
    yield url
    drop()


@pytest.fixture(scope="session")
def settings(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key="test-secret-key-" + "x" * 32,
    )


@pytest.fixture(scope="session")
def database(settings: Settings) -> Iterator[Database]:
    db = Database(settings.database_url)
    migrate.upgrade(db.engine)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def demo(database: Database) -> Database:
    """The demo district at the seed's full scale, loaded once per session."""
    from yingji.demo.load import load_demo

    with database.session() as session:
        load_demo(session, seed=20200326)
    return database


@pytest.fixture(scope="session")
def app(settings: Settings, demo: Database):  # type: ignore[no-untyped-def]
    application = create_app(settings, migrate_on_start=False)
    application.state.db.dispose()
    application.state.db = demo
    return application


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture
def session(demo: Database) -> Iterator[Session]:
    with demo.session() as s:
        yield s


@pytest.fixture(scope="session")
def token_for(client: TestClient, demo: Database) -> Callable[..., dict[str, str]]:
    """Authorization headers for a user of the given role and scope, created on first use."""
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role

    cache: dict[tuple[str, str | None], dict[str, str]] = {}

    def get(role: str, scope: str | None = None) -> dict[str, str]:
        key = (role, scope)
        if key not in cache:
            username = f"t_{role}_{scope or 'all'}_{uuid.uuid4().hex[:6]}"
            with demo.session() as s:
                auth.create_user(
                    s,
                    username=username,
                    password=TEST_PASSWORD,
                    role=Role(role),
                    scope_code=scope,
                    known_scope_codes=None,
                    actor=SYSTEM,
                )
                s.commit()
            resp = client.post(
                "/api/v1/auth/token", data={"username": username, "password": TEST_PASSWORD}
            )
            assert resp.status_code == 200, resp.text
            cache[key] = {"Authorization": f"Bearer {resp.json()['access_token']}"}
        return cache[key]

    return get


@pytest.fixture(scope="session")
def admin_headers(token_for: Callable[..., dict[str, str]]) -> dict[str, str]:
    return token_for("admin")


@pytest.fixture
def upload(client, token_for) -> Callable[..., Any]:  # type: ignore[no-untyped-def]
    """Send ``data`` through the resumable API in chunks; answer the complete response."""

    def send(data: bytes, filename: str = "现场照片.png", *, chunk: int = 64 * 1024,
             headers: dict[str, str] | None = None, sha256: str | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
        h = headers or token_for("grid_worker", "370103001")
        r = client.post("/api/v1/media/uploads", headers=h, json={
            "filename": filename, "size_bytes": len(data),
            "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        })  # fmt: skip
        assert r.status_code == 201, r.text
        up = r.json()
        for start in range(0, len(data), chunk):
            c = client.put(
                f"/api/v1/media/uploads/{up['id']}/chunk", params={"offset": start},
                content=data[start : start + chunk],
                headers={**h, "Content-Type": "application/octet-stream"},
            )  # fmt: skip
            assert c.status_code == 200, c.text
        return client.post(f"/api/v1/media/uploads/{up['id']}/complete", headers=h)

    return send
