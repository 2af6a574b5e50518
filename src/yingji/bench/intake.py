"""``yingji bench intake``: reports over HTTP, end to end, from a process of their own.

Servers are real ``yingji serve`` processes (one on SQLite; two on PostgreSQL with NATS
JetStream between them) on a scratch database holding the demo district. This process drives
them with a small keep-alive HTTP/1.1 client on asyncio (httpx would be the bottleneck) and
listens to the live stream of the *last* server, so with two servers most reports cross
the bus. For each report it notes when it was sent, when its 201 came back (the report is
committed by then) and when its event arrived on the stream.

Cases: a closed loop at full speed (throughput), an open loop at a fixed rate (latency at
1,000/s), a surge of N reports counted in the database afterwards, and a baseline: bare
FastAPI answering the same validated POST with no database, driven the same way.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

TEXTS = [
    "小区3号楼着火了，浓烟很大",
    "下穿涵洞积水很深，有车被淹",
    "路口两车相撞，一人受伤",
    "工地脚手架坍塌，有工人被埋",
    "燃气泄漏，闻到很浓的煤气味",
    "山体滑坡，道路被堵",
    "电梯困人，里面有老人",
    "化工厂储罐泄漏，有刺鼻气味",
    "河水上涨漫过堤坝",
    "学校食堂多名学生呕吐腹泻",
    "路面塌陷出现一个大坑",
    "商场门口人员聚集拥挤",
]
CHANNELS = ["public", "grid", "internet", "alarm", "sensor", "notice"]
# Words around the event so no two reports read alike: a cache keyed by the text must not be
# what the figures measure.
PLACES = ["经十路", "英雄山路", "玉函路", "舜耕路", "七里山路", "郎茂山路", "二七新村", "杆石桥"]
WHO = ["居民", "路人", "网格员", "保安", "司机", "店主"]


BENCH_SECRET = "bench-secret-" + "k" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]


@contextmanager
def servers(
    count: int,
    *,
    database_url: str,
    bus_url: str,
    data_dir: Path,
    app: str = "yingji.asgi:app",
    secret_key: str = BENCH_SECRET,
) -> Iterator[list[Server]]:
    """``count`` uvicorn processes of the app on free ports, stopped afterwards."""
    env = {
        **os.environ,
        "YINGJI_DATABASE_URL": database_url,
        "YINGJI_BUS_URL": bus_url,
        "YINGJI_SECRET_KEY": secret_key,
        "YINGJI_DATA_DIR": str(data_dir),
        "YINGJI_LOG_LEVEL": "warning",
    }
    started: list[Server] = []
    try:
        for _ in range(count):
            port = free_port()
            cmd = [
                sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1",
                "--port", str(port), "--log-level", "warning", "--no-access-log",
            ]  # fmt: skip
            started.append(Server(port, subprocess.Popen(cmd, env=env)))
        for s in started:
            _wait_ready(s)
        yield started
    finally:
        for s in started:
            s.process.terminate()
        for s in started:
            try:
                s.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                s.process.kill()


def _wait_ready(server: Server, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server on port {server.port} exited")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=0.5) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server on port {server.port} did not start")


class Connection:
    """One keep-alive HTTP/1.1 connection: enough of the protocol for JSON POSTs."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\n"
        ).encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\n" + self.head
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Sample:
    sent: float
    committed: float | None = None
    status: int = 0


