"""How soon the dashboard is usable: chromium opens the map on the whole demo district.

Measured: navigation start → every map layer drawn (the page's ``yingji:map-ready`` mark),
signed in, cold cache (a fresh browser context each run). Baseline of the same run: the
login page's load event, the app shell with no data, so the difference is the map's own cost.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from yingji.bench import live
from yingji.bench.stats import RateSummary


@dataclass(frozen=True)
class Series:
    name: str
    samples_ms: list[float]

    @property
    def summary(self) -> RateSummary:
        """Median, min–max and quartiles (of milliseconds here, not rates)."""
        return RateSummary.of(self.samples_ms)


def _token(url: str, username: str, password: str) -> str:
    data = f"username={username}&password={password}".encode()
    with urllib.request.urlopen(f"{url}/api/v1/auth/token", data=data) as resp:
        return str(json.load(resp)["access_token"])


def _call(url: str, token: str, path: str, body: object | None = None) -> Any:
    req = urllib.request.Request(
        f"{url}{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=300) as resp:
        return json.load(resp)


def open_incidents(url: str, token: str, count: int, *, seed: int = 1) -> int:
    """Post ``count`` reports that each open an incident of their own: spread over the
    district's grid areas and 2.5 h apart in time (outside the 2 h merge window)."""
    from shapely.geometry import shape

    areas = _call(url, token, "/api/v1/grid/areas?limit=5000")["items"]
    rng = random.Random(seed)
    now = datetime.now(UTC)
    texts = ["仓库起火，浓烟很大", "道路积水严重，车辆被困", "居民楼燃气泄漏", "山体滑坡，道路中断"]
    created = 0
    for start in range(0, count, 1000):
        reports = []
        for i in range(start, min(count, start + 1000)):
            p = shape(rng.choice(areas)["geometry"]).representative_point()
            reports.append(
                {
                    "channel": "public",
                    "source_id": f"bench-{seed}-{i}",
                    "occurred_at": (now - timedelta(hours=2.5 * i)).isoformat(),
                    "text": texts[i % len(texts)],
                    "location": {"lon": p.x + rng.uniform(-2e-4, 2e-4), "lat": p.y},
                }
            )
        answer = _call(url, token, "/api/v1/reports:batch", {"reports": reports})
        created += sum(
            1 for item in answer["items"] if item["result"] and not item["result"]["merged"]
        )
    return created


def measure(url: str, *, username: str, password: str, runs: int) -> list[Series]:
    """Baseline and map timings against a running server."""
    from playwright.sync_api import sync_playwright

    token = _token(url, username, password)
    login_ms: list[float] = []
    map_ms: list[float] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=live.CHROMIUM, args=list(live.CHROMIUM_ARGS), headless=True
        )
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.goto(f"{url}/login", wait_until="load")
            page.wait_for_selector("[data-test=login-submit]")
            login_ms.append(
                page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            )
            page.evaluate(f"localStorage.setItem('yingji.token', {json.dumps(token)})")
            page.goto(f"{url}/map")
            page.wait_for_selector("[data-test=map][data-ready=true]", timeout=60_000)
            map_ms.append(
                page.evaluate("performance.getEntriesByName('yingji:map-ready')[0].startTime")
            )
            context.close()
        browser.close()
    return [Series("login page (baseline)", login_ms), Series("map usable", map_ms)]


def run(
    *, runs: int, url: str | None, username: str, password: str | None, incidents: int = 0
) -> tuple[list[Series], str]:
    """Measure against ``url``, or against a fresh server with the demo district loaded and
    ``incidents`` open incidents added."""
    password = password or os.environ.get("YINGJI_DEMO_PASSWORD", "yingji-demo")
    if url:
        return measure(url, username=username, password=password, runs=runs), url
    with (
        tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp,
        live.live_server(Path(tmp)) as server,
    ):
        opened = 0
        if incidents:
            opened = open_incidents(server.url, _token(server.url, username, password), incidents)
        series = measure(server.url, username=username, password=password, runs=runs)
        return series, f"demo + {opened} open incidents"
