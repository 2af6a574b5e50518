"""Command's background part in a server process: its periodic job on the shared scheduler.

Task deadlines and escalations are durable timers; their handlers are registered by kind in
:mod:`yingji.command.tasks.service` and fired by the one scheduler loop of the process
(:mod:`yingji.scheduling.loop`). Here: following incident level raises, every few seconds.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from yingji.command.activation import service as activation_service
from yingji.core.db import Database
from yingji.scheduling.loop import TimerLoop

log = logging.getLogger("yingji.command")
SYNC_LEVELS_EVERY_S = 5.0


class CommandRuntime:
    """Follows incident level raises (new tiers of the activated plan) on the scheduler."""

    def __init__(self, database: Database, scheduler: TimerLoop) -> None:
        self.database = database
        scheduler.every("command.sync_levels", SYNC_LEVELS_EVERY_S, self._sync_levels)

    def _sync_levels(self, now: datetime) -> list[dict[str, Any]]:
        with self.database.session() as db:
            events = activation_service.sync_levels(db, now=now)
            db.commit()
        return events
