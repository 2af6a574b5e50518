"""A real server and Debian's chromium for the dashboard's browser tests.

One ``uvicorn`` per session on a random free port, on a fresh SQLite database with the demo
district loaded through the CLI, exactly as ``make run`` does it. Playwright drives
``/usr/bin/chromium`` (``make browser``); it never downloads a browser of its own.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from yingji.bench import live

# Playwright's assertions wait 5 s by default; a freshly started live server on a loaded
# two-core CI machine took longer than that to draw the first map (CI run of 2026-12-03:
# data-ready still false at 5 s while its layers loaded). Pages keep their own 30 s limit.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "yingji" / "dashboard" / "static"
SCREENSHOTS = ROOT / "docs" / "user-guide" / "img"
RESULTS = ROOT / "test-results"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test shares one server: keep them on one xdist worker."""
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


def demo_password() -> str:
    return os.environ.get("YINGJI_DEMO_PASSWORD", "yingji-demo")


@dataclass(frozen=True)
class LiveServer:
    url: str

    def token(self, username: str, password: str | None = None) -> str:
        data = f"username={username}&password={password or demo_password()}".encode()
        with urllib.request.urlopen(f"{self.url}/api/v1/auth/token", data=data) as resp:
            return str(json.load(resp)["access_token"])

    def call(self, path: str, token: str, body: object | None = None) -> Any:
        """GET (or POST ``body`` as JSON) with a user's token; the decoded answer."""
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req) as resp:
            return json.load(resp)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not (STATIC / "index.html").is_file():
        pytest.fail("the dashboard is not built: run `make web` (make test does)")
    with live.live_server(tmp_path_factory.mktemp("live")) as server:
        yield LiveServer(url=server.url)


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    if not Path(live.CHROMIUM).exists():
        pytest.fail("chromium is missing: run `make browser` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=live.CHROMIUM, args=list(live.CHROMIUM_ARGS), headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server: LiveServer) -> Iterator[Callable[..., object]]:
    """Pages in fresh browser contexts (own storage, own cache), closed after the test.

    A request to any host but the test server fails the test: the dashboard must work with
    no outside host (no CDN fonts, no tiles unless configured).
    """
    contexts = []
    outside: list[str] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked

    def make(locale: str | None = None) -> object:
        context = chromium.new_context(viewport={"width": 1440, "height": 900})
        if locale:
            context.add_init_script(f"localStorage.setItem('yingji.locale', '{locale}')")

        def watch(request) -> None:  # type: ignore[no-untyped-def]
            if not request.url.startswith((live_server.url, "data:", "blob:")):
                outside.append(request.url)

        context.on("request", watch)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on(
            "console",
            lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"requests to outside hosts: {outside[:5]}"
    assert not refused, f"blocked by the Content-Security-Policy: {refused[:3]}"


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled")
    return path


def record_result(name: str, value: object) -> None:
    """Keep a measurement of this run in test-results/ (not in the repository)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "dashboard.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = value
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2))
