"""The map over a base map: a small MBTiles tile set made here, served by the platform
itself (YINGJI_MAP_BASEMAP=offline), drawn under the grid; nothing from outside loads."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import demo_password, screenshot
from tests.browser.test_dashboard import demo_user
from tests.dashboard.tilesets import colour_of, png, tiles_around, write_mbtiles
from yingji.bench import live

pytestmark = pytest.mark.browser

CENTRE = (116.98, 36.62)  # 市中区


@pytest.fixture(scope="module")
def offline_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("offline-map")
    mbtiles = root / "shizhong.mbtiles"
    count = write_mbtiles(mbtiles, tiles_around(*CENTRE, range(10, 16), radius=6))
    assert count > 500
    env = {"YINGJI_MAP_BASEMAP": "offline", "YINGJI_MAP_TILES_DIR": str(mbtiles)}
    (root / "server").mkdir()
    with live.live_server(root / "server", extra_env=env) as server:
        yield server.url


def test_the_map_draws_over_offline_tiles_the_platform_serves(chromium, offline_server):
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    outside: list[str] = []
    refused: list[str] = []
    context.on(
        "request",
        lambda r: (
            None if r.url.startswith((offline_server, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    try:
        page.goto(offline_server + "/login")
        page.locator("input[name=username]").fill(demo_user("duty_officer"))
        page.locator("input[name=password]").fill(demo_password())
        page.locator("[data-test=login-submit]").click()
        expect(page).to_have_url(re.compile(r"/map$"))
        the_map = page.locator("[data-test=map]")
        expect(the_map).to_have_attribute("data-ready", "true")
        expect(the_map).to_have_attribute("data-basemap", "offline")
        tiles = page.locator(".yj-basemap img.leaflet-tile")
        expect(tiles.first).to_be_visible()
        page.wait_for_function(
            "() => { const t = [...document.querySelectorAll('.yj-basemap img.leaflet-tile')];"
            " return t.length > 4 && t.every(i => i.complete); }"
        )
        loaded = tiles.evaluate_all("ts => ts.map(t => [t.src, t.naturalWidth])")
        assert all(src.startswith(offline_server + "/api/v1/dashboard/tiles/") for src, _ in loaded)
        assert sum(1 for _, w in loaded if w == 256) >= 4  # drawn, not broken images
        expect(page.locator("path.yj-subdistrict")).to_have_count(17)  # the grid on top
        page.locator(".leaflet-control-attribution").wait_for()
        screenshot(page, "map-offline-basemap")
    finally:
        context.close()
    assert not outside, outside[:5]
    assert not refused, refused[:3]


def test_the_policy_names_no_outside_host(offline_server):
    import urllib.request

    with urllib.request.urlopen(offline_server + "/") as resp:
        policy = resp.headers["Content-Security-Policy"]
    assert "http" not in policy and "frame-ancestors 'none'" in policy


@pytest.fixture(scope="module")
def amap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("amap")
    (root / "server").mkdir()
    with live.live_server(root / "server", extra_env={"YINGJI_MAP_BASEMAP": "amap"}) as server:
        yield server.url


def test_amap_tiles_come_from_its_hosts_only_and_others_are_blocked(chromium, amap_server):
    """AMap (GCJ-02): the policy lets the browser fetch tiles from webrd01–04.is.autonavi.com
    (answered here by the test, no network), and blocks an image from any other host."""
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    served: list[str] = []

    def fake_amap(route) -> None:  # type: ignore[no-untyped-def]
        served.append(route.request.url)
        x = int(route.request.url.split("&x=")[1].split("&")[0])
        y = int(route.request.url.split("&y=")[1].split("&")[0])
        route.fulfill(status=200, content_type="image/png", body=png(colour_of(0, x, y)))

    context.route(re.compile(r"^https://webrd0[1-4]\.is\.autonavi\.com/"), fake_amap)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(amap_server + "/login")
        page.locator("input[name=username]").fill(demo_user("duty_officer"))
        page.locator("input[name=password]").fill(demo_password())
        page.locator("[data-test=login-submit]").click()
        the_map = page.locator("[data-test=map]")
        expect(the_map).to_have_attribute("data-ready", "true")
        expect(the_map).to_have_attribute("data-basemap", "amap")
        page.wait_for_function(
            "() => { const t = [...document.querySelectorAll('.yj-basemap img.leaflet-tile')];"
            " return t.length > 4 && t.every(i => i.complete && i.naturalWidth === 256); }"
        )
        assert served and {u.split("/")[2] for u in served} <= {
            f"webrd0{i}.is.autonavi.com" for i in range(1, 5)
        }
        blocked = page.evaluate(
            """() => new Promise(resolve => {
                document.addEventListener('securitypolicyviolation',
                    e => resolve([e.violatedDirective, e.blockedURI]), { once: true });
                const img = new Image();
                img.src = 'https://tiles.elsewhere.example/1/1/1.png';
                document.body.appendChild(img);
            })"""
        )
        assert blocked[0].startswith("img-src") and "elsewhere.example" in blocked[1]
        screenshot(page, "map-amap-basemap")
    finally:
        context.close()
