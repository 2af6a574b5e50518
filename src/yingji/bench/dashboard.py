"""How soon the dashboard is usable: chromium opens the map on the whole demo district.

Measured: navigation start → every map layer drawn (the page's ``yingji:map-ready`` mark),
signed in, cold cache (a fresh browser context each run). Baseline of the same run: the
login page's load event, the app shell with no data, so the difference is the map's own cost.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

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
    *, runs: int, url: str | None, username: str, password: str | None
) -> tuple[list[Series], str]:
    """Measure against ``url``, or against a fresh server with the demo district loaded."""
    password = password or os.environ.get("YINGJI_DEMO_PASSWORD", "yingji-demo")
    if url:
        return measure(url, username=username, password=password, runs=runs), url
    with (
        tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp,
        live.live_server(Path(tmp)) as server,
    ):
        return measure(server.url, username=username, password=password, runs=runs), "demo"
