"""Two ``yingji serve`` processes on one PostgreSQL database with NATS JetStream between them:
a report posted to one reaches a live-stream subscriber of the other within a second; with
NATS unreachable, intake still commits and the stream catches up from the database."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ON_POSTGRES
from yingji.bench.intake import servers

from .conftest import report_body

NATS_URL = "nats://127.0.0.1:4222"


def _nats_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.nats,
    pytest.mark.slow,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL"),
]


def _watch(
    port: int,
    headers: dict[str, str],
    seen: list[tuple[float, dict]],
    ready: threading.Event,
    stop: threading.Event,
) -> None:
    """Note the arrival time of every event on a server's stream (until the server stops)."""
    try:
        with httpx.stream(
            "GET", f"http://127.0.0.1:{port}/api/v1/stream", headers=headers, timeout=30
        ) as r:
            for line in r.iter_lines():
                if line.startswith("retry:"):
                    ready.set()  # subscribed: the stream's first line
                if line.startswith("data: "):
                    seen.append((time.perf_counter(), json.loads(line[6:])))
                if stop.is_set():
                    return
    except httpx.HTTPError:
        return


def _cross(db_url: str, settings, token_for, spot, bus_url: str, tmp: Path) -> float:  # type: ignore[no-untyped-def]
    """Seconds from posting a report to server A until B's stream shows its event."""
    duty = token_for("duty_officer")
    _, lon, lat = spot
    with servers(
        2, database_url=db_url, bus_url=bus_url, data_dir=tmp, secret_key=settings.secret_key
    ) as (a, b):
        seen: list[tuple[float, dict]] = []
        ready, stop = threading.Event(), threading.Event()
        watcher = threading.Thread(target=_watch, args=(b.port, duty, seen, ready, stop))
        watcher.daemon = True
        watcher.start()
        assert ready.wait(30), "could not subscribe to the second server's stream"
        sent = time.perf_counter()
        body = report_body(lon, lat, text="河道发生洪水，河水上涨")
        r = httpx.post(f"http://127.0.0.1:{a.port}/api/v1/reports", json=body, headers=duty)
        assert r.status_code == 201, r.text
        report_id = r.json()["report_id"]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            hits = [t for t, e in list(seen) if e["payload"].get("report_id") == report_id]
            if hits:
                stop.set()
                print(f"crossed in {hits[0] - sent:.3f} s ({bus_url})")
                return hits[0] - sent
            time.sleep(0.02)
        stop.set()
        raise AssertionError("the report never reached the other process's stream")


@pytest.mark.skipif(not _nats_up(), reason="NATS is not running on 127.0.0.1:4222")
def test_report_crosses_processes_over_nats_within_a_second(
    db_url, settings, token_for, spots, tmp_path
):
    elapsed_s = _cross(db_url, settings, token_for, spots[21], NATS_URL, tmp_path)
    assert elapsed_s < 1.0, f"{elapsed_s:.3f} s"


def test_nats_down_intake_commits_and_the_stream_catches_up(
    db_url, settings, token_for, spots, tmp_path
):
    elapsed_s = _cross(db_url, settings, token_for, spots[25], "nats://127.0.0.1:1", tmp_path)
    assert elapsed_s < 5.0, f"{elapsed_s:.3f} s"
