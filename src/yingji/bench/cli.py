"""The ``yingji bench`` commands."""

from __future__ import annotations

import functools
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

bench_app = typer.Typer(help="性能测试 / benchmarks", no_args_is_help=True)
# Benchmark tables are read from logs and pasted into docs: never wrap them to a narrow pipe.
console = Console(width=160)
# the scratch database most benchmarks take: the same two options everywhere
DATABASE_OPTION = typer.Option(
    "sqlite", help="数据库 / database: sqlite (temp file) or postgres (new database)"
)
PG_ADMIN_OPTION = typer.Option(
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    help="建库用的 PostgreSQL 连接 / PostgreSQL URL to create databases from",
)


@bench_app.command("locate")
def bench_locate(
    points: int = typer.Option(20000, min=1, help="每轮随机位置数 / positions per round"),
    rounds: int = typer.Option(7, min=1, help="轮数 / rounds"),
    seed: int = typer.Option(1, help="随机位置的种子 / seed of the random positions"),
    demo_seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    max_distance_m: float = typer.Option(200.0, min=0.0, help="最近线、点的搜索距离（米）"),
    baseline_points: int = typer.Option(
        2000, min=1, help="基线每轮位置数（基线较慢）/ positions per baseline round"
    ),
    use_db: bool = typer.Option(
        False, "--use-db", help="使用已配置的数据库，而非临时 SQLite / use the configured DB"
    ),
) -> None:
    """Locate calls per second over random positions in the demo district (target ≥ 20,000)."""
    from yingji.bench.locate import (
        Case,
        bd09_locator,
        measure,
        naive_subdistrict_locator,
        random_positions,
        reference_locator,
    )
    from yingji.core import migrate
    from yingji.core.db import Database
    from yingji.geo.transform import wgs84_to_bd09
    from yingji.grid import service as grid

    with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp:
        if use_db:
            from yingji.config import get_settings

            url = get_settings().resolved_database_url()
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        database = Database(url)
        migrate.upgrade(database.engine)
        with database.session() as session:
            from yingji.demo.load import load_demo
            from yingji.org import service as org

            if org.is_empty(session):
                load_demo(session, seed=demo_seed, console=console)
            started = time.perf_counter()
            index = grid.build_index(session)
            build_s = time.perf_counter() - started
        database.dispose()

    console.print(
        f"索引 / index: {len(index.subdistricts)} 街道, {len(index.areas)} 面, "
        f"{len(index.lines)} 线, {len(index.points)} 点; 构建 / built in {build_s:.2f} s"
    )
    positions = random_positions(index, points, seed)
    bd09_positions = [wgs84_to_bd09(lon, lat) for lon, lat in positions]
    located = sum(1 for lon, lat in positions if index.locate(lon, lat, max_distance_m))
    if located != len(positions):
        console.print(f"[red]{len(positions) - located} positions not located[/red]")
        raise typer.Exit(1)

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        results = measure(
            [
                Case("GridIndex.locate (full)", index.locate, positions),
                Case("GridIndex.locate, BD-09 input", bd09_locator(index), bd09_positions),
                Case(
                    "naive shapely PIP (sub-district only)",
                    naive_subdistrict_locator(index),
                    positions[:baseline_points],
                ),
                Case(
                    "brute-force reference (full)",
                    reference_locator(index),
                    positions[:baseline_points],
                ),
            ],
            rounds,
            max_distance_m,
            progress,
        )

    table = Table(title=f"yingji bench locate ({rounds} rounds, max_distance_m={max_distance_m:g})")
    table.add_column("locator")
    table.add_column("calls/round", justify="right")
    table.add_column("median calls/s (wall)", justify="right", style="bold")
    table.add_column("min–max", justify="right")
    table.add_column("IQR", justify="right")
    table.add_column("median, CPU time", justify="right")
    for r in results:
        s = r.summary
        table.add_row(
            r.name,
            f"{r.calls:,}",
            f"{s.median:,.0f}",
            f"{s.minimum:,.0f}–{s.maximum:,.0f}",
            f"{s.q1:,.0f}–{s.q3:,.0f}",
            f"{r.cpu.median:,.0f}",
        )
    console.print(table)
    fast = results[0].summary.median
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"{platform.machine()}; speed-up vs naive sub-district test "
        f"×{fast / results[2].summary.median:.1f}, vs brute force "
        f"×{fast / results[3].summary.median:.1f}; target ≥ 20,000/s: "
        + ("[green]met[/green]" if fast >= 20000 else "[red]missed[/red]")
    )


