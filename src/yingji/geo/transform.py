"""WGS-84 ⇄ GCJ-02 ⇄ BD-09 for longitude/latitude in degrees.

GPS receivers give WGS-84; AMap (高德) and Tencent maps use GCJ-02 (国测局坐标, "火星坐标");
Baidu maps use BD-09 (百度坐标), a further offset on top of GCJ-02. Yingji stores WGS-84 and
converts at the edges (BRIEF: "Store WGS-84, convert at the edges").

Forward transforms are the well-known published algorithm (Krasovsky 1940 ellipsoid,
a = 6378245 m, e² = 0.00669342162296594323; BD-09 adds Baidu's rotation/scale offset), as in
github.com/wandergis/coordtransform and github.com/googollee/eviltransform.

Neither offset has a closed-form inverse. The usual one-step inverse (subtract the offset
computed at the shifted point) is off by one to a few metres; here the inverse solves
``forward(w) = g`` by fixed-point iteration (the offset varies slowly, so each step shrinks the
error by about a hundredfold) until the residual is below 1e-10° (~0.01 mm).

Outside China (the usual bounding box, lon 72.004–137.8347 E, lat 0.8293–55.8271 N, tested on
the WGS-84 position) GCJ-02 and BD-09 are taken to equal WGS-84: the Chinese maps publish
unshifted coordinates abroad. The box is the rule every published implementation uses; it is
coarse (it takes in parts of neighbouring countries and leaves out nothing of the mainland)
and is irrelevant for a Chinese district.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import StrEnum

__all__ = [
    "Crs",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "in_china",
    "to_wgs84",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


class Crs(StrEnum):
    """Coordinate reference systems a client may send positions in.

    The canonical names are lower case (the spec and every answer use them); what people type
    is taken as well: any case, hyphens or underscores ("WGS84", "GCJ-02", "BD09") and Baidu's
    own "bd09ll" for BD-09 longitude/latitude.
    """

    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"

    @classmethod
    def _missing_(cls, value: object) -> Crs | None:
        if not isinstance(value, str):
            return None
        name = value.strip().lower().replace("-", "").replace("_", "")
        name = _CRS_ALIASES.get(name, name)
        return next((c for c in cls if c.value == name), None)


_CRS_ALIASES = {"bd09ll": "bd09"}  # Baidu's own name for BD-09 longitude/latitude


_A_M = 6378245.0  # Krasovsky 1940 semi-major axis, as in the published GCJ-02 algorithm
_EE = 0.00669342162296594323  # Krasovsky first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0  # Baidu's angular constant
_PI = math.pi

_MIN_LON, _MAX_LON = 72.004, 137.8347
_MIN_LAT, _MAX_LAT = 0.8293, 55.8271

# Offsets never exceed ~0.02°: farther than this outside the box nothing can map inside it.
_BOX_MARGIN_DEG = 0.1
_TOLERANCE_DEG = 1e-10
_MAX_ITERATIONS = 30


def in_china(lon: float, lat: float) -> bool:
    """The bounding-box rule: inside it the GCJ-02 offset applies, outside it does not."""
    return _MIN_LON <= lon <= _MAX_LON and _MIN_LAT <= lat <= _MAX_LAT


def _in_box(lon: float, lat: float, margin_deg: float) -> bool:
    return (
        _MIN_LON - margin_deg <= lon <= _MAX_LON + margin_deg
        and _MIN_LAT - margin_deg <= lat <= _MAX_LAT + margin_deg
    )


def _near_china(lon: float, lat: float) -> bool:
    return _in_box(lon, lat, _BOX_MARGIN_DEG)


def _solved_in_china(lon: float, lat: float) -> bool:
    """Whether an inverse's solution lies in the box, allowing for its last-digit error."""
    return _in_box(lon, lat, 10 * _TOLERANCE_DEG)


