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


def _watch(port: int, headers: dict[str, str], want: str, found: dict[str, float]) -> None:
    """Read the stream until an event whose payload mentions ``want`` arrives."""
    with httpx.stream(
        "GET", f"http://127.0.0.1:{port}/api/v1/stream", headers=headers, timeout=20
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data: ") and want in line:
                found["at"] = time.perf_counter()
                found["event"] = json.loads(line[6:])  # type: ignore[assignment]
                return


def _cross(db_url: str, settings, token_for, spots, bus_url: str, tmp: Path) -> float:  # type: ignore[no-untyped-def]
    duty = token_for("duty_officer")
    _, lon, lat = spots[21]
    with servers(
        2, database_url=db_url, bus_url=bus_url, data_dir=tmp, secret_key=settings.secret_key
    ) as (a, b):
        body = report_body(lon, lat, text="河道发生洪水，河水上涨")
        body["title"] = f"跨进程测试 {body['source_id']}"  # the event payload carries the title
        found: dict[str, float] = {}
        watcher = threading.Thread(target=_watch, args=(b.port, duty, body["source_id"], found))
        watcher.start()
        time.sleep(1.0)  # the subscriber is connected
        sent = time.perf_counter()
        r = httpx.post(f"http://127.0.0.1:{a.port}/api/v1/reports", json=body, headers=duty)
        assert r.status_code == 201, r.text
        watcher.join(timeout=15)
        assert "at" in found, "the report never reached the other process's stream"
        return found["at"] - sent


@pytest.mark.skipif(not _nats_up(), reason="NATS is not running on 127.0.0.1:4222")
def test_report_crosses_processes_over_nats_within_a_second(
    db_url, settings, token_for, spots, tmp_path
):
    elapsed_s = _cross(db_url, settings, token_for, spots, NATS_URL, tmp_path)
    assert elapsed_s < 1.0, f"{elapsed_s:.3f} s"


def test_nats_down_intake_commits_and_the_stream_catches_up(
    db_url, settings, token_for, spots, tmp_path
):
    elapsed_s = _cross(db_url, settings, token_for, spots, "nats://127.0.0.1:1", tmp_path)
    assert elapsed_s < 5.0, f"{elapsed_s:.3f} s"
