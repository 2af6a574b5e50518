"""Which base map the dashboard draws, and the exact hosts its tiles come from.

Pure: settings in, a :class:`MapConfig` and a set of origins out. The origins go into the
Content-Security-Policy's ``img-src`` (``core/headers.py``), so the browser loads tiles from
those hosts and from nowhere else outside.

- ``tianditu`` (天地图, the national platform of 国家基础地理信息中心): the ``_w`` layers are
  Web Mercator on CGCS2000, which agrees with WGS-84 to centimetres (CGCS2000 and WGS-84
  differ by less than 0.1 mm in the ellipsoid's flattening, GB/T 13989-2012 and the
  CGCS2000 note of 国家测绘局 2008 No. 2): the stored WGS-84 layers are drawn as they are.
  The key (``tk``) is the browser key issued on console.tianditu.gov.cn; it is sent with
  each tile request, so bind it to the platform's domain there.
- ``amap`` (高德): GCJ-02 tiles; the dashboard shifts every WGS-84 layer with the published
  WGS-84 → GCJ-02 formula (``web/src/map/gcj02.ts``) before drawing it.
- ``offline``: tiles from ``YINGJI_MAP_TILES_DIR`` (an XYZ directory or an MBTiles file),
  served by the platform itself at ``/api/v1/dashboard/tiles/{z}/{x}/{y}``: nothing outside.
- none of these: ``YINGJI_MAP_TILES_URL`` as an XYZ template (what it was before), or no
  base map at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from yingji.config import Settings
from yingji.dashboard.schemas import MapConfig, TileLayerConfig

TIANDITU_SUBDOMAINS = "01234567"
TIANDITU_ATTRIBUTION = "© 天地图 国家地理信息公共服务平台"


def _tianditu_layer(layer: str, key: str) -> str:
    """Tianditu's WMTS ``GetTile`` in KVP form for the Web Mercator matrix set ``w``."""
    return (
        f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
        f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
        f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"
    )


AMAP_URL = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
AMAP_SUBDOMAINS = "1234"
AMAP_ATTRIBUTION = "© 高德地图 AutoNavi"
OFFLINE_URL = "/api/v1/dashboard/tiles/{z}/{x}/{y}"


def map_config(settings: Settings) -> MapConfig:
    """The base map the dashboard is told to draw (``GET /api/v1/dashboard/config``)."""
    kind = settings.map_basemap
    zoom = settings.map_tiles_max_zoom
    if kind == "tianditu":
        if not settings.map_tianditu_key:
            raise ValueError("YINGJI_MAP_TIANDITU_KEY is needed for the Tianditu base map")
        key = settings.map_tianditu_key
        return MapConfig(
            source="tianditu",
            base=TileLayerConfig(
                url=_tianditu_layer("vec", key),
                subdomains=TIANDITU_SUBDOMAINS,
                attribution=TIANDITU_ATTRIBUTION,
            ),
            labels=TileLayerConfig(url=_tianditu_layer("cva", key), subdomains=TIANDITU_SUBDOMAINS),
            crs="wgs84",
            max_zoom=min(zoom, 18),
        )
    if kind == "amap":
        return MapConfig(
            source="amap",
            base=TileLayerConfig(
                url=AMAP_URL, subdomains=AMAP_SUBDOMAINS, attribution=AMAP_ATTRIBUTION
            ),
            labels=None,
            crs="gcj02",
            max_zoom=min(zoom, 18),
        )
    if kind == "offline":
        if settings.map_tiles_dir is None:
            raise ValueError("YINGJI_MAP_TILES_DIR is needed for the offline base map")
        return MapConfig(
            source="offline",
            base=TileLayerConfig(url=OFFLINE_URL, attribution=settings.map_tiles_attribution),
            labels=None,
            crs=settings.map_tiles_crs,
            max_zoom=zoom,
        )
    custom = settings.map_tiles_url

    def layer(url: str) -> TileLayerConfig | None:
        if not url:
            return None
        return TileLayerConfig(
            url=url,
            subdomains=settings.map_tiles_subdomains,
            attribution=settings.map_tiles_attribution,
        )

    return MapConfig(
        source="custom" if custom else "none",
        base=layer(custom),
        labels=layer(settings.map_tiles_labels_url),
        crs=settings.map_tiles_crs,
        max_zoom=zoom,
    )


def tile_origins(config: MapConfig) -> set[str]:
    """Every origin a tile of this configuration can come from, ``{s}`` expanded; tiles the
    platform serves itself (a relative URL) add none."""
    origins: set[str] = set()
    for layer in (config.base, config.labels):
        if layer is None:
            continue
        parts = urlsplit(layer.url)
        if not parts.scheme or not parts.netloc:
            continue
        if "{s}" in parts.netloc:  # Leaflet's default subdomains are "abc"
            hosts = [parts.netloc.replace("{s}", s) for s in layer.subdomains or "abc"]
        else:
            hosts = [parts.netloc]
        origins.update(f"{parts.scheme}://{host}" for host in hosts)
    return origins
