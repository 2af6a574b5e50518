"""The FastAPI application: every domain's router, error handling, limits, health."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Literal

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from yingji import __version__
from yingji.alarm.views import router as alarm_router
from yingji.auth.views import router as auth_router
from yingji.command.duty_views import router as duty_router
from yingji.command.views import router as command_router
from yingji.command.warnings.views import router as warnings_router
from yingji.config import Settings, get_settings
from yingji.core import checkpoint, migrate
from yingji.core.bodylimit import BodyLimitMiddleware
from yingji.core.db import Database
from yingji.core.errors import install_error_handlers
from yingji.core.headers import SecurityHeaders, content_security_policy
from yingji.core.responses import install_body_schemas
from yingji.dashboard import basemap
from yingji.dashboard.spa import install_spa
from yingji.dashboard.tiles import open_store
from yingji.dashboard.views import router as dashboard_router
from yingji.enterprise.views import router as enterprise_router
from yingji.grid.views import router as grid_router
from yingji.intake.fastpath import ReportFastPath, is_report_post
from yingji.intake.views import router as intake_router
from yingji.media import service as media_service
from yingji.media.config import get_media_settings
from yingji.media.store import DiskStore
from yingji.media.views import router as media_router
from yingji.notify import service as notify_service
from yingji.notify.config import get_notify_settings
from yingji.notify.views import router as notify_router
from yingji.patrol.views import router as patrol_router
from yingji.prevention.hazard.views import router as hazard_router
from yingji.prevention.inspection.views import router as inspection_router
from yingji.prevention.risk.views import router as risk_router
from yingji.resources.supplies_views import router as supplies_router
from yingji.resources.views import router as resources_router
from yingji.views.audit import router as audit_router
from yingji.views.org import router as org_router

API_DESCRIPTION = """
应急指挥平台 API。除 `/healthz` 与市民一键报警外，所有接口都需要登录令牌或集成令牌。
错误统一返回 `{code, message, message_en, field, errors}`。