@bench_app.command("dashboard")
def bench_dashboard(
    runs: int = typer.Option(7, min=1, help="次数 / runs"),
    url: str | None = typer.Option(
        None, help="已运行的服务；默认临时演示库 / a running server (default: a fresh demo)"
    ),
    username: str = typer.Option("duty", help="登录账号 / account"),
    password: str | None = typer.Option(None, help="密码；默认演示密码 / default: demo password"),
    incidents: int = typer.Option(
        2000, min=0, help="先建多少未结事件（仅临时演示库）/ open incidents to add first"
    ),
) -> None:
    """First page usable time of the dashboard map in chromium (needs `make web browser`)."""
    from yingji.bench import dashboard

    series, target = dashboard.run(
        runs=runs, url=url, username=username, password=password, incidents=incidents
    )
    table = Table(title=f"yingji bench dashboard ({target}, {runs} runs, cold cache, chromium)")
    table.add_column("measure")
    table.add_column("median ms", justify="right", style="bold")
    table.add_column("min–max", justify="right")
    table.add_column("IQR", justify="right")
    for s in series:
        summary = s.summary
        table.add_row(
            s.name,
            f"{summary.median:.0f}",
            f"{summary.minimum:.0f}–{summary.maximum:.0f}",
            f"{summary.q1:.0f}–{summary.q3:.0f}",
        )
    console.print(table)
    usable = series[-1].summary.median
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"{platform.machine()}; map usable − login page baseline: "
        f"{usable - series[0].summary.median:.0f} ms; target < 2,000 ms: "
        + ("[green]met[/green]" if usable < 2000 else "[red]missed[/red]")
    )


@bench_app.command("ledger")
def bench_ledger(
    rounds: int = typer.Option(5, min=1, help="轮数 / rounds"),
    demo_seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    database: str = DATABASE_OPTION,
    pg_admin_url: str = PG_ADMIN_OPTION,
) -> None:
    """Grid ledger export and import of all the demo district's points (.xlsx and GeoJSON).

    Always on a scratch database of its own: one case deletes every point and imports them.
    """
    from yingji.bench.demo_load import fresh_database
    from yingji.bench.ledger import run
    from yingji.demo.load import load_demo

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    with fresh_database(database, pg_admin_url) as scratch:
        with scratch.session() as session:
            load_demo(session, seed=demo_seed, console=console)
        timings = run(scratch, rounds, lambda msg: console.print(msg))

    table = Table(title=f"yingji bench ledger ({rounds} rounds, {database})")
    table.add_column("case")
    table.add_column("rows", justify="right")
    table.add_column("median wall s", justify="right", style="bold")
    table.add_column("wall min–max", justify="right")
    table.add_column("median CPU s", justify="right", style="bold")
    table.add_column("CPU min–max", justify="right")
    for t in timings:
        table.add_row(
            t.name,
            f"{t.rows:,}",
            f"{t.median_wall_s:.2f}",
            f"{min(t.wall_s):.2f}–{max(t.wall_s):.2f}",
            f"{t.median_cpu_s:.2f}",
            f"{min(t.cpu_s):.2f}–{max(t.cpu_s):.2f}",
        )
    console.print(table)
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, {platform.machine()}"
    )


@bench_app.command("demo")
def bench_demo(
    rounds: int = typer.Option(5, min=1, help="轮数 / rounds"),
    baseline_rounds: int = typer.Option(3, min=0, help="基线轮数 / baseline rounds"),
    seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    database: str = DATABASE_OPTION,
    pg_admin_url: str = PG_ADMIN_OPTION,
) -> None:
    """Seconds to load the demo district into an empty database (target < 10 s on SQLite)."""
    from yingji.bench.demo_load import run

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task(f"demo load on {database}", total=rounds + baseline_rounds)
        timings = run(
            kind=database,
            rounds=rounds,
            seed=seed,
            pg_admin_url=pg_admin_url,
            baseline_rounds=baseline_rounds,
            on_round=lambda: progress.advance(task),
        )
    table = Table(title=f"yingji bench demo ({database}, seed {seed})")
    table.add_column("step")
    table.add_column("rounds", justify="right")
    table.add_column("median s", justify="right", style="bold")
    table.add_column("min–max s", justify="right")
    for t in timings:
        if not t.seconds:
            continue
        table.add_row(
            t.name, str(len(t.seconds)), f"{t.median_s:.2f}", f"{t.min_s:.2f}–{t.max_s:.2f}"
        )
    console.print(table)
    full = timings[0].median_s
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, "
        f"{platform.machine()}; target < 10 s: "
        + ("[green]met[/green]" if full < 10 else "[red]missed[/red]")
    )


