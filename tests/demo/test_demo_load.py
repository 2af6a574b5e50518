"""The demo district in the database (the session's ``demo`` fixture) and the ``demo`` command."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from yingji.audit.models import AuditEntry
from yingji.auth.models import User
from yingji.config import get_settings
from yingji.core import migrate
from yingji.core.db import Database
from yingji.demo.load import DEMO_ACCOUNTS, PASSWORD_ENV, demo_password, load_demo
from yingji.grid import service as grid
from yingji.org.models import Person

GANSHIQIAO = "370103003"


def _total(client: TestClient, path: str, headers: dict[str, str]) -> int:
    resp = client.get(path, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["total"]


def test_grid_counts_through_the_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert _total(client, "/api/v1/grid/points?limit=1", admin_headers) == 4758
    assert _total(client, "/api/v1/grid/lines?limit=1", admin_headers) == 322
    assert _total(client, "/api/v1/grid/areas?limit=1", admin_headers) == 127
    sub = f"subdistrict={GANSHIQIAO}&limit=1"
    assert _total(client, f"/api/v1/grid/points?{sub}", admin_headers) == 663
    assert _total(client, f"/api/v1/grid/lines?{sub}", admin_headers) == 40
    assert _total(client, f"/api/v1/grid/areas?{sub}", admin_headers) == 8


def test_subdistricts_through_the_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    resp = client.get("/api/v1/subdistricts?kind=subdistrict", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["total"] == 17
    names = {s["code"]: s["name"] for s in body["items"]}
    assert names[GANSHIQIAO] == "杆石桥街道"
    assert names["370103022"] == "陡沟街道"
    for item in body["items"]:
        force = item["local_force"]
        assert force is not None and force["leader"]["phone"]
        assert item["population"] > 0
    parks = client.get("/api/v1/subdistricts?kind=park", headers=admin_headers).json()
    assert 2 <= parks["total"] <= 3
    assert all(p["parent_code"] in names for p in parks["items"])


def test_headquarters_through_the_api(client: TestClient, admin_headers: dict[str, str]) -> None:
    resp = client.get("/api/v1/org/headquarters", headers=admin_headers)
    assert resp.status_code == 200, resp.text
    hqs = {h["code"]: h for h in resp.json()}
    assert len(hqs) == 9
    assert hqs["HQ-SAFETY"]["lead_department"]["code"] == "DEPT-EM"
    assert hqs["HQ-FIRE"]["lead_department"]["code"] == "DEPT-FIRE"
    for hq in hqs.values():
        assert hq["commander"]["title"].startswith("副区长")
        assert hq["office_director"]["id"] == hq["lead_department"]["head"]["id"]
        assert hq["member_departments"]


def test_person_ids_follow_the_database(session: Session) -> None:
    """Generator ids were replaced by database ids: every reference resolves."""
    from yingji.org import service as org

    committee = org.get_committee(session)
    assert committee is not None
    assert committee.first_director is not None and committee.first_director.title == "区委书记"
    assert committee.director is not None and committee.director.title == "区长"
    assert session.scalar(select(func.count()).select_from(Person)) >= 44


def test_grid_revision_is_set(session: Session) -> None:
    assert grid.current_revision(session) >= 1


def test_second_load_does_nothing(demo: Database) -> None:
    with demo.session() as s:
        assert load_demo(s) is False
        assert s.scalar(select(func.count()).select_from(User).where(User.username == "admin"))


def test_demo_accounts_log_in_and_are_audited(client: TestClient, session: Session) -> None:
    for account in DEMO_ACCOUNTS:
        resp = client.post(
            "/api/v1/auth/token",
            data={"username": account.username, "password": demo_password()},
        )
        assert resp.status_code == 200, (account.username, resp.text)
    users = {u.username: u for u in session.scalars(select(User))}
    roles = {users[a.username].role for a in DEMO_ACCOUNTS}
    assert roles == {
        "admin",
        "committee",
        "hq_commander",
        "duty_officer",
        "department_operator",
        "subdistrict_operator",
        "grid_worker",
        "enterprise_user",
        "viewer",
        "station",
    }
    assert users["gsq_operator"].scope_code == GANSHIQIAO
    assert users["gsq_station"].scope_code == GANSHIQIAO
    assert users["syl_operator"].scope_code == "370103012"
    assert users["hq_safety"].scope_code == "HQ-SAFETY"
    audited = set(
        session.scalars(
            select(AuditEntry.object_id).where(
                AuditEntry.object_type == "user", AuditEntry.actor_type == "system"
            )
        )
    )
    assert {str(users[a.username].id) for a in DEMO_ACCOUNTS} <= audited


def test_subdistrict_operator_sees_own_grid_only(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/auth/token", data={"username": "gsq_operator", "password": demo_password()}
    )
    headers = {"Authorization": f"Bearer {resp.json()['access_token']}"}
    assert _total(client, "/api/v1/grid/points?limit=1", headers) == 663
    other = client.get("/api/v1/grid/points?subdistrict=370103012&limit=1", headers=headers)
    assert other.status_code == 403


@pytest.fixture
def fresh_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("YINGJI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YINGJI_DATABASE_URL", raising=False)
    monkeypatch.setenv(PASSWORD_ENV, "another-demo-pass")
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_demo_command_loads_once(fresh_sqlite: Path) -> None:
    from yingji.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert "4758 个点" in first.output
    assert "another-demo-pass" in first.output
    assert (fresh_sqlite / "yingji.db").exists()
    second = runner.invoke(app, ["demo", "--no-serve"])
    assert second.exit_code == 0, second.output
    assert "database not empty" in second.output
    db = Database(f"sqlite:///{fresh_sqlite / 'yingji.db'}")
    migrate.upgrade(db.engine)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(User)) == len(DEMO_ACCOUNTS)
    db.dispose()


def test_print_accounts_lists_every_account(
    monkeypatch: pytest.MonkeyPatch, capsys: Callable[..., object]
) -> None:
    from rich.console import Console

    from yingji.demo.load import print_accounts

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    console = Console(width=200, record=True)
    print_accounts(console)
    text = console.export_text()
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert "yingji-demo" in text