Yingji emergency command platform API. Every endpoint except `/healthz` and the citizen
alarm needs a user token (`POST /api/v1/auth/token`) or an integration token.
"""


class Platform(FastAPI):
    """FastAPI, with ``POST /api/v1/reports`` answered before its middleware stack (see
    :mod:`yingji.intake.fastpath`); ``report_path`` is set by :func:`create_app`."""

    report_path: ASGIApp | None = None
    security_headers: SecurityHeaders | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.security_headers is not None and scope["type"] == "http":
            send = self.security_headers.wrap(scope, send)
        if self.report_path is not None and is_report_post(scope):
            scope["app"] = self  # what Starlette sets for ``request.app``
            await self.report_path(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class Health(BaseModel):
    """Liveness: ``ok`` with the database reachable, ``degraded`` (503) without it."""

    status: Literal["ok", "degraded"]
    database: bool
    version: str


GC_YOUNG_THRESHOLD = 10_000


def _inspection_daily(db: Database) -> Callable[[datetime], list[dict[str, object]]]:
    """The scheduler's hourly job generating today's and tomorrow's inspection tasks (once a
    day: the generation marker; idempotent when two processes run it)."""
    from yingji.prevention.inspection import service as inspection

    def run(now: datetime) -> list[dict[str, object]]:
        with db.session() as session:
            inspection.daily_run(session, now=now)
            session.commit()
        return []

    return run


def settle_heap() -> None:
    """Move what start-up built (modules, the grid index, jieba, the ORM's registry) out of
    the garbage collector's sight, and collect the young generation less often.

    Each full collection walked every object the process had made since it started; under
    a surge of reports the collector ran often enough to matter (py-spy). Objects made
    before ``gc.freeze`` live as long as the process anyway.
    """
    gc.collect()
    gc.freeze()
    gen0, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(gen0, GC_YOUNG_THRESHOLD), gen1, gen2)


def create_app(settings: Settings | None = None, *, migrate_on_start: bool = True) -> Platform:
    settings = settings or get_settings()
    db = Database(settings.resolved_database_url())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from yingji.alarm.config import get_alarm_settings
        from yingji.alarm.runtime import REPLAY_EVERY_S, AlarmRuntime
        from yingji.bus import make_bus
        from yingji.command.runtime import CommandRuntime
        from yingji.intake.runtime import IntakeRuntime
        from yingji.scheduling import clock
        from yingji.scheduling.loop import TimerLoop

        async with AsyncExitStack() as stack:  # what started is stopped, in reverse order
            stack.callback(app.state.db.dispose)
            checkpointer = checkpoint.start_for(
                app.state.db.engine, settings.sqlite_checkpoint_interval_s
            )
            app.state.checkpointer = checkpointer
            if checkpointer is not None:
                stack.push_async_callback(asyncio.to_thread, checkpointer.stop)
            bus = make_bus(settings.bus_url)
            await bus.start()
            stack.push_async_callback(bus.stop)
            app.state.bus = bus
            app.state.intake = IntakeRuntime(app.state.db, bus)
            stack.push_async_callback(app.state.intake.stop)  # also stops a half-started one
            await app.state.intake.start()
            # one scheduler per process: every domain's durable timers and periodic jobs
            scheduler = TimerLoop(
                app.state.db, bus.publish, interval_s=settings.scheduler_interval_s,
                clock=lambda: clock.now(),
            )  # fmt: skip
            app.state.scheduler = scheduler
            app.state.command = CommandRuntime(app.state.db, scheduler)
            app.state.alarm = AlarmRuntime(
                app.state.db, bus, settings=get_alarm_settings(),
                intake_settings=app.state.intake.settings,
                secret_key=settings.resolved_secret_key(),
                spool_dir=get_alarm_settings().resolved_spool_dir(settings.data_dir),
                store=app.state.media_store,
            )  # fmt: skip
            scheduler.every("alarm_spool_replay", REPLAY_EVERY_S, app.state.alarm.replay)
            await asyncio.to_thread(app.state.alarm.ensure_purge)
            scheduler.every("inspection.daily", 3600.0, _inspection_daily(app.state.db))
            stack.push_async_callback(scheduler.stop)
            await scheduler.start()
            settle_heap()
            yield

    if migrate_on_start:
        migrate.upgrade(db.engine)

    app = Platform(
        title="Yingji 应急指挥平台",
        version=__version__,
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    map_config = basemap.map_config(settings)  # refuses Tianditu without its key at start
    app.state.tiles = (
        open_store(settings.map_tiles_dir)
        if settings.map_basemap == "offline" and settings.map_tiles_dir is not None
        else None
    )
    app.security_headers = SecurityHeaders(
        policy=content_security_policy(basemap.tile_origins(map_config), settings.csp_media_hosts)
    )
    if settings.cors_origins:  # closed unless configured: no CORS headers at all
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )
    app.state.media_store = DiskStore(get_media_settings().resolved_dir(settings.data_dir))
    media_service.register_store(db, app.state.media_store)
    notify_service.configure(get_notify_settings())
    install_error_handlers(app)
    install_body_schemas(app)
    # the report path: inside the same body limit, before everything else
    app.report_path = BodyLimitMiddleware(
        ReportFastPath(),
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(GZipMiddleware, minimum_size=2048)  # never compresses the SSE stream
    for router in (
        auth_router,
        org_router,
        grid_router,
        audit_router,
        intake_router,
        resources_router,
        supplies_router,
        command_router,
        warnings_router,
        duty_router,
        media_router,
        notify_router,
        enterprise_router,
        risk_router,
        hazard_router,
        alarm_router,
        patrol_router,
        dashboard_router,
        inspection_router,
    ):
        app.include_router(router)

    @app.get(
        "/healthz",
        tags=["health 健康检查"],
        response_model=Health,
        responses={503: {"model": Health, "description": "数据库不可达 / database unreachable"}},
    )
    def healthz() -> JSONResponse:
        """Liveness and database reachability; needs no login."""
        try:
            with db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            ok = True
        except Exception:
            ok = False
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "database": ok, "version": __version__},
            status_code=200 if ok else 503,
        )

    install_spa(app, settings.dashboard_dir)  # last: its fallback answers unmatched GETs
    return app
