"""``yingji bench nearby``: latency of the nearby search at the demo district's scale.

The demo district and its resources go into a temporary SQLite file (or the configured
database). Queries are drawn at random: a point inside the district, all five kinds, a 5 km
radius, ten per kind, and in turn a catalogue item with a quantity, a team skill, an expert
specialty. Three ways are timed, call by call, interleaved so load on the machine hits all
alike:

- ``service``: :func:`yingji.resources.nearby.search` on an open session (revision check,
  index scan, live stock query), what the endpoint runs;
- ``HTTP``: ``GET /api/v1/resources/nearby`` through the ASGI app in-process (token check,
  parameter parsing, JSON) — the figure the 20 ms p99 target is about;
- ``server`` (optional): the same requests over a socket to ``uvicorn`` in a second process;
- ``baseline``: no index — every row of every kind loaded from the database per query,
  great-circle distance for each, filtered and sorted in Python; its answers are checked
  against the service's so the comparison is like for like.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.geo.distance import haversine_m
from yingji.org import service as org
from yingji.resources import nearby, rules, supplies
from yingji.resources.catalogue import DEFAULT_CATALOGUE
from yingji.resources.models import Expert, Station, Team, VideoFeed, Warehouse
from yingji.resources.quantities import to_milli

SKILLS = ("抢险", "水上救援", "危化处置", "急救", "排涝", None)
SPECIALTIES = ("危化", "防汛", "地质", "消防", "医疗", None)


@dataclass(frozen=True)
class Case:
    lon: float
    lat: float
    query: nearby.Query


@dataclass(frozen=True)
class LatencySummary:
    """Per-call latency in milliseconds."""

    calls: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> LatencySummary:
        if len(seconds) < 2:
            raise ValueError("need at least two calls")
        ms = sorted(s * 1000.0 for s in seconds)
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        return cls(len(ms), statistics.median(ms), cuts[89], cuts[98], ms[-1])


def random_cases(db: Session, count: int, seed: int) -> list[Case]:
    outline = unary_union([shape(g) for _, _, g in org.subdistrict_geometries(db)])
    shapely.prepare(outline)
    minx, miny, maxx, maxy = outline.bounds
    rng = random.Random(seed)
    items = [e for e in DEFAULT_CATALOGUE]
    cases: list[Case] = []
    while len(cases) < count:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not shapely.contains_xy(outline, lon, lat):
            continue
        entry = rng.choice(items)
        cases.append(
            Case(
                lon,
                lat,
                nearby.Query(
                    kinds=nearby.parse_kinds(None),
                    radius_m=5000.0,
                    limit=10,
                    skill=rng.choice(SKILLS),
                    specialty=rng.choice(SPECIALTIES),
                    item_code=entry.code,
                    quantity=str(rng.randint(1, max(2, entry.min_stock))),
                ),
            )
        )
    return cases


def naive_search(
    db: Session, *, lon: float, lat: float, query: nearby.Query, today: date
) -> dict[str, Any]:
    """The same answer without an index: everything from the database, every distance."""
    item = supplies.get_item(db, query.item_code) if query.item_code else None
    wanted = (
        to_milli(query.quantity, whole_units=item.whole_units, unit=item.unit)
        if item is not None and query.quantity is not None
        else None
    )
    models: dict[str, Any] = {
        "teams": Team, "experts": Expert, "warehouses": Warehouse, "stations": Station,
        "videos": VideoFeed,
    }  # fmt: skip
    results: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for kind in query.kinds:
        rows = []
        for r in db.scalars(select(models[kind]).order_by(models[kind].id)):
            d = haversine_m(lon, lat, r.lon, r.lat)
            if d > query.radius_m:
                continue
            if query.available_only and (
                (kind == "teams" and r.status != "standby")
                or (kind == "experts" and r.availability != "available")
                or (kind == "videos" and r.status != "online")
            ):
                continue
            if kind == "teams" and not rules.within(r.skills, query.skill):
                continue
            if kind == "experts" and not rules.within(r.specialties, query.specialty):
                continue
            rows.append((d, r))
        if kind == "warehouses" and item is not None:
            stock = supplies.stock_totals(
                db, warehouse_ids=[r.id for _, r in rows], item_code=item.code, usable_on=today
            )
            rows = [(d, r) for d, r in rows if stock.get((r.id, item.code), 0) > 0]
            covers = {r.id: wanted is None or stock[(r.id, item.code)] >= wanted for _, r in rows}
        rows.sort(key=lambda pair: (pair[0], pair[1].id))
        totals[kind] = len(rows)
        results[kind] = [
            {"id": r.id, "distance_m": round(d, 1)}
            | ({"covers": covers[r.id]} if kind == "warehouses" and item is not None else {})
            for d, r in rows[: query.limit]
        ]
    return {"results": results, "totals": totals}


def same_answer(fast: dict[str, Any], slow: dict[str, Any]) -> bool:
    """Same totals and the same ids per kind, each distance within 0.2 m (both are haversine,
    rounded to 0.1 m); the order is the distances' (ties may fall either way)."""
    if fast["totals"] != slow["totals"]:
        return False
    for kind, rows in slow["results"].items():
        got = fast["results"][kind]
        if {r["id"] for r in got} != {r["id"] for r in rows}:
            return False
        for a, b in zip(
            sorted(got, key=lambda r: r["id"]), sorted(rows, key=lambda r: r["id"]), strict=True
        ):
            if abs(a["distance_m"] - b["distance_m"]) > 0.2:
                return False
            if "covers" in b and a["stock"]["covers"] != b["covers"]:
                return False
    return True


