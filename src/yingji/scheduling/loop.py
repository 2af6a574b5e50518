"""The scheduler loop a server process runs: fires due timers, runs periodic jobs, and
publishes the events their handlers answer on the bus."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from yingji.core.db import Database, utcnow
from yingji.scheduling.timers import Events, run_due, worker_id

log = logging.getLogger("yingji.scheduling")


@dataclass
class Periodic:
    """A job run every ``every_s`` seconds by each process's loop (not a durable timer:
    idempotent work, such as command following incident level raises)."""

    name: str
    every_s: float
    run: Callable[[datetime], Events]
    since_s: float = 0.0


@dataclass
class TimerLoop:
    """The scheduler loop started with the app: fires due timers, publishes their events."""

    database: Database
    publish: Callable[[Events], None]
    interval_s: float = 0.2
    clock: Callable[[], datetime] = utcnow
    worker: str = ""
    periodic: list[Periodic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.worker = self.worker or worker_id()
        self._task: asyncio.Task[None] | None = None
        self.fired = 0

    def every(self, name: str, every_s: float, run: Callable[[datetime], Events]) -> None:
        """Run ``run(now)`` every ``every_s`` seconds on this loop (a domain's runtime calls
        this at start-up)."""
        self.periodic.append(Periodic(name, every_s, run))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await self._task

    def tick(self) -> Events:
        now = self.clock()
        n, events = run_due(self.database, worker=self.worker, now=now)
        self.fired += n
        for job in self.periodic:
            job.since_s += self.interval_s
            if job.since_s >= job.every_s:
                job.since_s = 0.0
                try:
                    events = events + job.run(now)
                except Exception:
                    log.exception("periodic job %s failed", job.name)
        return events

    async def _run(self) -> None:
        while True:
            try:
                events = await asyncio.to_thread(self.tick)
                if events:
                    self.publish(events)
            except Exception:
                log.exception("timer loop tick failed")
            await asyncio.sleep(self.interval_s)