def _gcj_offset(lon: float, lat: float) -> tuple[float, float]:
    """The GCJ-02 offset (Δlon, Δlat) in degrees at a WGS-84 position, box not applied."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = math.sqrt(abs(x))
    xy = x * y
    common = (20.0 * math.sin(6.0 * x * _PI) + 20.0 * math.sin(2.0 * x * _PI)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * xy + 0.2 * sqrt_abs_x + common
    d_lat += (20.0 * math.sin(y * _PI) + 40.0 * math.sin(y / 3.0 * _PI)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * _PI) + 320.0 * math.sin(y * _PI / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * xy + 0.1 * sqrt_abs_x + common
    d_lon += (20.0 * math.sin(x * _PI) + 40.0 * math.sin(x / 3.0 * _PI)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * _PI) + 300.0 * math.sin(x / 30.0 * _PI)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * _PI
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A_M * (1.0 - _EE)) / (magic * sqrt_magic) * _PI)
    d_lon = (d_lon * 180.0) / (_A_M / sqrt_magic * math.cos(rad_lat) * _PI)
    return d_lon, d_lat


def _wgs_to_gcj_raw(lon: float, lat: float) -> tuple[float, float]:
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _gcj_to_bd_raw(lon: float, lat: float) -> tuple[float, float]:
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _wgs_to_bd_raw(lon: float, lat: float) -> tuple[float, float]:
    return _gcj_to_bd_raw(*_wgs_to_gcj_raw(lon, lat))


def _invert(
    forward: Callable[[float, float], tuple[float, float]],
    lon: float,
    lat: float,
    start: tuple[float, float],
) -> tuple[float, float]:
    """Solve ``forward(x) = (lon, lat)`` by fixed-point iteration from ``start``."""
    x, y = start
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = lon - fx, lat - fy
        x += dx
        y += dy
        if abs(dx) < _TOLERANCE_DEG and abs(dy) < _TOLERANCE_DEG:
            break
    return x, y


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (unchanged outside China)."""
    if not in_china(lon, lat):
        return lon, lat
    return _wgs_to_gcj_raw(lon, lat)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84, the exact inverse of :func:`wgs84_to_gcj02` (residual < 0.01 mm).

    The WGS-84 answer decides which side of the box rule applies: if the solution lies inside
    the box it is the answer, otherwise the input was never shifted and is returned as is.
    """
    if not _near_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj_offset(lon, lat)
    x, y = _invert(_wgs_to_gcj_raw, lon, lat, (lon - d_lon, lat - d_lat))
    return (x, y) if _solved_in_china(x, y) else (lon, lat)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's published offset; unchanged outside China).

    Only the GCJ-02 position is known here, so the box is tested on it; within a metre of the
    box edge this may differ from :func:`wgs84_to_bd09`, which tests the WGS-84 position.
    """
    if not in_china(lon, lat):
        return lon, lat
    return _gcj_to_bd_raw(lon, lat)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02, the exact inverse of :func:`gcj02_to_bd09` (iterated, not one-step)."""
    if not _near_china(lon, lat):
        return lon, lat
    x, y = _invert(_gcj_to_bd_raw, lon, lat, (lon - 0.0065, lat - 0.006))
    return (x, y) if _solved_in_china(x, y) else (lon, lat)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → BD-09 (unchanged outside China)."""
    if not in_china(lon, lat):
        return lon, lat
    return _wgs_to_bd_raw(lon, lat)


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS-84, solving the whole chain at once so the two offsets' errors don't add."""
    if not _near_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj_offset(lon - 0.0065, lat - 0.006)
    start = (lon - 0.0065 - d_lon, lat - 0.006 - d_lat)
    x, y = _invert(_wgs_to_bd_raw, lon, lat, start)
    return (x, y) if _solved_in_china(x, y) else (lon, lat)


def to_wgs84(lon: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """A position given in ``crs`` as WGS-84."""
    match Crs(crs):
        case Crs.wgs84:
            return lon, lat
        case Crs.gcj02:
            return gcj02_to_wgs84(lon, lat)
        case Crs.bd09:
            return bd09_to_wgs84(lon, lat)


def from_wgs84(lon: float, lat: float, crs: Crs | str) -> tuple[float, float]:
    """A WGS-84 position expressed in ``crs``."""
    match Crs(crs):
        case Crs.wgs84:
            return lon, lat
        case Crs.gcj02:
            return wgs84_to_gcj02(lon, lat)
        case Crs.bd09:
            return wgs84_to_bd09(lon, lat)