@bench_app.command("nearby")
def bench_nearby(
    queries: int = typer.Option(1000, min=2, help="每轮查询数 / queries per round"),
    rounds: int = typer.Option(5, min=1, help="轮数 / rounds"),
    seed: int = typer.Option(1, help="随机查询的种子 / seed of the random queries"),
    demo_seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    baseline_queries: int = typer.Option(
        200, min=2, help="基线每轮查询数（基线较慢）/ queries per baseline round"
    ),
    use_db: bool = typer.Option(
        False, "--use-db", help="使用已配置的数据库，而非临时 SQLite / use the configured DB"
    ),
    server: bool = typer.Option(
        False, "--server", help="另测经 uvicorn 子进程的真实 HTTP / also time a uvicorn child"
    ),
) -> None:
    """Nearby-search latency at the demo scale: service, HTTP, and a no-index baseline
    (target: HTTP p99 under 20 ms)."""
    from yingji.bench.nearby import run

    with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp:
        if use_db:
            from yingji.config import get_settings

            url = get_settings().resolved_database_url()
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("nearby", total=rounds)
            result = run(
                url=url,
                data_dir=Path(tmp),
                queries=queries,
                rounds=rounds,
                seed=seed,
                demo_seed=demo_seed,
                baseline_queries=min(baseline_queries, queries),
                server=server,
                on_step=lambda: progress.advance(task),
            )
    console.print(
        "索引 / indexed: "
        + ", ".join(f"{kind} {n}" for kind, n in result.counts.items())
        + f"; 与基线核对 / checked against baseline: {result.checked} queries, "
        f"{result.mismatches} mismatches"
    )
    table = Table(title=f"yingji bench nearby ({rounds} rounds × {queries} queries)")
    table.add_column("way")
    table.add_column("calls", justify="right")
    table.add_column("median ms", justify="right", style="bold")
    table.add_column("p99 ms", justify="right", style="bold")
    table.add_column("p99/round", justify="right")
    table.add_column("CPU med", justify="right")
    table.add_column("CPU p99", justify="right")
    ways = [("service", result.service), ("HTTP", result.http)]
    if result.server is not None:
        ways.append(("server", result.server))
    ways.append(("baseline", result.baseline))
    for name, s in ways:
        per_round = result.round_p99_ms[name.lower()]
        cpu = result.cpu[name.lower()]
        remote = name == "server"  # its work is done in the child process
        table.add_row(
            name,
            f"{s.calls:,}",
            f"{s.median_ms:.2f}",
            f"{s.p99_ms:.2f}",
            f"{min(per_round):.1f}–{max(per_round):.1f}",
            "—" if remote else f"{cpu.median_ms:.2f}",
            "—" if remote else f"{cpu.p99_ms:.2f}",
        )
    console.print(table)
    judged, how = (result.server, "server") if result.server is not None else (result.http, "HTTP")
    met = judged.p99_ms < 20.0
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}, {platform.machine()}; "
        f"service vs baseline median ×{result.baseline.median_ms / result.service.median_ms:.1f}; "
        f"target {how} p99 < 20 ms: "
        + ("[green]met[/green]" if met else "[red]missed[/red]")
        + f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    )
    if result.mismatches:
        raise typer.Exit(1)


def _scratch_url(tmp: str, use_db: bool) -> str:
    if use_db:
        from yingji.config import get_settings

        return get_settings().resolved_database_url()
    return f"sqlite:///{Path(tmp) / 'bench.db'}"


@bench_app.command("activation")
def bench_activation(
    rounds: int = typer.Option(5, min=1, help="轮数 / rounds"),
    per_round: int = typer.Option(20, min=2, help="每轮启动次数 / activations per round"),
    demo_seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    use_db: bool = typer.Option(
        False, "--use-db", help="使用已配置的数据库，而非临时 SQLite / use the configured DB"
    ),
) -> None:
    """Plan activation with 40 tasks, end to end over HTTP in-process (target p99 < 200 ms);
    baselines: a 1-task plan and a plain read."""
    from yingji.bench.command import run_activation

    with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        step = progress.add_task("activation", total=rounds)
        result = run_activation(
            url=_scratch_url(tmp, use_db), data_dir=Path(tmp), rounds=rounds,
            per_round=per_round, demo_seed=demo_seed,
            on_step=lambda: progress.advance(step),
        )  # fmt: skip
    table = Table(title=f"yingji bench activation ({rounds} rounds × {per_round})")
    for col in ("request", "calls", "median ms", "p90 ms", "p99 ms", "max ms"):
        table.add_column(col, justify="left" if col == "request" else "right")
    for name, s in (
        (f"activate {result.tasks_per_activation}-task plan", result.forty),
        ("activate 1-task plan (baseline)", result.one),
        ("GET activations (floor)", result.read),
    ):
        table.add_row(name, f"{s.calls}", f"{s.median_ms:.1f}", f"{s.p90_ms:.1f}",
                      f"{s.p99_ms:.1f}", f"{s.max_ms:.1f}")  # fmt: skip
    console.print(table)
    met = result.forty.p99_ms < 200.0
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}; p99 per round "
        f"{min(result.round_p99_ms):.1f}–{max(result.round_p99_ms):.1f} ms; target p99 < 200 ms: "
        + ("[green]met[/green]" if met else "[red]missed[/red]")
    )


