"""NATS JetStream between server processes.

Each process publishes its committed events to the subject ``yingji.events`` of the
JetStream stream ``YINGJI_EVENTS`` and subscribes to it with an ordered consumer that
starts at new messages, handing what it receives to its own subscribers. Its own events go
to its own subscribers at once, not via NATS (subscribers drop ids they have already seen).
While NATS is away publishing fails quietly and the client reconnects by itself; the
streams poll the event table meanwhile, so nothing is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

import orjson

from yingji.bus.hub import Event, LocalBus

log = logging.getLogger("yingji.bus")

STREAM = "YINGJI_EVENTS"
CONNECT_TIMEOUT_S = 3.0
RETRY_S = 2.0
SUBJECT = "yingji.events"


class NatsBus(LocalBus):
    kind = "nats"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._nc: Any = None
        self._js: Any = None
        self._sub: Any = None
        self._pending: set[asyncio.Task[None]] = set()
        self.publish_failures = 0

    async def start(self) -> None:
        await super().start()
        try:
            await self._connect()
        except Exception as exc:  # NATS down at start: run on the table, retry in background
            log.warning("NATS not reachable at %s (%s): streams poll the database", self.url, exc)
            task = asyncio.create_task(self._retry_start())
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _connect(self) -> None:
        import nats

        # nats-py retries an unreachable server for ever when reconnecting is allowed, so the
        # first connection is bounded here; once connected, the client reconnects by itself.
        self._nc = await asyncio.wait_for(
            nats.connect(
                self.url,
                allow_reconnect=True,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=2,
                error_cb=self._on_error,
            ),
            timeout=CONNECT_TIMEOUT_S,
        )
        await self._setup()

    async def _retry_start(self) -> None:
        while self._nc is None or not self._nc.is_connected:
            await asyncio.sleep(RETRY_S)
            try:
                await self._connect()
            except Exception:
                self._nc = None

    async def _setup(self) -> None:
        from nats.js.api import DeliverPolicy, RetentionPolicy, StorageType, StreamConfig

        self._js = self._nc.jetstream()
        config = StreamConfig(
            name=STREAM,
            subjects=[SUBJECT],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=24 * 3600,
        )
        try:
            await self._js.add_stream(config)
        except Exception:
            await self._js.update_stream(config)
        self._sub = await self._js.subscribe(
            SUBJECT, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW, cb=self._on_msg
        )

    async def _on_error(self, exc: Exception) -> None:
        log.debug("NATS: %s", exc)

    async def _on_msg(self, msg: Any) -> None:
        if not self._subscribers:  # nobody here listens: no need to read it
            return
        try:
            events = orjson.loads(msg.data)
        except ValueError:
            return
        self._fanout(events)

    async def stop(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.drain()
        await super().stop()

    def publish(self, events: Sequence[Event]) -> None:
        if not events:
            return
        self.published += len(events)
        self.deliver_local(events)
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        data = orjson.dumps(list(events), default=str, option=orjson.OPT_NON_STR_KEYS)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._schedule(data)
        else:
            loop.call_soon_threadsafe(self._schedule, data)

    def _schedule(self, data: bytes) -> None:
        task = asyncio.ensure_future(self._send(data))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _send(self, data: bytes) -> None:
        if self._js is None or self._nc is None or not self._nc.is_connected:
            self.publish_failures += 1
            return
        try:
            await self._js.publish(SUBJECT, data, timeout=1.0)
        except Exception as exc:
            self.publish_failures += 1
            log.debug("NATS publish failed: %s", exc)
