"""Runs the scenario against the intake API over HTTP, as the real channels would."""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from yingji.core.db import utcnow
from yingji.simulator.scenario import Settings, cap_alert, tick

log = logging.getLogger("yingji.simulator")
CAP_EVERY_S = 600.0
CAP_EVERY_FLOOD_S = 120.0


@dataclass
class Stats:
    sent: int = 0
    accepted: int = 0
    merged: int = 0
    rejected_as_expected: int = 0
    unexpected: list[str] = field(default_factory=list)


class Simulator:
    """Posts simulated reports to ``client`` (an ``httpx.Client`` with the base URL set)."""

    def __init__(
        self,
        client: httpx.Client,
        token: str,
        positions: list[tuple[float, float]],
        settings: Settings,
        seed: int = 1,
    ) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.positions = positions
        self.settings = settings
        self.rng = random.Random(seed)
        self.stats = Stats()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cap_due_s = 0.0  # a weather warning first, then every CAP_EVERY_S

    def step(self, seconds: float) -> Stats:
        """Send what ``seconds`` of the scenario produce."""
        now = utcnow()
        self._cap_due_s -= seconds
        if self._cap_due_s <= 0:
            self._cap_due_s = CAP_EVERY_FLOOD_S if self.settings.flood_day else CAP_EVERY_S
            xml = cap_alert(self.rng, self.positions, now, self.settings.flood_day)
            self.stats.sent += 1
            try:
                r = self.client.post(
                    "/api/v1/reports/cap",
                    content=xml,
                    headers={**self.headers, "Content-Type": "application/xml"},
                )
                if r.status_code in (200, 201):
                    self.stats.accepted += 1
                else:
                    self.stats.unexpected.append(f"cap {r.status_code} {r.text[:200]}")
            except httpx.HTTPError as exc:
                log.warning("simulator: %s", exc)
        good, bad = tick(self.rng, self.positions, now, self.settings, seconds)
        for body in good:
            r = self._post(body)  # type: ignore[assignment]  # r is a Response or None from here on
            if r is None:
                continue
            if r.status_code in (200, 201):
                self.stats.accepted += 1
                self.stats.merged += bool(r.json().get("merged"))
            else:
                self.stats.unexpected.append(f"{r.status_code} {r.text[:200]}")
        for kind, body in bad:
            r = self._post(body)  # type: ignore[assignment]  # r is a Response or None from here on
            if r is not None and 400 <= r.status_code < 500:
                self.stats.rejected_as_expected += 1
            elif r is not None:
                self.stats.unexpected.append(f"bad {kind} accepted: {r.status_code}")
        return self.stats

    def _post(self, body: dict[str, Any]) -> httpx.Response | None:
        self.stats.sent += 1
        try:
            return self.client.post("/api/v1/reports", json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            log.warning("simulator: %s", exc)
            return None

    def run(self, tick_s: float = 1.0) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.step(tick_s)
            self._stop.wait(max(0.0, tick_s - (time.monotonic() - started)))

    def start(self, tick_s: float = 1.0) -> None:
        self._thread = threading.Thread(target=self.run, args=(tick_s,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