@bench_app.command("timers")
def bench_timers(
    count: int = typer.Option(1000, min=1, help="同时到期的计时器数 / timers due at once"),
    rounds: int = typer.Option(4, min=2, help="轮数（升级与空操作交替）/ rounds, alternating"),
    interval_s: float = typer.Option(0.2, min=0.01, help="轮询间隔 / poll interval (s)"),
    demo_seed: int = typer.Option(20200326, help="演示街区种子 / demo district seed"),
    use_db: bool = typer.Option(
        False, "--use-db", help="使用已配置的数据库，而非临时 SQLite / use the configured DB"
    ),
) -> None:
    """N durable timers due at one instant, fired on one process (target: all within 1 s);
    real task escalations against a no-op handler baseline."""
    from yingji.bench.command import run_timers

    with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp, Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        step = progress.add_task("timers", total=rounds)
        results = run_timers(
            url=_scratch_url(tmp, use_db), data_dir=Path(tmp), count=count, rounds=rounds,
            interval_s=interval_s, demo_seed=demo_seed,
            on_step=lambda: progress.advance(step),
        )  # fmt: skip
    table = Table(title=f"yingji bench timers ({count} due at once, poll {interval_s} s)")
    for col in ("round", "handler", "timers", "median late ms", "p99 late ms", "all fired by s"):
        table.add_column(col, justify="left" if col in ("round", "handler") else "right")
    for i, r in enumerate(results, 1):
        table.add_row(str(i), r.kind, f"{r.timers}", f"{r.lateness.median_ms:.0f}",
                      f"{r.lateness.p99_ms:.0f}", f"{r.all_within_s:.3f}")  # fmt: skip
    console.print(table)
    worst = max(r.all_within_s for r in results if r.kind == "escalation")
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}; escalation rounds: "
        f"all fired within {worst:.3f} s; target 1 s: "
        + ("[green]met[/green]" if worst <= 1.0 else "[red]missed[/red]")
    )


@bench_app.command("pipeline")
def bench_pipeline(
    database: str = DATABASE_OPTION,
    reports: int = typer.Option(6000, min=100, help="每轮报告数 / reports per round"),
    batch: int = typer.Option(32, min=1, help="每批报告数 / reports per writer batch"),
    rounds: int = typer.Option(3, min=1, help="轮数（每轮新库）/ rounds, each on a fresh DB"),
    pg_admin_url: str = PG_ADMIN_OPTION,
    seed: int = typer.Option(7, help="随机种子 / seed"),
) -> None:
    """The intake pipeline's CPU per report in this process, without HTTP: steadier than
    ``bench intake`` for comparing two versions (run each, alternating)."""
    from yingji.bench.intake import summary
    from yingji.bench.pipeline import run_pipeline

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        step = progress.add_task("pipeline", total=rounds)
        results = run_pipeline(
            database=database, pg_admin_url=pg_admin_url, reports=reports, batch=batch,
            rounds=rounds, seed=seed, on_step=lambda: progress.advance(step),
        )  # fmt: skip
    table = Table(title=f"yingji bench pipeline ({database}, {reports:,} reports, "
                  f"batches of {batch})")  # fmt: skip
    for col in ("round", "baseline: parse + validate µs", "prepare µs", "write µs",
                "pipeline µs/report", "merged"):  # fmt: skip
        table.add_column(col, justify="right")
    for i, r in enumerate(results, 1):
        table.add_row(str(i), f"{r.baseline_us:,.0f}", f"{r.prepare_us:,.0f}",
                      f"{r.write_us:,.0f}", f"{r.total_us:,.0f}",
                      f"{r.merged:,} ({100.0 * r.merged / r.reports:.1f} %)")  # fmt: skip
    console.print(table)
    tmed, tlo, thi = summary([r.total_us for r in results])
    pmed, _, _ = summary([r.prepare_us for r in results])
    wmed, _, _ = summary([r.write_us for r in results])
    bmed, _, _ = summary([r.baseline_us for r in results])
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}; pipeline CPU "
        f"median {tmed:,.0f} µs/report ({tlo:,.0f}–{thi:,.0f}): prepare {pmed:,.0f}, write "
        f"{wmed:,.0f}; baseline parse + validate {bmed:,.0f} µs/report"
    )


