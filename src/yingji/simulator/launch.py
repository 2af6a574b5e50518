"""Starting the simulator beside ``yingji demo``: a token of its own, then a thread that
waits for the server and posts over HTTP like any other channel."""

from __future__ import annotations

import threading
import time

import httpx

from yingji.audit.service import SYSTEM
from yingji.auth import service as auth
from yingji.core.db import Database
from yingji.grid import service as grid
from yingji.simulator.feed import Simulator
from yingji.simulator.scenario import Settings

POSITIONS = 2000


def positions(
    database: Database, count: int = POSITIONS, seed: int = 5
) -> list[tuple[float, float]]:
    """Random positions inside the district's grid areas, at least ~150 m from their edges so
    the jittered duplicates of an event stay inside the district."""
    import random

    from shapely.geometry import Point, shape

    rng = random.Random(seed)
    with database.session() as s:
        index = grid.build_index(s)
    inner = {x.code: shape(x.geometry).buffer(-0.0018) for x in index.subdistricts}
    shapes = [
        shape(a.geometry).buffer(-0.0018).intersection(inner[a.subdistrict_code])
        for a in index.areas
    ]
    shapes = [p for p in shapes if not p.is_empty and p.area > 0]
    if not shapes:
        shapes = [shape(x.geometry) for x in index.subdistricts]
    out: list[tuple[float, float]] = []
    while len(out) < count:
        poly = rng.choice(shapes)
        minx, miny, maxx, maxy = poly.bounds
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if poly.contains(p):
            out.append((p.x, p.y))
    return out


def start_in_background(
    database: Database, base_url: str, settings: Settings, seed: int = 1
) -> threading.Thread:
    with database.session() as s:
        _, token = auth.create_integration_token(
            s, name="演示模拟器 / simulator", channels=list(auth.CHANNELS), actor=SYSTEM,
            created_by=None,
        )  # fmt: skip
        s.commit()
    where = positions(database)

    def run() -> None:
        with httpx.Client(base_url=base_url, timeout=10) as client:
            for _ in range(600):  # wait for the server
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            Simulator(client, token, where, settings, seed=seed).run()

    thread = threading.Thread(target=run, name="simulator", daemon=True)
    thread.start()
    return thread
