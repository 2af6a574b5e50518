"""A throwaway server for benchmarks and browser tests: a fresh SQLite database in a directory
of its own, the demo district loaded through the CLI, ``uvicorn`` on a random free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@dataclass(frozen=True)
class LiveServer:
    url: str
    data_dir: Path
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{log.read_text()}")
        time.sleep(0.2)


@contextmanager
def live_server(
    data_dir: Path, *, extra_env: dict[str, str] | None = None, start_timeout_s: float = 60
) -> Iterator[LiveServer]:
    """Load the demo into ``data_dir/yingji.db`` and serve it until the block ends."""
    src = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "YINGJI_DATA_DIR": str(data_dir),
        "YINGJI_DATABASE_URL": f"sqlite:///{data_dir / 'yingji.db'}",
        "YINGJI_SECRET_KEY": "live-server-secret-" + "x" * 32,
        "YINGJI_MAP_TILES_URL": "",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    env.pop("YINGJI_BUS_URL", None)
    loaded = subprocess.run(
        [sys.executable, "-m", "yingji", "demo", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if loaded.returncode != 0:
        raise RuntimeError(f"demo load failed:\n{loaded.stdout}\n{loaded.stderr}")
    port = free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "yingji.asgi:app", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, server, log_path, start_timeout_s)
            yield LiveServer(url=url, data_dir=data_dir, env=env)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
