"""In-process fan-out of committed events to live subscribers (the SSE streams)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

log = logging.getLogger("yingji.bus")

Event = dict[str, Any]
QUEUE_MAX_BATCHES = 1000


class Subscription:
    """A subscriber's queue of event batches. A full queue drops and marks it ``lagging``:
    the subscriber then reads what it missed from the database."""

    def __init__(self, bus: LocalBus) -> None:
        self._bus = bus
        self.queue: asyncio.Queue[list[Event]] = asyncio.Queue(maxsize=QUEUE_MAX_BATCHES)
        self.lagging = False

    def offer(self, events: list[Event]) -> None:
        try:
            self.queue.put_nowait(events)
        except asyncio.QueueFull:
            self.lagging = True

    async def get(self, timeout_s: float) -> list[Event] | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout=timeout_s)
        except TimeoutError:
            return None

    def close(self) -> None:
        self._bus._subscribers.discard(self)


class LocalBus:
    """Fan-out within one process. ``publish`` may be called from any thread."""

    kind = "local"

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.published = 0

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._subscribers.clear()

    def subscribe(self) -> Subscription:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        sub = Subscription(self)
        self._subscribers.add(sub)
        return sub

    def _fanout(self, events: list[Event]) -> None:
        for sub in list(self._subscribers):
            sub.offer(events)

    def deliver_local(self, events: Sequence[Event]) -> None:
        """Hand events to this process's subscribers, from whatever thread."""
        if not events:
            return
        batch = list(events)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fanout(batch)
        else:
            loop.call_soon_threadsafe(self._fanout, batch)

    def publish(self, events: Sequence[Event]) -> None:
        """Publish committed events (call after commit)."""
        self.published += len(events)
        self.deliver_local(events)


Bus = LocalBus