@bench_app.command("intake")
def bench_intake(
    database: str = DATABASE_OPTION,
    processes: int = typer.Option(0, min=0, help="服务进程数（0 = SQLite 1、PostgreSQL 2）"),
    rounds: int = typer.Option(3, min=1, help="满速轮数 / full-speed rounds"),
    reports_per_round: int = typer.Option(10000, min=100, help="每轮报告数 / reports per round"),
    connections: int = typer.Option(64, min=1, help="并发连接数 / concurrent connections"),
    rate: float = typer.Option(1000.0, min=1.0, help="定速轮的速率（份/秒）/ fixed rate"),
    rate_seconds: float = typer.Option(10.0, min=1.0, help="定速轮时长（秒）"),
    surge: int = typer.Option(100000, min=0, help="洪峰报告数（0 = 不测）/ surge size"),
    nats_url: str = typer.Option("nats://127.0.0.1:4222", help="多进程时的 NATS 地址"),
    pg_admin_url: str = PG_ADMIN_OPTION,
    seed: int = typer.Option(7, help="随机种子 / seed"),
) -> None:
    """Reports per second and latency, sent → committed → seen on the live stream."""
    import asyncio
    import uuid

    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role
    from yingji.bench import intake as b
    from yingji.bench.demo_load import fresh_database
    from yingji.bench.locate import random_positions
    from yingji.core.security import create_access_token
    from yingji.demo.load import load_demo
    from yingji.grid import service as grid
    from yingji.intake import service as intake_service

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    procs = processes or (1 if database == "sqlite" else 2)
    bus_url = nats_url if procs > 1 else ""
    with fresh_database(database, pg_admin_url) as scratch, tempfile.TemporaryDirectory() as tmp:
        with scratch.session() as s:
            load_demo(s, seed=20200326, console=console)
            _, token = auth.create_integration_token(
                s, name="bench", channels=list(auth.CHANNELS), actor=SYSTEM, created_by=None
            )
            watcher = auth.create_user(
                s, username="bench_duty", password=uuid.uuid4().hex, role=Role.duty_officer,
                scope_code=None, known_scope_codes=None, actor=SYSTEM,
            )  # fmt: skip
            s.commit()
            watch_token = create_access_token(str(watcher.id), b.BENCH_SECRET, 24 * 3600)
            positions = random_positions(grid.build_index(s), 5000, seed)
        url = scratch.engine.url.render_as_string(hide_password=False)
        total = rounds * reports_per_round + int(rate * rate_seconds) + surge
        console.print(f"生成 {total:,} 份报告 / generating reports…")
        bodies = b.make_bodies(positions, total, seed)
        base_bodies = b.make_bodies(positions, reports_per_round, seed + 1)
        runs: list[b.Run] = []
        baseline: list[b.Run] = []
        with b.servers(1, database_url=url, bus_url="", data_dir=Path(tmp),
                       app="yingji.bench.baseline_app:app") as base:  # fmt: skip
            for k in range(rounds):
                run = b.Run(f"baseline {k + 1}")
                asyncio.run(
                    b.drive(run, [base[0].port], token, base_bodies, connections=connections,
                            rate_per_s=None, pids=[base[0].process.pid])
                )  # fmt: skip
                baseline.append(run)
                console.print(f"  {run.name}: {run.rate:,.0f}/s")

        async def intake_runs(ports: list[int], pids: list[int]) -> None:
            ref = [b.Run("warm-up")]
            ready = asyncio.Event()
            listener = asyncio.create_task(b.listen(ports[-1], watch_token, ref, ready))
            await ready.wait()
            offset = 0
            await b.drive(ref[0], ports, token, bodies[:0], connections=1, rate_per_s=None)
            for k in range(rounds):
                run = ref[0] = b.Run(f"full speed {k + 1}")
                chunk = bodies[offset : offset + reports_per_round]
                offset += reports_per_round
                await b.drive(
                    run, ports, token, chunk, connections=connections, rate_per_s=None, pids=pids
                )
                await asyncio.sleep(1.0)
                runs.append(run)
                console.print(f"  {run.name}: {run.rate:,.0f}/s, failed {run.failed}")
            n = int(rate * rate_seconds)
            run = ref[0] = b.Run(f"fixed {rate:,.0f}/s")
            await b.drive(run, ports, token, bodies[offset : offset + n],
                          connections=connections, rate_per_s=rate, pids=pids)  # fmt: skip
            offset += n
            await asyncio.sleep(1.0)
            runs.append(run)
            console.print(f"  {run.name}: {run.rate:,.0f}/s")
            if surge:
                run = ref[0] = b.Run(f"surge {surge:,}")
                await b.drive(run, ports, token, bodies[offset : offset + surge],
                              connections=connections, rate_per_s=None, pids=pids)  # fmt: skip
                await asyncio.sleep(2.0)
                runs.append(run)
                console.print(f"  {run.name}: {run.rate:,.0f}/s, failed {run.failed}")
            listener.cancel()

        with scratch.session() as s:
            before = intake_service.count_reports(s)
            merged_before = intake_service.count_merged_reports(s)
        with b.servers(procs, database_url=url, bus_url=bus_url, data_dir=Path(tmp)) as srv:
            asyncio.run(intake_runs([x.port for x in srv], [x.process.pid for x in srv]))
        with scratch.session() as s:
            in_db = intake_service.count_reports(s) - before
            merged = intake_service.count_merged_reports(s) - merged_before

    accepted = sum(r.accepted for r in runs)
    table = Table(title=f"yingji bench intake ({database}, {procs} process(es), "
                  f"{connections} connections)")  # fmt: skip
    for col in ("case", "reports", "reports/s", "commit p50 ms", "commit p99 ms",
                "seen p50 ms", "seen p99 ms", "seen", "failed",
                "server CPU µs/report", "DB CPU µs/report",
                "machine CPU µs/report"):  # fmt: skip
        table.add_column(col, justify="right" if col != "case" else "left")
    for r in baseline + runs:
        c, s_ = r.commit_ms(), r.seen_ms()
        table.add_row(
            r.name, f"{r.accepted:,}", f"{r.rate:,.0f}", f"{b.pct(c, 0.5):.1f}",
            f"{b.pct(c, 0.99):.1f}",
            f"{b.pct(s_, 0.5):.1f}" if s_ else "–", f"{b.pct(s_, 0.99):.1f}" if s_ else "–",
            f"{len(s_):,}" if r in runs else "–", f"{r.failed:,}",
            f"{r.cpu_us_per_report:,.0f}",
            f"{r.database_cpu_us_per_report:,.0f}" if database == "postgres" and r in runs
            else "–",
            f"{r.machine_cpu_us_per_report:,.0f}",
        )  # fmt: skip
    console.print(table)
    full = [r.rate for r in runs if r.name.startswith("full speed")]
    med, lo, hi = b.summary(full)
    bmed, blo, bhi = b.summary([r.rate for r in baseline])
    cpu = [r.cpu_us_per_report for r in runs if r.name.startswith("full speed")]
    cmed, clo, chi = b.summary(cpu)
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}; full speed median "
        f"{med:,.0f}/s ({lo:,.0f}–{hi:,.0f}), server CPU {cmed:,.0f} µs/report "
        f"({clo:,.0f}–{chi:,.0f}); baseline (bare FastAPI, no DB) {bmed:,.0f}/s "
        f"({blo:,.0f}–{bhi:,.0f}); accepted {accepted:,}, in the database {in_db:,}: "
        + ("[green]none lost[/green]" if in_db == accepted else "[red]MISMATCH[/red]")
        + f"; {merged:,} of them merged into an existing incident"
        f" ({100.0 * merged / max(1, in_db):.1f} %)"
    )


