"""The base map the dashboard is told to use, the tile hosts the CSP allows, offline tiles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.auth.helpers import app_with
from tests.dashboard.tilesets import colour_of, png, write_mbtiles, write_xyz
from yingji.config import Settings
from yingji.dashboard import basemap


def _img_src(resp) -> list[str]:
    for part in resp.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        if name == "img-src":
            return values
    raise AssertionError("no img-src")


def test_no_base_map_by_default(client, admin_headers):
    cfg = client.get("/api/v1/dashboard/config", headers=admin_headers).json()["map"]
    assert cfg["source"] == "none" and cfg["base"] is None


def test_tianditu_needs_its_key_and_allows_exactly_its_eight_hosts(settings, demo, admin_headers):
    with pytest.raises(ValueError, match="TIANDITU_KEY"):
        app_with(settings, demo, map_basemap="tianditu")
    c = TestClient(app_with(settings, demo, map_basemap="tianditu", map_tianditu_key="k123"))
    cfg = c.get("/api/v1/dashboard/config", headers=admin_headers).json()["map"]
    assert cfg["source"] == "tianditu" and cfg["crs"] == "wgs84"
    assert "LAYER=vec" in cfg["base"]["url"] and "tk=k123" in cfg["base"]["url"]
    assert "LAYER=cva" in cfg["labels"]["url"]
    hosts = {h for h in _img_src(c.get("/healthz")) if h.startswith("https://")}
    assert hosts == {f"https://t{i}.tianditu.gov.cn" for i in range(8)}


def test_amap_is_gcj02_and_allows_its_four_hosts(settings, demo, admin_headers):
    c = TestClient(app_with(settings, demo, map_basemap="amap"))
    cfg = c.get("/api/v1/dashboard/config", headers=admin_headers).json()["map"]
    assert cfg["source"] == "amap" and cfg["crs"] == "gcj02"
    hosts = {h for h in _img_src(c.get("/")) if h.startswith("https://")}
    assert hosts == {f"https://webrd0{i}.is.autonavi.com" for i in range(1, 5)}


def test_a_custom_template_allows_its_hosts_only():
    s = Settings(
        map_tiles_url="https://{s}.tiles.example.cn/{z}/{x}/{y}.png", map_tiles_subdomains="ab"
    )
    assert basemap.tile_origins(basemap.map_config(s)) == {
        "https://a.tiles.example.cn",
        "https://b.tiles.example.cn",
    }


@pytest.mark.parametrize("kind", ["xyz", "mbtiles"])
def test_offline_tiles_are_served_by_the_platform(settings, demo, admin_headers, tmp_path, kind):
    coords = [(3, 6, 3), (12, 3427, 1588)]
    if kind == "xyz":
        write_xyz(tmp_path / "tiles", coords)
        source = tmp_path / "tiles"
    else:
        write_mbtiles(tmp_path / "t.mbtiles", coords)
        source = tmp_path / "t.mbtiles"
    c = TestClient(app_with(settings, demo, map_basemap="offline", map_tiles_dir=source))
    cfg = c.get("/api/v1/dashboard/config", headers=admin_headers).json()["map"]
    assert (
        cfg["source"] == "offline" and cfg["base"]["url"] == "/api/v1/dashboard/tiles/{z}/{x}/{y}"
    )
    tile = c.get("/api/v1/dashboard/tiles/12/3427/1588")  # no token: image requests carry none
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png"
    assert tile.content == png(colour_of(12, 3427, 1588))
    assert c.get("/api/v1/dashboard/tiles/12/3427/1589").status_code == 404
    assert c.get("/api/v1/dashboard/tiles/3/8/0").status_code == 404  # x beyond 2**z
    # served by the platform: the policy names no outside host at all
    assert all(not h.startswith("http") for h in _img_src(tile))


def test_tiles_are_404_without_an_offline_base_map(client):
    resp = client.get("/api/v1/dashboard/tiles/3/6/3")
    assert resp.status_code == 404 and resp.json()["code"] == "not_found"