def time_calls(
    fn: Callable[[Case], object], cases: list[Case], sink: list[float], cpu: list[float]
) -> None:
    """Wall-clock and process CPU seconds of each call (CPU counts every thread of the
    process, so the HTTP figure includes the event loop and the worker thread; on a shared
    machine it is the steadier of the two)."""
    for case in cases:
        started, started_cpu = time.perf_counter(), time.process_time()
        fn(case)
        sink.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)


def http_params(case: Case) -> dict[str, str]:
    q = case.query
    params = {
        "lon": f"{case.lon:.7f}", "lat": f"{case.lat:.7f}", "radius_m": f"{q.radius_m:g}",
        "limit": str(q.limit), "item": q.item_code or "", "quantity": str(q.quantity),
    }  # fmt: skip
    if q.skill:
        params["skill"] = q.skill
    if q.specialty:
        params["specialty"] = q.specialty
    return params


@contextmanager
def uvicorn_server(url: str, secret: str, data_dir: Any) -> Iterator[str]:
    """The platform served by ``uvicorn`` in a child process on a free local port; stopped
    (that process only) on exit. Yields the base URL once ``/healthz`` answers."""
    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "YINGJI_DATABASE_URL": url,
        "YINGJI_SECRET_KEY": secret,
        "YINGJI_DATA_DIR": str(data_dir),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "yingji.asgi:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}"
                )
            try:
                if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 60 s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@dataclass(frozen=True)
class NearbyBench:
    service: LatencySummary
    http: LatencySummary
    baseline: LatencySummary
    server: LatencySummary | None
    cpu: dict[str, LatencySummary]
    round_p99_ms: dict[str, list[float]]
    checked: int
    mismatches: int
    counts: dict[str, int]