@bench_app.command("dashboard-live")
def bench_dashboard_live(
    rate: float = typer.Option(50.0, min=0.1, help="每秒新事件数 / new incidents per second"),
    duration_s: float = typer.Option(20.0, min=1, help="持续秒数 / seconds of posting"),
    url: str | None = typer.Option(None, help="已运行的服务；默认临时演示库 / running server"),
    username: str = typer.Option("duty", help="登录账号 / account"),
    password: str | None = typer.Option(None, help="密码；默认演示密码 / default: demo password"),
    seed: int = typer.Option(7, help="随机种子 / seed"),
) -> None:
    """New incidents arriving on the open map at a steady rate (needs `make web browser`)."""
    from yingji.bench import dashboard_live
    from yingji.bench.stats import RateSummary

    result = dashboard_live.run(
        url=url,
        username=username,
        password=password,
        rate_per_s=rate,
        duration_s=duration_s,
        seed=seed,
    )
    posted = len(result.posted_at)
    span_s = (max(result.posted_at) - min(result.posted_at)) if posted > 1 else 0.0
    table = Table(title=f"yingji bench dashboard-live ({rate:g}/s for {duration_s:g} s)")
    table.add_column("measure")
    table.add_column("median ms", justify="right", style="bold")
    table.add_column("p99 ms", justify="right")
    table.add_column("max ms", justify="right")
    for name, values in (
        ("intake answer, sent → 201 (baseline)", result.answer_ms),
        ("201 → on the map", result.lags_ms()),
    ):
        if not values:
            table.add_row(name, "—", "—", "—")
            continue
        ordered = sorted(values)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
        table.add_row(
            name, f"{RateSummary.of(values).median:.0f}", f"{p99:.0f}", f"{ordered[-1]:.0f}"
        )
    console.print(table)
    achieved = (posted - 1) / span_s if span_s else 0.0
    kept_up = result.shown >= posted
    console.print(
        f"{datetime.now(UTC):%Y-%m-%d}, {posted} incidents posted at {achieved:.1f}/s; "
        f"{result.shown} shown on the map; "
        + ("[green]kept up[/green]" if kept_up else "[red]fell behind[/red]")
    )


