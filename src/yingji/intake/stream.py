"""The live stream (Server-Sent Events) of incident events.

Each event's SSE ``id`` is its id in the event table. A client that reconnects with
``Last-Event-ID`` first gets everything after that id from the database, then live events
from the bus. Live batches are used as they come only while they continue the sequence
without a gap; on a gap (another process's events still on their way, a dropped batch, a
rolled-back id) the stream reads the table instead, which is complete up to any id seen
because event ids commit in order (see :mod:`yingji.intake.locks`). With no bus traffic
the table is polled every ``poll_s``, so a NATS outage only slows the stream down.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson

from yingji.bus import LocalBus
from yingji.core.db import Database
from yingji.intake import service

CATCH_UP_PAGE = 500


@dataclass(frozen=True)
class StreamFilter:
    subdistrict: str | None = None
    headquarters: str | None = None
    levels: frozenset[str] = frozenset()

    def matches(self, e: dict[str, Any]) -> bool:
        if self.subdistrict and e["subdistrict_code"] != self.subdistrict:
            return False
        if self.headquarters and e["headquarters_code"] != self.headquarters:
            return False
        return not (self.levels and e["level"] not in self.levels)


def format_event(e: dict[str, Any]) -> str:
    data = orjson.dumps(e).decode()
    return f"id: {e['id']}\nevent: {e['type']}\ndata: {data}\n\n"


class FormattedEvents:
    """The SSE text of recent events, shared by every open stream of the process: an event
    is formatted once, not once per dashboard (a duty room, the big screen and every
    sub-district's office each hold one). Keyed by database and event id; the oldest go."""

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self._texts: OrderedDict[tuple[str, int], str] = OrderedDict()

    def text(self, database_key: str, e: dict[str, Any]) -> str:
        key = (database_key, e["id"])
        text = self._texts.get(key)
        if text is None:
            text = self._texts[key] = format_event(e)
            if len(self._texts) > self.keep:
                self._texts.popitem(last=False)
        return text


formatted = FormattedEvents()


def _read(database: Database, after_id: int) -> list[dict[str, Any]]:
    with database.session() as db:
        return service.read_events(db, after_id=after_id, limit=CATCH_UP_PAGE)


def _last(database: Database) -> int:
    with database.session() as db:
        return service.last_event_id(db)


async def events(
    database: Database,
    bus: LocalBus,
    *,
    last_event_id: int | None,
    flt: StreamFilter,
    poll_s: float = 1.0,
    heartbeat_s: float = 15.0,
) -> AsyncIterator[str]:
    sub = bus.subscribe()
    key = database.cache_key
    try:
        cursor = (
            last_event_id if last_event_id is not None else await asyncio.to_thread(_last, database)
        )
        yield "retry: 2000\n\n"

        async def catch_up() -> AsyncIterator[str]:
            nonlocal cursor
            while True:
                rows = await asyncio.to_thread(_read, database, cursor)
                for e in rows:
                    cursor = e["id"]
                    if flt.matches(e):
                        yield formatted.text(key, e)
                if len(rows) < CATCH_UP_PAGE:
                    return

        async for chunk in catch_up():
            yield chunk
        quiet_s = 0.0
        while True:
            batch = await sub.get(poll_s)
            if batch is None:
                quiet_s += poll_s
                async for chunk in catch_up():
                    quiet_s = 0.0
                    yield chunk
                if quiet_s >= heartbeat_s:
                    quiet_s = 0.0
                    yield ": ping\n\n"
                continue
            fresh = sorted((e for e in batch if e["id"] > cursor), key=lambda e: e["id"])
            if not fresh:
                continue
            contiguous = all(e["id"] == cursor + 1 + i for i, e in enumerate(fresh))
            if contiguous and not sub.lagging:
                out = []
                for e in fresh:
                    cursor = e["id"]
                    if flt.matches(e):
                        out.append(formatted.text(key, e))
                if out:
                    quiet_s = 0.0
                    yield "".join(out)
            else:
                sub.lagging = False
                async for chunk in catch_up():
                    quiet_s = 0.0
                    yield chunk
    finally:
        sub.close()
