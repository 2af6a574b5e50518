"""The dashboard's own endpoints, the compact grid points, and how the built app is served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape

from yingji.app import create_app
from yingji.config import Settings
from yingji.core.db import Database


@pytest.fixture(scope="module")
def dashboard_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in build: index.html, a hashed asset and a file at the root."""
    root = tmp_path_factory.mktemp("static")
    (root / "assets").mkdir()
    (root / "index.html").write_text("<!doctype html><div id=app>应急指挥平台</div>")
    (root / "assets" / "index-abc123.js").write_text("console.log('yingji')")
    (root / "favicon.svg").write_text("<svg/>")
    (root / ".stamp-build").write_text("")
    return root


def _client_for(settings: Settings, demo: Database, **overrides: object) -> TestClient:
    application = create_app(settings.model_copy(update=overrides), migrate_on_start=False)
    application.state.db.dispose()
    application.state.db = demo
    return TestClient(application)


@pytest.fixture(scope="module")
def built(settings: Settings, demo: Database, dashboard_dir: Path) -> Iterator[TestClient]:
    with _client_for(
        settings,
        demo,
        dashboard_dir=dashboard_dir,
        map_tiles_url="https://webrd0{s}.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8",
        map_tiles_subdomains="1234",
        map_tiles_crs="gcj02",
        map_tiles_attribution="高德地图",
    ) as c:
        yield c


@pytest.fixture(scope="module")
def unbuilt(settings: Settings, demo: Database, tmp_path_factory) -> Iterator[TestClient]:
    with _client_for(settings, demo, dashboard_dir=tmp_path_factory.mktemp("empty")) as c:
        yield c


# --- configuration -----------------------------------------------------------------------


def test_without_tiles_the_map_is_vector_only(client, token_for):
    cfg = client.get("/api/v1/dashboard/config", headers=token_for("duty_officer")).json()
    assert cfg["map"]["base"] is None
    assert cfg["map"]["labels"] is None
    assert cfg["map"]["crs"] == "wgs84"
    assert cfg["version"]


def test_features_follow_the_routes_the_server_has(client, token_for):
    features = client.get("/api/v1/dashboard/config", headers=token_for("viewer")).json()[
        "features"
    ]
    paths = set(client.get("/openapi.json").json()["paths"])
    assert features == {
        "incidents": "/api/v1/incidents" in paths,
        "stream": "/api/v1/stream" in paths,
        "stats": "/api/v1/dashboard/stats" in paths,
        "resources": "/api/v1/resources/nearby" in paths,
        "command": "/api/v1/plans" in paths,
    }


def test_configured_tiles_reach_the_browser(built, token_for):
    cfg = built.get("/api/v1/dashboard/config", headers=token_for("viewer")).json()
    assert cfg["map"]["base"]["url"].startswith("https://webrd0{s}.is.autonavi.com/")
    assert cfg["map"]["base"]["subdomains"] == "1234"
    assert cfg["map"]["base"]["attribution"] == "高德地图"
    assert cfg["map"]["crs"] == "gcj02"


def test_config_needs_a_login(client):
    assert client.get("/api/v1/dashboard/config").status_code == 401
    assert client.get("/api/v1/dashboard/outline").status_code == 401


# --- district outline ----------------------------------------------------------------------


def test_outline_encloses_every_subdistrict(client, token_for):
    headers = token_for("duty_officer")
    outline = client.get("/api/v1/dashboard/outline", headers=headers).json()
    boundary = shape(outline["geometry"])
    subs = client.get("/api/v1/subdistricts?kind=subdistrict", headers=headers).json()["items"]
    assert len(outline["properties"]["subdistricts"]) == 17
    for s in subs:
        assert boundary.buffer(1e-9).contains(Point(s["centroid"]["lon"], s["centroid"]["lat"]))
    # One boundary, not 17 touching pieces (the sub-districts tile the district).
    assert boundary.geom_type in ("Polygon", "MultiPolygon")
    pieces = getattr(boundary, "geoms", [boundary])
    assert len(pieces) < 17