@dataclass
class Run:
    name: str
    samples: dict[int, Sample] = field(default_factory=dict)  # report_id -> sample
    seen: dict[int, float] = field(default_factory=dict)  # report_id -> stream arrival
    started: float = 0.0
    ended: float = 0.0
    sent: int = 0
    accepted: int = 0
    failed: int = 0
    server_cpu_s: float = 0.0  # CPU the server processes used during the run
    database_cpu_s: float = 0.0  # CPU PostgreSQL's processes used (0 on SQLite)
    machine_cpu_s: float = 0.0  # CPU the whole machine was busy: servers, client, database...

    @property
    def cpu_us_per_report(self) -> float:
        """Server CPU per accepted report: steadier than the rate on a machine shared with
        other work, which slows the clock but not the work done per report."""
        return self.server_cpu_s / max(1, self.accepted) * 1e6

    @property
    def database_cpu_us_per_report(self) -> float:
        return self.database_cpu_s / max(1, self.accepted) * 1e6

    @property
    def machine_cpu_us_per_report(self) -> float:
        return self.machine_cpu_s / max(1, self.accepted) * 1e6

    @property
    def rate(self) -> float:
        return self.accepted / max(1e-9, self.ended - self.started)

    def commit_ms(self) -> list[float]:
        return sorted((s.committed - s.sent) * 1000 for s in self.samples.values() if s.committed)

    def seen_ms(self) -> list[float]:
        return sorted(
            (self.seen[r] - s.sent) * 1000 for r, s in self.samples.items() if r in self.seen
        )


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def make_bodies(positions: list[tuple[float, float]], count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    now = datetime.now(UTC)
    out = []
    for k in range(count):
        lon, lat = positions[k % len(positions)]
        out.append(
            json.dumps(
                {
                    "channel": rng.choice(CHANNELS),
                    "source_id": f"bench-{uuid.uuid4().hex}",
                    "occurred_at": (now - timedelta(seconds=rng.uniform(0, 3600))).isoformat(),
                    "text": (
                        f"{rng.choice(WHO)}反映：{rng.choice(PLACES)}{rng.randint(1, 300)}号附近"
                        f"{rng.choice(TEXTS)}，时间约{rng.randint(0, 59)}分钟前"
                    ),
                    "location": {"lon": lon, "lat": lat, "crs": "wgs84"},
                    "reporter": {"name": "压测", "phone": "13800000000"},
                },
                ensure_ascii=False,
            ).encode()
        )
    return out


async def listen(port: int, token: str, run_ref: list[Run], ready: asyncio.Event) -> None:
    """Read the live stream; note when each report's event arrives."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    ready.set()
    buf = b""
    try:
        while True:
            size_line = await reader.readline()
            if not size_line:
                return
            size = int(size_line.strip() or b"0", 16)
            chunk = await reader.readexactly(size + 2)
            buf += chunk[:-2]
            now = time.perf_counter()
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                for line in block.split(b"\n"):
                    if line.startswith(b"data: "):
                        rid = json.loads(line[6:])["payload"].get("report_id")
                        if rid is not None:
                            run_ref[0].seen.setdefault(rid, now)
    finally:
        writer.close()


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far (Linux ``/proc``)."""
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores have spent busy since boot (``/proc/stat``: all but idle and iowait)."""
    with open("/proc/stat") as f:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, f.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL process on this machine (by name)."""
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            out[int(entry)] = cpu_seconds([int(entry)])
        except OSError:  # gone meanwhile
            continue
    return out


def postgres_cpu_since(before: dict[int, float]) -> float:
    """CPU PostgreSQL used since ``before`` (processes started meanwhile count from zero)."""
    return sum(now - before.get(pid, 0.0) for pid, now in postgres_cpu().items())


async def drive(
    run: Run,
    ports: list[int],
    token: str,
    bodies: list[bytes],
    *,
    connections: int,
    rate_per_s: float | None,
    path: str = "/api/v1/reports",
    pids: list[int] | None = None,
) -> None:
    """Send every body; closed loop (as fast as answers come) or open loop at a rate.
    With ``pids``, notes the CPU the servers used meanwhile."""
    conns = [Connection(ports[i % len(ports)], token) for i in range(connections)]
    await asyncio.gather(*(c.open() for c in conns))
    queue: asyncio.Queue[tuple[bytes, float]] = asyncio.Queue()
    cpu_before = cpu_seconds(pids) if pids else 0.0
    database_before = postgres_cpu() if pids else {}
    machine_before = machine_busy_seconds()
    run.started = time.perf_counter()

    async def worker(conn: Connection) -> None:
        while True:
            body, due = await queue.get()
            if body == b"":
                return
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            sent = time.perf_counter()
            status, answer = await conn.post(path, body)
            done = time.perf_counter()
            run.sent += 1
            if status in (200, 201):
                run.accepted += 1
                rid = json.loads(answer).get("report_id", run.sent)
                run.samples[rid] = Sample(sent, done, status)
            else:
                run.failed += 1

    for k, body in enumerate(bodies):
        due = run.started + k / rate_per_s if rate_per_s else 0.0
        queue.put_nowait((body, due))
    for _ in conns:
        queue.put_nowait((b"", 0.0))
    await asyncio.gather(*(worker(c) for c in conns))
    run.ended = time.perf_counter()
    run.machine_cpu_s = machine_busy_seconds() - machine_before
    if pids:
        run.server_cpu_s = cpu_seconds(pids) - cpu_before
        run.database_cpu_s = postgres_cpu_since(database_before)
    for c in conns:
        c.close()


def summary(values: list[float]) -> tuple[float, float, float]:
    return (statistics.median(values), min(values), max(values)) if values else (0.0, 0.0, 0.0)
