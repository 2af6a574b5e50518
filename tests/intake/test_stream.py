"""GET /api/v1/stream: live events, filters, and replay from the database by Last-Event-ID."""

from __future__ import annotations

import json
import threading

from yingji.auth.service import clear_principal_cache
from yingji.intake import service

from .conftest import report_body

URL = "/api/v1/reports"


def _read_events(resp, until) -> list[dict]:  # type: ignore[no-untyped-def]
    """Events from an SSE response until ``until(event)`` is true."""
    got: list[dict] = []
    current: dict = {}
    for line in resp.iter_lines():
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            got.append(current)
            if until(current):
                return got
            current = {}
    return got


def test_reconnect_with_last_event_id_replays_from_the_database(client, token_for, spot, demo):
    duty = token_for("duty_officer")
    _, lon, lat = spot()
    first = client.post(URL, json=report_body(lon, lat, text="电梯困人"), headers=duty).json()
    with demo.session() as s:
        after = service.last_event_id(s)
    _, lon2, lat2 = spot()
    second = client.post(URL, json=report_body(lon2, lat2, text="电梯困人"), headers=duty).json()
    with client.stream("GET", "/api/v1/stream", headers={**duty, "Last-Event-ID": str(after)}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _read_events(r, lambda e: e["data"]["incident_id"] == second["incident_id"])
    assert events[0]["id"] == after + 1
    ids = [e["data"]["incident_id"] for e in events]
    assert first["incident_id"] not in ids and second["incident_id"] in ids
    assert events[-1]["data"]["type"] == "incident.created"
    assert events[-1]["data"]["payload"]["category"]["code"] == "21D04"


def test_live_events_arrive_and_filters_apply(client, token_for, spot):
    duty = token_for("duty_officer")
    sub, lon, lat = spot()
    other_sub, olon, olat = next(s for s in iter(spot, None) if s[0] != sub)

    def post_later() -> None:
        client.post(URL, json=report_body(olon, olat, text="燃气泄漏"), headers=duty)
        client.post(URL, json=report_body(lon, lat, text="燃气泄漏"), headers=duty)

    with client.stream("GET", "/api/v1/stream", params={"subdistrict": sub}, headers=duty) as r:
        poster = threading.Thread(target=post_later)
        poster.start()
        events = _read_events(r, lambda e: e["data"]["subdistrict_code"] == sub)
        poster.join()
    assert events and all(e["data"]["subdistrict_code"] == sub for e in events)
    assert other_sub != sub


def test_stream_territory_and_bad_header(client, token_for):
    local = token_for("subdistrict_operator", "370103003")
    r = client.get("/api/v1/stream", params={"subdistrict": "370103004"}, headers=local)
    assert r.status_code == 403
    duty = token_for("duty_officer")
    bad = client.get("/api/v1/stream", headers={**duty, "Last-Event-ID": "abc"})
    assert bad.status_code == 422
    assert client.get("/api/v1/stream").status_code == 401


def test_an_open_stream_holds_no_database_connection(client, token_for, spot, app, demo):
    """A dashboard keeps its stream open for hours: it must not pin a pooled connection (on
    PostgreSQL an idle transaction per dashboard drains the pool; on SQLite it pins the WAL)."""
    import time

    duty = token_for("duty_officer")
    _, lon, lat = spot()
    pool = app.state.db.engine.pool
    with demo.session() as s:
        after = service.last_event_id(s)
    created = client.post(URL, json=report_body(lon, lat, text="燃气泄漏"), headers=duty).json()
    clear_principal_cache()  # so the guard has to read the token's user from the database
    # from Last-Event-ID: the event is replayed from the table, however soon it was written
    with client.stream("GET", "/api/v1/stream", headers={**duty, "Last-Event-ID": str(after)}) as r:
        assert r.status_code == 200
        _read_events(r, lambda e: e["data"]["incident_id"] == created["incident_id"])
        deadline = time.monotonic() + 5.0  # background loops check connections out briefly
        while pool.checkedout() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert pool.checkedout() == 0


def test_open_streams_share_one_formatting_of_each_event(demo, monkeypatch):
    """Two dashboards on one process get the same text and each event is formatted once."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from yingji.bus import LocalBus
    from yingji.intake import stream

    calls: list[int] = []
    real = stream.format_event
    monkeypatch.setattr(stream, "format_event", lambda e: calls.append(e["id"]) or real(e))
    monkeypatch.setattr(stream, "formatted", stream.FormattedEvents(keep=100))
    with demo.session() as s:
        last = service.last_event_id(s)
    # ids no stored event has yet: the streams take them from the bus as they come
    batch = [
        {"id": last + 1000 + k, "type": "incident.created", "at": "2026-11-29T00:00:00+00:00",
         "incident_id": k, "subdistrict_code": None, "headquarters_code": None, "level": "IV",
         "payload": {"k": k}}
        for k in range(1, 4)
    ]  # fmt: skip

    async def run() -> list[str]:
        bus = LocalBus()
        await bus.start()
        flt = stream.StreamFilter()
        gens = [
            stream.events(demo, bus, last_event_id=last + 1000, flt=flt, poll_s=0.05)
            for _ in range(2)
        ]
        for g in gens:
            assert await g.__anext__() == "retry: 2000\n\n"
        reads = [asyncio.ensure_future(g.__anext__()) for g in gens]
        await asyncio.sleep(0.1)
        bus.publish(batch)
        texts = [await asyncio.wait_for(r, 5) for r in reads]
        for g in gens:
            await g.aclose()
        await bus.stop()
        return texts

    # a thread of its own: the browser tests' sync Playwright may own this thread's loop
    with ThreadPoolExecutor(1) as pool:
        first, second = pool.submit(asyncio.run, run()).result()
    assert first == second and first.count("event: incident.created") == 3
    assert sorted(calls) == [e["id"] for e in batch]  # once each, not once per stream
