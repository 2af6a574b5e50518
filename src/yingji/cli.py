"""The ``yingji`` command: serve, demo, database, users, benchmarks."""

from __future__ import annotations

import os
import sys
from pathlib import Path
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
audit_app = typer.Typer(help="审计日志 / audit log", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(bench_app, name="bench")
screening_app = typer.Typer(help="甄别研判 / screening", no_args_is_help=True)
app.add_typer(screening_app, name="screening")
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
    tls_cert: Path | None = typer.Option(
        None, "--tls-cert", help="HTTPS 证书（PEM）/ certificate chain, PEM"
    ),
    tls_key: Path | None = typer.Option(None, "--tls-key", help="HTTPS 私钥（PEM）/ key, PEM"),
) -> None:
    """Serve the platform (API, dashboard, timers). With ``--tls-cert`` and ``--tls-key`` it
    serves HTTPS itself: browsers give the alarm page a position and the camera only in a
    secure context (W3C Geolocation API §"Security and privacy"; Media Capture and Streams
    §"Privacy indicator requirements"). Behind a reverse proxy that ends TLS, leave them out
    (docs/operations.md)."""
    import uvicorn

    from yingji.core import migrate

    if (tls_cert is None) != (tls_key is None):
        raise typer.BadParameter("--tls-cert 与 --tls-key 须同时给出 / give both or neither")
    for given in (tls_cert, tls_key):
        if given is not None and not given.is_file():
            raise typer.BadParameter(f"找不到文件 / no such file: {given}")
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
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
    )


def openapi_document() -> dict[str, object]:
    """The API's OpenAPI 3.1 document, the same whatever the settings: built on an in-memory
    database that is never migrated, so it needs no data directory and touches no file."""
    from yingji.app import create_app
    from yingji.config import Settings

    return create_app(Settings(database_url="sqlite://"), migrate_on_start=False).openapi()


@app.command("openapi")
def openapi_cmd(
    output: str = typer.Option("-", "--output", "-o", help="输出文件，- 为标准输出 / file or -"),
) -> None:
    """Write the OpenAPI document (what web/src/api/schema.d.ts is generated from)."""
    import json

    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if output == "-":
        typer.echo(text, nl=False)
    else:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text)


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


@screening_app.command("export-corrections")
def screening_export_corrections(
    output: Path = typer.Option(
        Path("corrections.jsonl"), "--output", "-o", help="输出文件（- 为标准输出）/ output file"
    ),
) -> None:
    """The duty officers' corrections as a labelled corpus (JSON Lines, the corpus format
    ``yingji bench merge-quality`` replays)."""
    from yingji.intake import correction_export

    database = _database()
    with database.session() as db:
        lines = [f"{line}\n" for line in correction_export.export_lines(db)]
    database.dispose()
    if str(output) == "-":
        sys.stdout.write("".join(lines))
        return
    output.write_text("".join(lines), encoding="utf-8")
    console.print(f"已导出 {len(lines)} 份报告 / exported {len(lines)} reports → {output}")


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


@audit_app.command("purge")
def audit_purge() -> None:
    """Delete audit rows older than YINGJI_AUDIT_RETENTION_DAYS (never younger than 184 days,
    网络安全法 第二十一条); the purge itself is audited. Run it daily from cron or a timer."""
    from yingji.audit import retention
    from yingji.audit.service import SYSTEM
    from yingji.core import migrate
    from yingji.core.db import utcnow

    database = _database()
    migrate.upgrade(database.engine)
    days = get_settings().audit_retention_days
    with database.session() as session:
        done = retention.purge(session, now=utcnow(), retention_days=days, actor=SYSTEM)
        session.commit()
    console.print(
        f"已删除 / deleted {done.deleted} 条早于 / rows older than {done.cutoff:%Y-%m-%d %H:%M} UTC"
    )
    database.dispose()


if __name__ == "__main__":
    app()