@bench_app.command("make-corpus")
def bench_make_corpus(
    split: str = typer.Option("both", help="heldout / tuning / both"),
    out: Path | None = typer.Option(
        None, help="输出目录（默认：随包发布的数据目录）/ output directory (default: shipped)"
    ),
    check: bool = typer.Option(
        False, "--check", help="只比较，不写入 / compare with the files instead of writing"
    ),
) -> None:
    """Write the labelled screening corpus (deterministic): tuning.jsonl and heldout.jsonl."""
    from yingji.bench.screening import corpus

    splits = corpus.SPLITS if split == "both" else (split,)
    if any(s not in corpus.SPLITS for s in splits):
        console.print(f"[red]未知部分 / unknown split: {split}[/red]")
        raise typer.Exit(2)
    stale = []
    for s in splits:
        target = (out / f"{s}.jsonl") if out else corpus.shipped_path(s)
        if check:
            fresh = corpus.dumps(corpus.generate(s))
            same = target.exists() and target.read_text(encoding="utf-8") == fresh
            console.print(
                f"{target}: " + ("[green]up to date[/green]" if same else "[red]differs[/red]")
            )
            if not same:
                stale.append(s)
            continue
        path = corpus.write(s, target.parent)
        lines = path.read_text(encoding="utf-8").count("\n")
        console.print(f"{path}: {lines:,} reports")
    if stale:
        raise typer.Exit(1)


@bench_app.command("merge-quality")
def bench_merge_quality(
    corpus_path: list[Path] = typer.Option(
        [], "--corpus", help="语料文件（可多次；默认：两部分各自重放）/ corpus JSONL (repeatable)"
    ),
    split: str = typer.Option("both", help="默认语料的部分 / shipped part: heldout, tuning, both"),
    database: str = DATABASE_OPTION,
    pg_admin_url: str = PG_ADMIN_OPTION,
    limit: int = typer.Option(0, min=0, help="每个文件只重放前 N 条（0 = 全部）/ first N only"),
    worst: int = typer.Option(10, min=1, help="列出的最差条目数 / misses listed"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON / print JSON"),
    show_heldout_misses: bool = typer.Option(
        False,
        "--show-heldout-misses",
        help="也列出留出部分的失误（调规则时勿用）/ list held-out misses too (not while tuning)",
    ),
) -> None:
    """Replay a labelled corpus through the intake (fresh database with the demo district):
    merge pair precision / recall and top-1 classification accuracy per split."""
    import json as jsonlib

    from yingji.bench.screening import corpus, metrics
    from yingji.bench.screening.replay import replay
    from yingji.bench.screening.report import quality_json, render_quality

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    if corpus_path:
        files = list(corpus_path)
    elif split == "both":
        files = [corpus.shipped_path(s) for s in corpus.SPLITS]
    elif split in corpus.SPLITS:
        files = [corpus.shipped_path(split)]
    else:
        console.print(f"[red]未知部分 / unknown split: {split}[/red]")
        raise typer.Exit(2)
    loaded = []
    for f in files:
        try:
            rows = list(corpus.read(f))
        except (OSError, ValueError) as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        loaded.append((f, rows[:limit] if limit else rows))
    out = Console(stderr=True, width=160) if as_json else console
    results: list[metrics.SplitQuality] = []
    stripped: set[str] = set()
    refused: dict[str, int] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=out,
    ) as progress:  # fmt: skip
        for f, rows in loaded:
            step = progress.add_task(f.name, total=len(rows))
            done = replay(rows, database=database, pg_admin_url=pg_admin_url,
                          on_step=functools.partial(progress.advance, step))  # fmt: skip
            stripped |= set(done.stripped_fields)
            for code in done.refusals.values():
                refused[code] = refused.get(code, 0) + 1
            results.extend(metrics.evaluate(done.outcomes, worst=worst))
    hidden = set() if show_heldout_misses else {"heldout"}
    if as_json:
        payload = quality_json(results, files=files, stripped=stripped, refused=refused,
                               hide_misses=hidden)  # fmt: skip
        typer.echo(jsonlib.dumps(payload, ensure_ascii=False, indent=2))
        return
    render_quality(console, results, stripped=stripped, refused=refused, hide_misses=hidden)


