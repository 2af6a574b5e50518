"""Do new incidents keep up on the map? Reports that each open an incident are posted at a
steady rate while chromium shows the map; the page's incident count is sampled to see how
long each new incident takes from its 201 to the map.

Baseline of the same run: the intake's own answer time (request sent → 201), so the
difference is what the stream and the page add.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from yingji.bench import live
from yingji.bench.dashboard import _call, _token


@dataclass
class LiveArrival:
    rate_per_s: float
    duration_s: float
    posted_at: list[float] = field(default_factory=list)  # monotonic time of each 201
    answer_ms: list[float] = field(default_factory=list)
    samples: list[tuple[float, int]] = field(default_factory=list)  # (time, count on map)
    baseline_count: int = 0

    def lags_ms(self) -> list[float]:
        """For the k-th new incident: first sample showing ≥ baseline + k minus its 201."""
        lags = []
        j = 0
        for k, posted in enumerate(sorted(self.posted_at), start=1):
            while j < len(self.samples) and self.samples[j][1] < self.baseline_count + k:
                j += 1
            if j == len(self.samples):
                break
            lags.append(max(0.0, (self.samples[j][0] - posted) * 1000))
        return lags

    @property
    def shown(self) -> int:
        return (self.samples[-1][1] - self.baseline_count) if self.samples else 0


def _reports(areas: list[dict], count: int, seed: int) -> list[dict]:
    """One report per new incident: random grid areas, 2.5 h apart (beyond the merge window)."""
    from shapely.geometry import shape

    rng = random.Random(seed)
    now = datetime.now(UTC)
    texts = ["仓库起火，浓烟很大", "道路积水严重，车辆被困", "居民楼燃气泄漏", "山体滑坡，道路中断"]
    out = []
    for i in range(count):
        p = shape(rng.choice(areas)["geometry"]).representative_point()
        out.append(
            {
                "channel": "public",
                "source_id": f"live-{seed}-{i}",
                "occurred_at": (now - timedelta(minutes=1) - timedelta(hours=2.5 * i)).isoformat(),
                "text": texts[i % len(texts)],
                "location": {"lon": p.x + rng.uniform(-2e-4, 2e-4), "lat": p.y},
            }
        )
    return out


def _post_steadily(url: str, token: str, reports: list[dict], result: LiveArrival) -> None:
    interval = 1.0 / result.rate_per_s
    start = time.monotonic()
    for i, report in enumerate(reports):
        due = start + i * interval
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        sent = time.monotonic()
        req = urllib.request.Request(
            f"{url}/api/v1/reports",
            data=json.dumps(report).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
        done = time.monotonic()
        result.answer_ms.append((done - sent) * 1000)
        result.posted_at.append(done)


def measure(
    url: str, *, username: str, password: str, rate_per_s: float, duration_s: float, seed: int
) -> LiveArrival:
    from playwright.sync_api import sync_playwright

    token = _token(url, username, password)
    areas = _call(url, token, "/api/v1/grid/areas?limit=5000")["items"]
    reports = _reports(areas, int(rate_per_s * duration_s), seed)
    result = LiveArrival(rate_per_s=rate_per_s, duration_s=duration_s)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=live.CHROMIUM, args=list(live.CHROMIUM_ARGS), headless=True
        )
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        page.goto(f"{url}/login")
        page.evaluate(f"localStorage.setItem('yingji.token', {json.dumps(token)})")
        page.goto(f"{url}/map")
        page.wait_for_selector("[data-test=map][data-ready=true]", timeout=60_000)
        page.wait_for_timeout(1000)  # let the stream connect
        read = "Number(document.querySelector('[data-test=map]').dataset.incidents)"
        result.baseline_count = int(page.evaluate(read))
        poster = threading.Thread(
            target=_post_steadily, args=(url, token, reports, result), daemon=True
        )
        poster.start()
        deadline = time.monotonic() + duration_s + 15
        while time.monotonic() < deadline:
            result.samples.append((time.monotonic(), int(page.evaluate(read))))
            if not poster.is_alive() and result.shown >= len(reports):
                break
            time.sleep(0.05)
        poster.join(timeout=30)
        browser.close()
    return result


def run(
    *,
    url: str | None,
    username: str,
    password: str | None,
    rate_per_s: float,
    duration_s: float,
    seed: int,
) -> LiveArrival:
    """Against ``url``, or a fresh server with the demo district (simulator off)."""
    password = password or os.environ.get("YINGJI_DEMO_PASSWORD", "yingji-demo")
    kwargs = dict(
        username=username, password=password, rate_per_s=rate_per_s, duration_s=duration_s
    )
    if url:
        return measure(url, seed=seed, **kwargs)  # type: ignore[arg-type]  # kwargs holds measure's keyword arguments
    with (
        tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp,
        live.live_server(Path(tmp)) as server,
    ):
        return measure(server.url, seed=seed, **kwargs)  # type: ignore[arg-type]  # as above
