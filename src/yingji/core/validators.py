"""Shared validators for values users type or upload: phone numbers, GeoJSON, and the input
rules every request shares (64-bit integers, text without control characters, PATCH nulls).

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
from typing import Annotated, Any, ClassVar

import shapely
from annotated_types import Ge, Le
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
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


# --- the input rules every request shares -----------------------------------------------------
#
# One place for what any value a client sends must satisfy, whatever the route: integers that
# the database can hold, text without control characters, and a PATCH that never sets a
# required field to null. Request models inherit :class:`Input` (or :class:`Patch`); path and
# query parameters use :data:`RowId` / :data:`Offset` / :data:`Text`.

# SQLite and PostgreSQL store integers in 8 bytes (SQLite "INTEGER", PostgreSQL "bigint"): a
# larger Python int raises OverflowError in the driver (sqlite3) before any query runs.
MAX_INT64 = 2**63 - 1
MIN_INT64 = -(2**63)

# Most tables' keys are SQLAlchemy ``Integer``: PostgreSQL ``integer``, 4 bytes — a larger id
# fails there with NumericValueOutOfRange before the row is looked up. The tables that grow
# fastest (incidents, reports, activations, tasks, warnings, messages, the audit log) have
# ``BigInteger`` keys (``BigId``): ids of those are :data:`BigRowId`.
MAX_INT32 = 2**31 - 1

RowId = Annotated[int, Ge(1), Le(MAX_INT32)]
"""A row id of an ``Integer``-keyed table in a path or query (1 … 2³¹−1): beyond it a 422."""

BigRowId = Annotated[int, Ge(1), Le(MAX_INT64)]
"""A row id of a ``BigInteger``-keyed table (``BigId``) in a path or query (1 … 2⁶³−1)."""

Offset = Annotated[int, Ge(0), Le(MAX_INT64)]
"""Rows to skip in a list (0 … 2⁶³−1)."""

Int64 = Annotated[int, Ge(MIN_INT64), Le(MAX_INT64)]
"""Any integer a client sends that reaches a column."""

# C0 controls and DEL, but not tab, newline and carriage return — the characters XML 1.0 allows
# (W3C XML 1.0 §2.2 "Char"), which is where text from here often ends up (CAP 1.2 messages).
# Also the C1 controls (U+0080–U+009F), which are never typed and break terminals and headers,
# and the two non-characters U+FFFE/U+FFFF that XML 1.0 also refuses.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Lone surrogates cannot be encoded as UTF-8 at all (JSON "\\ud800" decodes to one).
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def refuse_control_chars(value: str) -> str:
    """``value`` unchanged, or a ZhValueError when it holds a control character.

    Tab, newline and carriage return are text; every other C0/C1 control, DEL, a lone
    surrogate or U+FFFE/U+FFFF is refused, so what is stored can always be written to XML,
    a PDF, a spreadsheet or a log line as it is.
    """
    bad = _CONTROL_RE.search(value) or _SURROGATE_RE.search(value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise ZhValueError(
            f"文本含有不允许的控制字符（{code}，位置 {bad.start()}）",
            f"text holds a control character ({code} at {bad.start()})",
        )
    return value


Text = Annotated[str, AfterValidator(refuse_control_chars)]
"""A text field: any string without control characters other than tab, CR and LF."""


def _refuse_in_tree(value: Any) -> None:
    """Every string inside ``value`` (lists, dicts, their keys) passes refuse_control_chars."""
    if isinstance(value, str):
        refuse_control_chars(value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_in_tree(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_in_tree(key)
            _refuse_in_tree(item)


class _Everything(frozenset[str]):
    """Contains every name: an Input (not a Patch) lets its schema decide where null goes."""

    def __contains__(self, item: object) -> bool:
        return True


_ALL = _Everything()


class Input(BaseModel):
    """Base of every request body: unknown fields refused, text free of control characters.

    The text rule runs on every field's validated value, nested lists and dicts (GeoJSON
    properties, JSON payloads) included, so a field added later is covered without thinking
    of it. Integers are bounded to 64 bits in every field for the same reason.
    """

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _clean_value(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in getattr(cls, "nullable", _ALL):
            raise ZhValueError(
                f"{info.field_name} 不能为 null；不修改请不要提供该字段",
                f"{info.field_name} cannot be null; leave it out to keep its value",
            )
        _refuse_in_tree(value)
        _int64_in_tree(value)
        return value


def _int64_in_tree(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not MIN_INT64 <= value <= MAX_INT64:
            raise ZhValueError("整数超出 64 位范围", "integer out of the 64-bit range")
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _int64_in_tree(item)
    elif isinstance(value, dict):
        for item in value.values():
            _int64_in_tree(item)


def _drop_null_branches(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The spec of a PATCH body: fields that cannot be null are optional but not nullable."""
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, prop in schema.get("properties", {}).items():
        if name in nullable or not isinstance(prop, dict):
            continue
        branches = prop.get("anyOf")
        if isinstance(branches, list) and {"type": "null"} in branches:
            rest = [b for b in branches if b != {"type": "null"}]
            prop.pop("anyOf")
            if len(rest) == 1:
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
        if prop.get("default", 0) is None:
            prop.pop("default")


class Patch(Input):
    """Base of every PATCH body: a field left out stays as it is; ``null`` clears it only if
    the field is named in ``nullable`` (its column may be empty). ``null`` for any other field
    is a 422 naming the field, and the spec says so (the field is not nullable there).
    """

    nullable: ClassVar[frozenset[str]] = frozenset()
    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_null_branches)


# Characters XML 1.0 cannot carry at all, even as character references (XML 1.0 §2.2 "Char":
# #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]).
_NOT_XML_CHAR_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD.

    For text that reaches an XML document (a CAP 1.2 alert) from rows written before the
    input rules, or from sources that never passed them: lxml refuses such a string outright.
    """
    return _NOT_XML_CHAR_RE.sub("\ufffd", text)


def _phone_required(value: str) -> str:
    return normalize_phone(value, required=True)


def _phone_optional(value: str) -> str:
    return normalize_phone(value)


Phone = Annotated[str, Field(max_length=40), AfterValidator(_phone_required)]
"""A phone number that must be given: checked and normalised by :func:`normalize_phone`."""
OptionalPhone = Annotated[str, Field(max_length=40), AfterValidator(_phone_optional)]
"""A phone number that may be empty."""
