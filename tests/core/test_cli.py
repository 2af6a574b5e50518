"""The ``yingji`` command: database upgrade and adding users."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from yingji.cli import app
from yingji.config import get_settings


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("YINGJI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("YINGJI_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_db_upgrade_creates_the_sqlite_file(cli_env):
    result = CliRunner().invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (cli_env / "yingji.db").exists()


def test_user_add_takes_the_password_from_the_environment(cli_env, monkeypatch):
    monkeypatch.setenv("YINGJI_PASSWORD", "a-long-password")
    result = CliRunner().invoke(app, ["user", "add", "duty2", "--role", "duty_officer"])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(app, ["user", "add", "duty2", "--role", "duty_officer"])
    assert again.exit_code == 1
    assert "用户名已存在" in again.output


def test_user_add_refuses_an_unknown_role(cli_env, monkeypatch):
    monkeypatch.setenv("YINGJI_PASSWORD", "a-long-password")
    result = CliRunner().invoke(app, ["user", "add", "x", "--role", "king"])
    assert result.exit_code == 2
    assert "unknown role" in result.output


def test_scoped_user_needs_a_known_scope(cli_env, monkeypatch):
    monkeypatch.setenv("YINGJI_PASSWORD", "a-long-password")
    result = CliRunner().invoke(
        app, ["user", "add", "op", "--role", "subdistrict_operator", "--scope", "nowhere"]
    )
    assert result.exit_code == 1


def test_serve_can_leave_out_the_access_log(cli_env, monkeypatch):
    """On a flood day a log line per report is work the server can skip (the intake bench
    runs its servers so); by default every request is logged."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app_path, **kw: calls.append(kw))
    for args in (["serve"], ["serve", "--no-access-log"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    assert [c["access_log"] for c in calls] == [True, False]


def test_openapi_writes_the_spec(tmp_path):
    out = tmp_path / "openapi.json"
    result = CliRunner().invoke(app, ["openapi", "-o", str(out)])
    assert result.exit_code == 0, result.output
    spec = json.loads(out.read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/tasks/{task_id}" in spec["paths"]
    assert "ErrorBody" in spec["components"]["schemas"]