@bench_app.command("alarms")
def bench_alarms(
    rate: float = typer.Option(1000.0, min=1, help="目标速率（条/秒）/ target alarms per second"),
    seconds: float = typer.Option(3.0, min=0.5, help="持续秒数 / seconds at that rate"),
    flood_s: float = typer.Option(3.0, min=0.5, help="单设备刷报秒数 / seconds of the flood"),
    database: str = DATABASE_OPTION,
    pg_admin_url: str = PG_ADMIN_OPTION,
) -> None:
    """The one-key alarm on a real server: accepted rate and answer p99 (target 1,000/s,
    p99 < 100 ms), accepted → duty stream p99 (< 500 ms), a genuine alarm during a one-device
    flood on the stream (< 1 s), a 10 MB video in chunks over a connection dropped twice."""
    import asyncio
    import tempfile
    import uuid

    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role
    from yingji.bench import alarms as a
    from yingji.bench import intake as b
    from yingji.bench.demo_load import fresh_database
    from yingji.core.security import create_access_token
    from yingji.demo.load import load_demo
    from yingji.resources.models import Station

    if database not in ("sqlite", "postgres"):
        console.print(f"[red]未知数据库 / unknown database: {database}[/red]")
        raise typer.Exit(2)
    with fresh_database(database, pg_admin_url) as scratch, tempfile.TemporaryDirectory() as tmp:
        from sqlalchemy import select

        with scratch.session() as s:
            load_demo(s, seed=20200326, console=console)
            watcher = auth.create_user(
                s, username="bench_duty", password=uuid.uuid4().hex, role=Role.duty_officer,
                scope_code=None, known_scope_codes=None, actor=SYSTEM,
            )  # fmt: skip
            s.commit()
            token = create_access_token(str(watcher.id), b.BENCH_SECRET, 24 * 3600)
            positions = [(st.lon + 0.001, st.lat + 0.001) for st in s.scalars(select(Station))]
        url = scratch.engine.url.render_as_string(hide_password=False)
        with b.servers(1, database_url=url, bus_url="", data_dir=Path(tmp)) as srv:
            res = asyncio.run(
                a.run(srv[0].port, token, scratch, positions, rate=rate, seconds=seconds,
                      flood_s=flood_s)
            )  # fmt: skip
    table = Table(title=f"yingji bench alarms ({database})")
    for col in ("measure", "value", "note"):
        table.add_column(col)
    for row in a.summary(res, rate):
        table.add_row(*row)
    console.print(table)


@bench_app.command("inspections")
def bench_inspections(
    count: int = typer.Option(200_000, min=1000, help="记录数 / records (a month)"),
    batch: int = typer.Option(5000, min=1, max=5000, help="每批 / per batch"),
    year_months: int = typer.Option(11, min=0, help="另加的月份 / earlier months seeded"),
    stat_rounds: int = typer.Option(200, min=10, help="统计查询次数 / completion queries"),
) -> None:
    """A month of inspection records through ``:batch`` (one server process, SQLite), and
    the completion statistics' p99 with a year of records."""
    import tempfile
    from pathlib import Path

    from yingji.bench import inspections as b

    with tempfile.TemporaryDirectory(prefix="bench-insp-") as tmp:
        r = b.run(
            Path(tmp),
            count=count,
            batch=batch,
            year_months=year_months,
            stat_rounds=stat_rounds,
            log=lambda m: console.print(m),
        )
    table = Table(title=f"yingji bench inspections (sqlite, 1 process, {count:,} records)")
    for col in ("case", "median", "min–max", "p99"):
        table.add_column(col, justify="right")
    for name, rates in (
        ("batch create rec/s", r["created"]),
        ("baseline replay rec/s", r["replay"]),
    ):
        table.add_row(name, f"{b.median(rates):,.0f}", f"{min(rates):,.0f}–{max(rates):,.0f}", "")
    for g, ms in r["stats"].items():
        table.add_row(
            f"completion {g} ms ({r['rows']:,} rows)",
            f"{b.median(ms):.1f}",
            f"{min(ms):.1f}–{max(ms):.1f}",
            f"{b.p(ms, 0.99):.1f}",
        )
    console.print(table)
    console.print(
        f"overall {r['count'] / r['wall_s']:,.0f} records/s; "
        f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}"
    )