def run(
    *,
    url: str,
    data_dir: Any,
    queries: int,
    rounds: int,
    seed: int,
    demo_seed: int,
    baseline_queries: int,
    server: bool = False,
    on_step: Callable[[], None] = lambda: None,
) -> NearbyBench:
    """Load the demo if the database is empty, then time the three ways (see module doc)."""
    from fastapi.testclient import TestClient

    from yingji.app import create_app
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role
    from yingji.config import Settings
    from yingji.core import migrate
    from yingji.core.db import Database, utcnow
    from yingji.core.security import create_access_token
    from yingji.demo.load import load_demo

    database = Database(url)
    migrate.upgrade(database.engine)
    secret = "bench-secret-" + "x" * 40
    with database.session() as session:
        if org.is_empty(session):
            load_demo(session, seed=demo_seed)
        user = auth.create_user(
            session, username=f"bench_{random.Random().randrange(10**9)}",
            password="bench-password", role=Role.duty_officer, scope_code=None,
            known_scope_codes=None, actor=SYSTEM,
        )  # fmt: skip
        session.commit()
        token = create_access_token(str(user.id), secret, 3600)
    app = create_app(
        Settings(database_url=url, data_dir=data_dir, secret_key=secret), migrate_on_start=False
    )
    headers = {"Authorization": f"Bearer {token}"}
    today = rules.local_date(utcnow())
    times: dict[str, list[float]] = {"service": [], "http": [], "baseline": []}
    if server:
        times["server"] = []
    cpu_times: dict[str, list[float]] = {k: [] for k in times}
    round_p99: dict[str, list[float]] = {k: [] for k in times}
    import httpx

    with ExitStack() as stack:
        session = stack.enter_context(database.session())
        client = stack.enter_context(TestClient(app))
        remote = None
        if server:
            base = stack.enter_context(uvicorn_server(url, secret, data_dir))
            remote = stack.enter_context(httpx.Client(base_url=base, headers=headers, timeout=30))
        counts = {
            kind: len(index.entries)
            for kind, index in nearby.indexes(session, nearby.parse_kinds(None)).items()
        }
        cases = random_cases(session, queries, seed)
        base_cases = cases[:baseline_queries]
        mismatches = sum(
            not same_answer(
                nearby.search(session, lon=c.lon, lat=c.lat, query=c.query, today=today),
                naive_search(session, lon=c.lon, lat=c.lat, query=c.query, today=today),
            )
            for c in base_cases
        )

        def service_call(c: Case) -> object:
            return nearby.search(session, lon=c.lon, lat=c.lat, query=c.query, today=today)

        def http_call(c: Case) -> object:
            resp = client.get("/api/v1/resources/nearby", params=http_params(c), headers=headers)
            if resp.status_code != 200:
                raise RuntimeError(resp.text)
            return resp

        def baseline_call(c: Case) -> object:
            return naive_search(session, lon=c.lon, lat=c.lat, query=c.query, today=today)

        def server_call(c: Case) -> object:
            assert remote is not None
            resp = remote.get("/api/v1/resources/nearby", params=http_params(c))
            if resp.status_code != 200:
                raise RuntimeError(resp.text)
            return resp

        ways: list[tuple[str, Callable[[Case], object], list[Case]]] = [
            ("service", service_call, cases),
            ("http", http_call, cases),
            ("baseline", baseline_call, base_cases),
        ]
        if server:
            ways.insert(2, ("server", server_call, cases))
        for _, fn, _ in ways:  # warm-up
            time_calls(fn, cases[:20], [], [])
        for _ in range(rounds):
            for name, fn, batch in ways:
                sink: list[float] = []
                time_calls(fn, batch, sink, cpu_times[name])
                times[name].extend(sink)
                round_p99[name].append(LatencySummary.of(sink).p99_ms)
            on_step()
    app.state.db.dispose()
    database.dispose()
    return NearbyBench(
        service=LatencySummary.of(times["service"]),
        http=LatencySummary.of(times["http"]),
        baseline=LatencySummary.of(times["baseline"]),
        server=LatencySummary.of(times["server"]) if server else None,
        cpu={k: LatencySummary.of(v) for k, v in cpu_times.items()},
        round_p99_ms=round_p99,
        checked=len(base_cases),
        mismatches=mismatches,
        counts=counts,
    )
