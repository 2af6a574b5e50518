"""Shared validators for values users type or upload: mainland phone numbers and GeoJSON.

Every failure raises :class:`~yingji.core.errors.ZhValueError` (a ``ValueError``) carrying the
reason in Chinese and English, so pydantic validators, the ledger importer and services can
report it as it is. Nothing else escapes these functions, whatever the input.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from yingji.core.errors import ZhValueError

# --- phone numbers ---------------------------------------------------------------------------

# Mobile numbers: 11 digits, 1 then 3–9 (number segments 13x–19x, MIIT numbering plan).
MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Landlines: trunk prefix 0, a 2-digit (10, 20–29) or 3-digit area code, then a local number
# of 7–8 digits that never starts with 0 or 1; optionally an extension after a dash.
LANDLINE_RE = re.compile(r"0(?:[12][0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?")
_SPACES_RE = re.compile(r"[\s\u3000]+")
_MAX_PHONE_CHARS = 40


def normalize_phone(value: object, *, required: bool = False) -> str:
    """A mainland mobile or landline number, trimmed; ``""`` when empty and not required.

    Accepted: ``13912345678``, ``+86 139 1234 5678``, ``0531-86123456``, ``053186123456``,
    ``010-62345678-801``. Full-width digits and dashes (typed with a Chinese input method)
    are read as their ASCII forms. A number stored in a spreadsheet cell as an integer is
    read as its digits. A valid number in canonical form comes back unchanged.
    """
    if value is None:
        text = ""
    elif isinstance(value, bool):
        raise ZhValueError("电话号码应为文本", "Phone number must be text")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ZhValueError("电话号码格式不正确", "Not a valid phone number")
        text = str(int(value))
    elif isinstance(value, str):
        text = value
    else:
        raise ZhValueError("电话号码应为文本", "Phone number must be text")
    if len(text) > _MAX_PHONE_CHARS:
        raise ZhValueError("电话号码太长", "Phone number too long")
    text = _SPACES_RE.sub("", unicodedata.normalize("NFKC", text))
    if not text:
        if required:
            raise ZhValueError("缺少电话号码", "Phone number is required")
        return ""
    candidate = text
    if candidate.startswith("+86"):
        candidate = candidate[3:].lstrip("-")
    elif candidate.startswith("0086"):
        candidate = candidate[4:].lstrip("-")
    elif candidate.startswith("86") and len(candidate) == 13:
        candidate = candidate[2:]
    if MOBILE_RE.fullmatch(candidate):
        return candidate
    if candidate == text and LANDLINE_RE.fullmatch(text):
        return text
    if text.isascii() and text.isdigit() and len(text) in (10, 11) and text[0] in "3456789":
        raise ZhValueError(
            "电话号码格式不正确：固定电话缺少区号前的 0（Excel 可能把它当作数字去掉了）",
            "Not a valid phone number: the landline lacks its leading 0 "
            "(Excel may have dropped it; format the column as text)",
        )
    raise ZhValueError(
        "电话号码格式不正确（手机 11 位，如 13912345678；固话如 0531-86123456）",
        "Not a valid phone number (mobile: 11 digits like 13912345678; "
        "landline like 0531-86123456)",
    )


# --- GeoJSON geometry ------------------------------------------------------------------------

# Nesting depth of the coordinate arrays of each geometry type (RFC 7946 §3.1).
_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_TYPE_ZH = {
    "Point": "点",
    "MultiPoint": "多点",
    "LineString": "线",
    "MultiLineString": "多线",
    "Polygon": "面",
    "MultiPolygon": "多面",
}
MAX_POSITIONS = 100_000
MAX_GEOJSON_CHARS = 5_000_000

# GEOS's validity reasons (explain_validity) in Chinese.
_VALIDITY_ZH = {
    "Self-intersection": "自相交",
    "Ring Self-intersection": "边界环自相交",
    "Too few points": "顶点太少",
    "Hole lies outside shell": "内洞在外边界之外",
    "Nested holes": "内洞相互嵌套",
    "Nested shells": "外边界相互嵌套",
    "Interior is disconnected": "内部不连通",
    "Duplicate Rings": "边界环重复",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "边界环未闭合",
}


@dataclass(frozen=True)
class ParsedGeometry:
    """A checked geometry: its shapely shape and a clean 2-D GeoJSON dict to store."""

    shape: BaseGeometry
    geojson: dict[str, Any]


def _geometry_fail(zh: str, en: str) -> ZhValueError:
    return ZhValueError(f"几何无效：{zh}", f"Invalid geometry: {en}")


def _coordinate_fail(zh: str, en: str) -> ZhValueError:
    return ZhValueError(f"坐标无效：{zh}", f"Invalid coordinates: {en}")


_fail = _geometry_fail


def _position(value: Any, counter: list[int], fail: Any = None) -> list[float]:
    _fail = fail or _geometry_fail
    if not isinstance(value, list | tuple) or len(value) not in (2, 3):
        raise _fail("坐标应为 [经度, 纬度]", "a position must be [longitude, latitude]")
    out: list[float] = []
    for number in value[:2]:
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise _fail("坐标应为数字", "coordinates must be numbers")
        if not math.isfinite(number):
            raise _fail("坐标应为有限数字", "coordinates must be finite numbers")
        out.append(float(number))
    if len(value) == 3 and (
        isinstance(value[2], bool)
        or not isinstance(value[2], int | float)
        or not math.isfinite(value[2])
    ):
        raise _fail("高程应为数字", "altitude must be a number")
    lon, lat = out
    if not -180.0 <= lon <= 180.0:
        raise _fail(f"经度 {lon} 超出范围 [-180, 180]", f"longitude {lon} out of [-180, 180]")
    if not -90.0 <= lat <= 90.0:
        raise _fail(f"纬度 {lat} 超出范围 [-90, 90]", f"latitude {lat} out of [-90, 90]")
    counter[0] += 1
    if counter[0] > MAX_POSITIONS:
        raise _fail(f"顶点超过 {MAX_POSITIONS} 个", f"more than {MAX_POSITIONS} positions")
    return out


def _coordinates(value: Any, depth: int, counter: list[int]) -> Any:
    if depth == 0:
        return _position(value, counter)
    if not isinstance(value, list | tuple):
        raise _fail("坐标数组嵌套层次不对", "coordinates are not nested as the type requires")
    return [_coordinates(v, depth - 1, counter) for v in value]


def _check_parts(kind: str, coords: Any) -> None:
    """Vertex counts and closed rings, which GEOS would otherwise refuse or silently accept."""
    if kind == "LineString":
        if len(coords) < 2:
            raise _fail("线至少要有 2 个顶点", "a LineString needs at least 2 positions")
        if all(p == coords[0] for p in coords):
            raise _fail("线的顶点全部重合，长度为 0", "a LineString of zero length")
    elif kind == "Polygon":
        if not coords:
            raise _fail("面没有边界环", "a Polygon needs at least one ring")
        for ring in coords:
            if len(ring) < 4:
                raise _fail("面的边界环至少要有 4 个顶点", "a ring needs at least 4 positions")
            if ring[0] != ring[-1]:
                raise _fail("面的边界环未闭合（首末点须相同）", "a ring is not closed")
    elif kind in ("MultiLineString", "MultiPolygon", "MultiPoint"):
        if not coords:
            raise _fail("多部件几何为空", f"an empty {kind}")
        part = kind.removeprefix("Multi")
        for sub in coords:
            _check_parts(part, sub)


def parse_geometry(value: Any, *, expected: tuple[str, ...]) -> ParsedGeometry:
    """A GeoJSON geometry (dict or JSON text) of one of the ``expected`` types, checked whole.

    Checks: JSON form, a known and expected ``type``, coordinates nested as the type needs,
    numbers finite and within longitude/latitude range, enough vertices, closed rings, and
    OGC validity (no self-intersection...). Altitudes are dropped.
    """
    if isinstance(value, str | bytes):
        if len(value) > MAX_GEOJSON_CHARS:
            raise _fail("GeoJSON 太长", "GeoJSON text too long")
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as exc:
            raise _fail("不是合法的 JSON", "not valid JSON") from exc
    if not isinstance(value, dict):
        raise _fail("应为 GeoJSON 几何对象", "expected a GeoJSON geometry object")
    kind = value.get("type")
    wanted = "、".join(_TYPE_ZH.get(t, t) for t in expected)
    if not isinstance(kind, str) or kind not in _DEPTH:
        raise _fail(f"未知的几何类型，应为{wanted}", f"unknown type, expected {'/'.join(expected)}")
    if kind not in expected:
        raise _fail(
            f"几何类型为{_TYPE_ZH[kind]}（{kind}），应为{wanted}",
            f"type {kind}, expected {'/'.join(expected)}",
        )
    if "coordinates" not in value:
        raise _fail("缺少 coordinates", "coordinates missing")
    counter = [0]
    coords = _coordinates(value["coordinates"], _DEPTH[kind], counter)
    _check_parts(kind, coords)
    geojson = {"type": kind, "coordinates": coords}
    try:
        geom = shape(geojson)
        valid = bool(geom.is_valid)
        reason = "" if valid else explain_validity(geom)
    except (shapely.errors.ShapelyError, ValueError, TypeError) as exc:
        raise _fail("无法构成几何", "cannot build the geometry") from exc
    if geom.is_empty:
        raise _fail("几何为空", "empty geometry")
    if not valid:
        head = reason.split("[", 1)[0].strip()
        zh = _VALIDITY_ZH.get(head, "不符合 OGC 几何有效性")
        raise _fail(f"{zh}（{reason}）", reason)
    return ParsedGeometry(shape=geom, geojson=geojson)


def check_lon_lat(lon: object, lat: object) -> tuple[float, float]:
    """A WGS-84 longitude and latitude as finite numbers in range."""
    pos = _position([lon, lat], [0], _coordinate_fail)
    return pos[0], pos[1]
