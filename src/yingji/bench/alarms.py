"""``yingji bench alarms``: the one-key alarm under load, on a real server process.

1. distinct devices at a target rate, without media: accepted per second, answer p50/p99;
   accepted → the duty officer's stream (``/api/v1/stream``) p50/p99;
2. one device floods while a genuine alarm from another device is sent: the genuine one's
   time to the stream, and how the flood was answered (429s);
3. a 10 MB video in 512 KiB chunks over a connection dropped twice mid-chunk: resumed from
   the server's offset, stored complete and intact (SHA-256 of the stored bytes).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Result:
    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    answer_ms: list[float] = field(default_factory=list)
    stream_ms: list[float] = field(default_factory=list)
    achieved_per_s: float = 0.0
    genuine_stream_ms: float | None = None
    genuine_status: int | None = None
    flood_sent: int = 0
    flood_statuses: dict[int, int] = field(default_factory=dict)
    video_ok: bool = False
    video_drops: int = 0
    video_s: float = 0.0


def body(lon: float, lat: float, *, device: str | None = None) -> dict[str, Any]:
    return {
        "idempotency_key": f"bench-{uuid.uuid4().hex}", "device_id": device or uuid.uuid4().hex,
        "kind": "fire", "phone": "13912345678", "text": "压测：楼道着火",
        "location": {"lon": lon, "lat": lat, "crs": "wgs84", "accuracy_m": 20},
    }  # fmt: skip


async def _listen(port: int, token: str, seen: dict[int, float], ready: asyncio.Event) -> None:
    """The duty officer's stream: when each incident event arrives, by report id."""
    async with httpx.AsyncClient(timeout=None) as c, c.stream(
        "GET", f"http://127.0.0.1:{port}/api/v1/stream",
        headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"},
    ) as r:  # fmt: skip
        ready.set()
        async for line in r.aiter_lines():
            if line.startswith("data: "):
                rid = json.loads(line[6:]).get("payload", {}).get("report_id")
                if rid is not None:
                    seen.setdefault(int(rid), time.perf_counter())


async def _post(c: httpx.AsyncClient, b: dict[str, Any]) -> tuple[int, float, float, int | None]:
    started = time.perf_counter()
    r = await c.post("/api/v1/alarms", json=b)
    done = time.perf_counter()
    aid = r.json().get("id") if r.status_code in (200, 201) else None
    return r.status_code, started, done, aid


def _report_ids(database: Any, alarm_ids: list[int]) -> dict[int, int]:
    from sqlalchemy import select

    from yingji.alarm.models import Alarm

    with database.session() as s:
        rows = s.execute(select(Alarm.id, Alarm.report_id).where(Alarm.id.in_(alarm_ids)))
        return {a: r for a, r in rows if r is not None}


