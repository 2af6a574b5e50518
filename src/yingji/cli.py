"""The ``yingji`` command: serve, demo, database, users, benchmarks."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from yingji.bench.cli import bench_app
from yingji.config import get_settings

if TYPE_CHECKING:
    from yingji.core.db import Database

app = typer.Typer(help="Yingji 应急指挥平台", no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="数据库 / database", no_args_is_help=True)
user_app = typer.Typer(help="账号 / accounts", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(bench_app, name="bench")
console = Console()


def _database() -> Database:
    from yingji.core.db import Database

    return Database(get_settings().resolved_database_url())


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址 / bind address"),
    port: int = typer.Option(8000, help="端口 / port"),
    workers: int = typer.Option(1, help="进程数 / worker processes"),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="逐请求访问日志 / a log line per request"
    ),
) -> None:
    """Serve the platform (API, dashboard, timers)."""
    import uvicorn

    from yingji.core import migrate

    database = _database()
    migrate.upgrade(database.engine)
    database.dispose()
    uvicorn.run(
        "yingji.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level=get_settings().log_level,
        proxy_headers=True,
        access_log=access_log,
    )


@app.command()
def demo(
    host: str = typer.Option("127.0.0.1", help="监听地址 / bind address"),
    port: int = typer.Option(8000, help="端口 / port"),
    seed: int = typer.Option(20200326, help="演示数据随机种子 / demo seed"),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="加载后启动服务"),
    simulator: bool = typer.Option(
        True, "--simulator/--no-simulator", help="同时运行事件模拟器 / run the incident simulator"
    ),
    sim_rate: float = typer.Option(20.0, min=0.1, help="模拟报告速率（份/分钟）/ reports a minute"),
    flood_day: bool = typer.Option(False, "--flood-day", help="汛期洪峰：速率 ×10、以积水内涝为主"),
) -> None:
    """Create and load the demo district if the database is empty, then serve (with the
    simulator feeding every intake channel unless ``--no-simulator``)."""
    from yingji.core import migrate
    from yingji.demo.load import load_demo, print_accounts

    database = _database()
    migrate.upgrade(database.engine)
    with database.session() as session:
        loaded = load_demo(session, seed=seed, console=console)
    if loaded:
        console.print("[green]演示街区已载入 / demo district loaded[/green]")
    else:
        console.print("数据库已有数据，跳过演示数据 / database not empty, demo data skipped")
    print_accounts(console)
    if serve_after and simulator:
        from yingji.simulator.launch import start_in_background
        from yingji.simulator.scenario import Settings as SimSettings

        start_in_background(
            database,
            f"http://{host}:{port}",
            SimSettings(reports_per_min=sim_rate, flood_day=flood_day),
        )
        console.print(
            f"模拟器已启动 / simulator on: {sim_rate:g} 份/分钟"
            + ("，汛期洪峰 / flood day" if flood_day else "")
        )
    database.dispose()
    if serve_after:
        serve(host=host, port=port, workers=1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    from yingji.core import migrate

    database = _database()
    migrate.upgrade(database.engine)
    console.print(f"[green]数据库已是最新 / schema up to date[/green] ({database.engine.url!r})")
    database.dispose()


@db_app.command("revision")
def db_revision(
    message: str = typer.Option(..., "-m", help="说明 / message"),
    head: str = typer.Option("head", help="在哪个分支上 / branch head, e.g. intake@head"),
) -> None:
    """Autogenerate a migration from the models (for developers)."""
    from yingji.core import migrate

    migrate.revision(get_settings().resolved_database_url(), message, head=head)


@user_app.command("add")
def user_add(
    username: str,
    role: str = typer.Option(..., help="角色 / role"),
    scope: str | None = typer.Option(None, help="范围代码 / scope code"),
    display_name: str = typer.Option("", help="姓名 / display name"),
) -> None:
    """Add an account; the password comes from YINGJI_PASSWORD or a prompt."""
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import ROLE_SCOPE, Role
    from yingji.core import migrate
    from yingji.core.errors import ApiError
    from yingji.org import service as org

    try:
        role_value = Role(role)
    except ValueError:
        console.print(f"[red]未知角色 / unknown role: {role}[/red] ({', '.join(Role)})")
        raise typer.Exit(2) from None
    password = os.environ.get("YINGJI_PASSWORD") or typer.prompt(
        "密码 / password", hide_input=True, confirmation_prompt=True
    )
    database = _database()
    migrate.upgrade(database.engine)
    with database.session() as session:
        try:
            user = auth.create_user(
                session,
                username=username,
                password=password,
                role=role_value,
                scope_code=scope,
                known_scope_codes=org.scope_codes(session).get(ROLE_SCOPE[role_value].value),
                actor=SYSTEM,
                display_name=display_name,
            )
            session.commit()
        except ApiError as exc:
            console.print(f"[red]{exc.message}[/red] / {exc.message_en}")
            raise typer.Exit(1) from None
        console.print(f"[green]已创建 / created[/green] {user.username} ({user.role})")
    database.dispose()


if __name__ == "__main__":
    app()
