"""Group commit: one writer task per process batches accepted reports into one transaction.

A request prepares its report (locate, classify, grade), hands it to the writer and waits
for *its* commit: the 201 goes out only after the report is in the database. While one
batch is being written (in a worker thread, so the event loop keeps taking requests), the
next one gathers. One transaction per batch instead of per report is where the speed comes
from (see ``yingji bench intake``); events are published on the bus after the commit.

If a batch fails as a whole (say a unique-key race with another process), each of its
reports is retried alone, so one bad report never fails its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from yingji.bus import LocalBus
from yingji.core.db import Database, utcnow
from yingji.core.errors import ApiError
from yingji.intake import service
from yingji.intake.config import IntakeSettings
from yingji.intake.prepare import Prepared

log = logging.getLogger("yingji.intake")


@dataclass
class _Job:
    prepared: Prepared
    future: asyncio.Future[service.Outcome]


class IntakeWriter:
    def __init__(
        self,
        database: Database,
        bus: LocalBus,
        settings: IntakeSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.bus = bus
        self.settings = settings
        self.clock = clock
        self._queue: asyncio.Queue[_Job] | None = None
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.written = 0

    async def start(self) -> None:
        if self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(), name="intake-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def submit_many(self, items: list[Prepared]) -> list[service.Outcome]:
        """Queue prepared reports and wait until each is committed (or refused)."""
        if self._task is None:
            await self.start()
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        futures = []
        for p in items:
            fut: asyncio.Future[service.Outcome] = loop.create_future()
            self._queue.put_nowait(_Job(p, fut))
            futures.append(fut)
        return list(await asyncio.gather(*futures))

    async def _run(self) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            jobs = [job]
            while len(jobs) < self.settings.writer_batch_max:
                try:
                    jobs.append(self._queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            try:
                outcomes, events = await asyncio.to_thread(self._write, [j.prepared for j in jobs])
            except Exception as exc:  # never leave a request hanging
                log.exception("intake batch failed")
                err = ApiError(500, "intake_failed", "写入失败，请重试", f"Write failed: {exc}")
                outcomes, events = [service.Outcome(500, error=err)] * len(jobs), []
            for j, outcome in zip(jobs, outcomes, strict=True):
                if not j.future.done():
                    j.future.set_result(outcome)
            if events:
                try:
                    self.bus.publish(events)
                except Exception:  # committed already; the streams catch up from the table
                    log.exception("publishing %d intake events failed", len(events))

    def _write(self, items: list[Prepared]) -> tuple[list[service.Outcome], list[dict[str, Any]]]:
        """One transaction for the batch; on failure, one per report."""
        try:
            return self._write_once(items)
        except Exception:
            if len(items) == 1:
                raise
            log.info("intake batch of %d failed; retrying one by one", len(items), exc_info=True)
        outcomes: list[service.Outcome] = []
        events: list[dict[str, Any]] = []
        for p in items:
            try:
                o, e = self._write_once([p])
            except Exception as exc:
                log.exception("intake report failed")
                o = [
                    service.Outcome(
                        500, error=ApiError(500, "intake_failed", "写入失败，请重试", str(exc))
                    )
                ]
                e = []
            outcomes += o
            events += e
        return outcomes, events

    def _write_once(
        self, items: list[Prepared]
    ) -> tuple[list[service.Outcome], list[dict[str, Any]]]:
        with self.database.session() as db:
            org = service.organisation(db)
            outcomes, events = service.write_batch(
                db, items, settings=self.settings, org=org, now=self.clock()
            )
            db.commit()
        self.batches += 1
        self.written += sum(1 for o in outcomes if o.status == 201)
        return outcomes, events
