"""Command's background part in a server process: the durable timer loop."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from yingji.bus import LocalBus
from yingji.command import clock, timers
from yingji.command.activation import service as activation_service
from yingji.command.config import get_command_settings
from yingji.core.db import Database

log = logging.getLogger("yingji.command")


class CommandRuntime:
    """Fires due timers (task deadlines, escalation) and follows incident level raises."""

    def __init__(
        self, database: Database, bus: LocalBus, *, interval_s: float | None = None
    ) -> None:
        self.database = database
        if interval_s is None:
            interval_s = get_command_settings().timer_interval_s
        self.loop = timers.TimerLoop(
            database,
            bus.publish,
            interval_s=interval_s,
            clock=lambda: clock.now(),
            periodic=self._sync_levels,
        )

    def _sync_levels(self, now: datetime) -> list[dict[str, Any]]:
        with self.database.session() as db:
            events = activation_service.sync_levels(db, now=now)
            db.commit()
        return events

    async def start(self) -> None:
        await self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