def test_a_subdistrict_operator_gets_only_their_own_outline(client, token_for):
    code = "370103003"
    outline = client.get(
        "/api/v1/dashboard/outline", headers=token_for("subdistrict_operator", code)
    ).json()
    assert outline["properties"]["subdistricts"] == [code]


# --- compact points ------------------------------------------------------------------------


def test_points_geojson_holds_every_point_compactly(client, token_for):
    headers = token_for("duty_officer")
    total = client.get("/api/v1/grid/points?limit=1", headers=headers).json()["total"]
    resp = client.get("/api/v1/grid/points.geojson", headers=headers)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/geo+json")
    body = resp.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == total == 4758
    first = body["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert set(first["properties"]) == {
        "code",
        "name",
        "kind",
        "subdistrict_code",
        "area_code",
        "responsible_name",
        "responsible_phone",
    }
    # Compact: well under what the paginated list sends, and small on the wire.
    full = client.get(f"/api/v1/grid/points?limit={total}", headers=headers)
    assert len(resp.content) < 0.6 * len(full.content)
    wire = client.get("/api/v1/grid/points.geojson", headers={**headers, "Accept-Encoding": "gzip"})
    assert int(wire.headers["content-length"]) < 250_000


def test_points_geojson_is_compressed_and_revalidated(client, token_for):
    headers = {**token_for("duty_officer"), "Accept-Encoding": "gzip"}
    resp = client.get("/api/v1/grid/points.geojson", headers=headers)
    assert resp.headers["content-encoding"] == "gzip"
    etag = resp.headers["etag"]
    again = client.get("/api/v1/grid/points.geojson", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_points_geojson_is_scoped_to_the_subdistrict(client, token_for):
    code = "370103003"  # 杆石桥街道: 663 points in the seed
    headers = token_for("subdistrict_operator", code)
    body = client.get("/api/v1/grid/points.geojson", headers=headers).json()
    assert len(body["features"]) == 663
    assert {f["properties"]["subdistrict_code"] for f in body["features"]} == {code}
    other = client.get("/api/v1/grid/points.geojson?subdistrict=370103002", headers=headers)
    assert other.status_code == 403
    district_etag = client.get(
        "/api/v1/grid/points.geojson", headers=token_for("duty_officer")
    ).headers["etag"]
    own = client.get("/api/v1/grid/points.geojson", headers=headers)
    assert own.headers["etag"] != district_etag


# --- serving the built app -----------------------------------------------------------------


def test_root_and_client_routes_serve_the_app(built):
    for path in ("/", "/map", "/incidents/42", "/login?redirect=/map"):
        resp = built.get(path)
        assert resp.status_code == 200, path
        assert "应急指挥平台" in resp.text
        assert resp.headers["cache-control"] == "no-cache"


def test_assets_are_immutable_and_root_files_served(built):
    resp = built.get("/assets/index-abc123.js")
    assert resp.status_code == 200
    assert "immutable" in resp.headers["cache-control"]
    assert built.get("/favicon.svg").text == "<svg/>"
    assert built.get("/assets/missing.js").status_code == 404
    assert built.get("/.stamp-build").status_code == 404


def test_the_app_never_shadows_the_api(built, token_for):
    resp = built.get("/api/v1/no-such-thing", headers=token_for("viewer"))
    assert resp.status_code == 404
    assert resp.json()["code"] == "not_found"
    assert built.get("/api").status_code == 404
    assert built.get("/healthz").json()["status"] == "ok"
    assert built.get("/openapi.json").json()["paths"]
    assert "swagger" in built.get("/docs").text.lower()
    assert built.get("/api/v1/auth/me").status_code == 401


def test_without_a_build_the_root_says_to_run_make_web(unbuilt):
    resp = unbuilt.get("/")
    assert resp.status_code == 503
    assert "make web" in resp.text
    assert "尚未构建" in resp.text and "not built" in resp.text
    assert unbuilt.get("/map").status_code == 503
    assert unbuilt.get("/healthz").status_code == 200