async def run(
    port: int, token: str, database: Any, positions: list[tuple[float, float]], *,
    rate: float, seconds: float, flood_s: float,
) -> Result:  # fmt: skip
    res = Result()
    seen: dict[int, float] = {}
    ready = asyncio.Event()
    listener = asyncio.create_task(_listen(port, token, seen, ready))
    await asyncio.wait_for(ready.wait(), 10)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits,
                                 timeout=30) as c:  # fmt: skip
        # 1. distinct devices at the target rate (open loop: sends are not held back by answers)
        total = int(rate * seconds)
        tasks = []
        start = time.perf_counter()
        for i in range(total):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            lon, lat = positions[i % len(positions)]
            tasks.append(asyncio.create_task(_post(c, body(lon, lat))))
        answers = await asyncio.gather(*tasks)
        elapsed = max(a[2] for a in answers) - start
        res.sent = total
        for status, s0, s1, _ in answers:
            res.statuses[status] = res.statuses.get(status, 0) + 1
            res.answer_ms.append((s1 - s0) * 1000)
        ok = [a for a in answers if a[0] == 201 and a[3] is not None]
        res.achieved_per_s = len(ok) / elapsed if elapsed > 0 else 0.0
        await asyncio.sleep(1.0)
        reports = _report_ids(database, [a[3] for a in ok])  # type: ignore[misc]  # filtered to ids
        for _status, _s0, s1, aid in ok:
            rid = reports.get(aid)  # type: ignore[arg-type]  # filtered to ids
            if rid is not None and rid in seen:
                res.stream_ms.append((seen[rid] - s1) * 1000)
        # 2. a flood from one device, and a genuine alarm from another in the middle of it
        flooder = uuid.uuid4().hex
        lon, lat = positions[0]
        stop = time.perf_counter() + flood_s

        async def flood() -> None:
            while time.perf_counter() < stop:
                status, *_ = await _post(c, body(lon, lat, device=flooder))
                res.flood_sent += 1
                res.flood_statuses[status] = res.flood_statuses.get(status, 0) + 1

        flooders = [asyncio.create_task(flood()) for _ in range(32)]
        await asyncio.sleep(flood_s / 2)
        glon, glat = positions[len(positions) // 2]
        status, s0, _s1, aid = await _post(c, body(glon, glat))
        res.genuine_status = status
        await asyncio.gather(*flooders)
        if aid is not None:
            rid = _report_ids(database, [aid]).get(aid)
            deadline = time.perf_counter() + 5
            while rid not in seen and time.perf_counter() < deadline:
                await asyncio.sleep(0.01)
            if rid in seen:
                res.genuine_stream_ms = (seen[rid] - s0) * 1000
    listener.cancel()
    # 3. a 10 MB video over a connection dropped twice
    started = time.perf_counter()
    res.video_ok, res.video_drops = await asyncio.to_thread(_video, port, positions[0], database)
    res.video_s = time.perf_counter() - started
    return res


def _mp4(size: int) -> bytes:
    """An MP4 of ``size`` bytes: ftyp, moov with a 60 s movie header, and an mdat of filler."""

    def box(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", 8 + len(data)) + kind + data

    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    header = struct.pack(">IIII", 0, 0, 1000, 60_000) + struct.pack(">IH", 0x00010000, 0x0100)
    mvhd = box(b"mvhd", bytes(4) + header + bytes(70) + struct.pack(">I", 2))
    head = ftyp + box(b"moov", mvhd)
    filler = size - len(head) - 8
    return head + struct.pack(">I", 8 + filler) + b"mdat" + (b"\x5a" * filler)


def _raw_put(port: int, path: str, headers: dict[str, str], data: bytes, *, cut: bool) -> int:
    """One PUT on a socket of its own; ``cut``: the connection drops halfway through the body."""
    head = f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(data)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "Connection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode() + (data[: len(data) // 2] if cut else data))
        if cut:
            return 0
        return int(s.recv(64).split(b" ")[1])


def _video(port: int, where: tuple[float, float], database: Any) -> tuple[bool, int]:
    video = _mp4(10 * 1024 * 1024)
    digest = hashlib.sha256(video).hexdigest()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as c:
        got = c.post("/api/v1/alarms", json=body(*where)).json()
        path = f"/api/v1/alarms/{got['id']}/media/1"
        secret = got["secret"]
        chunk = 512 * 1024
        offset, drops, n = 0, 0, 0
        while offset < len(video):
            n += 1
            headers = {
                "X-Alarm-Secret": secret, "X-Media-Kind": "video", "Upload-Offset": str(offset),
                "Content-Type": "application/octet-stream",
            }  # fmt: skip
            if offset == 0:
                headers |= {"Upload-Length": str(len(video)), "Upload-Checksum": f"sha256 {digest}"}
            cut = n in (5, 13)
            status = _raw_put(port, path, headers, video[offset : offset + chunk], cut=cut)
            if cut:
                drops += 1
                time.sleep(0.2)
            elif status not in (200, 409):
                raise RuntimeError(f"chunk at {offset}: HTTP {status}")
            # where to go on: the server's own offset (after a drop, or a 409)
            state = c.get(path, headers={"X-Alarm-Secret": secret})
            if state.status_code == 404:  # the first chunk was the one dropped
                offset = 0
                continue
            offset = state.json()["offset"] if state.json()["status"] == "uploading" else len(video)
        detail = _stored_sha(database, got["id"])
    return detail == digest, drops


def _stored_sha(database: Any, alarm_id: int) -> str | None:
    from sqlalchemy import select

    from yingji.alarm.models import AlarmMedia
    from yingji.media.models import MediaObject

    with database.session() as s:
        m = s.scalar(select(MediaObject).join(AlarmMedia, AlarmMedia.media_id == MediaObject.id)
                     .where(AlarmMedia.alarm_id == alarm_id))  # fmt: skip
        return m.sha256 if m else None


def pct(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(res: Result, rate: float) -> list[tuple[str, str, str]]:
    def p(values: list[float], q: float) -> str:
        return f"{pct(values, q):.1f}" if values else "–"

    return [
        ("target rate / 目标速率", f"{rate:.0f}/s", ""),
        ("accepted / 受理", f"{res.achieved_per_s:.0f}/s", f"statuses {res.statuses}"),
        ("answer p50 / p99 ms", f"{p(res.answer_ms, 50)} / {p(res.answer_ms, 99)}", "< 100"),
        ("accepted → stream p50 / p99 ms",
         f"{p(res.stream_ms, 50)} / {p(res.stream_ms, 99)}", f"n={len(res.stream_ms)}, < 500"),
        ("flood: sent, answers", str(res.flood_sent), str(res.flood_statuses)),
        ("genuine alarm during flood → stream ms",
         f"{res.genuine_stream_ms:.0f}" if res.genuine_stream_ms is not None else "–",
         f"HTTP {res.genuine_status}, < 1000"),
        ("10 MB video, 2 drops", "intact" if res.video_ok else "NOT intact",
         f"drops {res.video_drops}, {res.video_s:.1f} s"),
    ]  # fmt: skip
