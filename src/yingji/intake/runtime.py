"""The intake's background parts in a server process: the writer, the bus, the deadline timer."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress

from yingji.bus import LocalBus
from yingji.core.db import Database, utcnow
from yingji.grid import service as grid_service
from yingji.intake import classify, service
from yingji.intake.config import IntakeSettings, get_intake_settings
from yingji.intake.writer import IntakeWriter

log = logging.getLogger("yingji.intake")


class IntakeRuntime:
    def __init__(
        self, database: Database, bus: LocalBus, settings: IntakeSettings | None = None
    ) -> None:
        self.database = database
        self.bus = bus
        self.settings = settings or get_intake_settings()
        self.writer = IntakeWriter(database, bus, self.settings)
        self._timer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.writer.start()
        await asyncio.to_thread(self._warm_up)
        self._timer = asyncio.create_task(self._deadline_timer(), name="intake-deadlines")

    def _warm_up(self) -> None:
        """Load jieba and the grid index now, not on the first report."""
        classify.warm_up()
        try:
            with self.database.session() as db:
                grid_service.locate_index(db)
                service.organisation(db)
                if repaired := service.watch_unwatched_deadlines(db):
                    log.info("%d incidents' reporting deadlines watched again", repaired)
                db.commit()
        except Exception:  # an empty or unmigrated database: built on first use instead
            log.debug("intake warm-up skipped", exc_info=True)

    async def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._timer
        await self.writer.stop()

    async def _deadline_timer(self) -> None:
        while True:
            await asyncio.sleep(self.settings.deadline_check_interval_s)
            try:
                events = await asyncio.to_thread(self.check_deadlines)
                if events:
                    self.bus.publish(events)
            except Exception:
                log.exception("deadline check failed")

    def check_deadlines(self) -> list[dict]:
        with self.database.session() as db:
            events = service.flag_overdue(db, org=service.organisation(db), now=utcnow())
            db.commit()
        return events
