"""Grid ledgers (网格台账) as files: Excel workbooks and GeoJSON, out and in.

Pure: bytes in, rows out (and the reverse); no database. The columns are the ones the
sub-districts keep in their ledgers, with Chinese headers; GeoJSON uses the API's field
names as properties. Reading is defensive: an upload is untrusted, so the archive is checked
before openpyxl opens it (declared sizes, compression ratio), openpyxl parses XML through
defusedxml, rows are streamed (read-only mode) and capped.
"""

from __future__ import annotations

import io
import json
import math
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yingji.grid.vocab import PATROL_CYCLES, POINT_KINDS, patrol_cycle_label, point_kind_label

MAX_ROWS = 50_000
MAX_COLUMNS = 64
HEADER_SCAN_ROWS = 10
MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
EXCEL_CELL_MAX_CHARS = 32_767

KIND_LABELS: dict[str, tuple[str, str]] = {
    "areas": ("网格面", "grid areas"),
    "lines": ("网格线", "grid lines"),
    "points": ("网格点", "grid points"),
}


@dataclass(frozen=True)
class Column:
    """One ledger column: its Chinese header, the field it carries and how to show it."""

    header: str
    field: str
    width: int
    kind: str = "text"  # text | int | float | geometry | point_kind | patrol_cycle
    required: bool = False
    read_only: bool = False  # exported for people to read; ignored (or only checked) on import
    aliases: tuple[str, ...] = ()


def _responsible() -> list[Column]:
    return [
        Column("责任人", "responsible_name", 10),
        Column("职务", "responsible_title", 12),
        Column("联系电话", "responsible_phone", 16, aliases=("电话", "手机")),
        Column("巡查周期", "patrol_cycle", 10, kind="patrol_cycle"),
    ]


_CODE = Column("编码", "code", 22, required=True, aliases=("网格编码",))
_NAME = Column("名称", "name", 28, required=True)
_SUB_CODE = Column("街道代码", "subdistrict_code", 12)
_SUB_NAME = Column("街道", "subdistrict_name", 12, read_only=True, aliases=("所属街道",))
_AREA = Column("所属面", "area_code", 22, aliases=("所属网格面",))
_NOTES = Column("备注", "notes", 24)
_GEOMETRY = Column("几何(GeoJSON)", "geometry", 60, kind="geometry", required=True)

COLUMNS: dict[str, list[Column]] = {
    "areas": [
        _CODE,
        _NAME,
        _SUB_CODE,
        _SUB_NAME,
        Column("户数", "households", 8, kind="int"),
        Column("人口", "population", 8, kind="int"),
        *_responsible(),
        _NOTES,
        _GEOMETRY,
    ],
    "lines": [
        _CODE,
        _NAME,
        _SUB_CODE,
        _SUB_NAME,
        _AREA,
        Column("长度(米)", "length_m", 10, kind="float", read_only=True),
        *_responsible(),
        _NOTES,
        _GEOMETRY,
    ],
    "points": [
        _CODE,
        _NAME,
        _SUB_CODE,
        _SUB_NAME,
        _AREA,
        Column("所属线", "line_code", 22, aliases=("所属网格线",)),
        Column("类型", "kind", 10, kind="point_kind", required=True, aliases=("点位类型",)),
        Column("地址", "address", 30),
        Column("经度", "lon", 13, kind="float", required=True),
        Column("纬度", "lat", 13, kind="float", required=True),
        *_responsible(),
        Column("灭火器数量", "fire_extinguishers", 10, kind="int", aliases=("灭火器",)),
        _NOTES,
    ],
}


def header_key(text: str) -> str:
    """A header as compared: NFKC (full-width brackets), no spaces, no required-mark ``*``."""
    return "".join(unicodedata.normalize("NFKC", text).split()).strip("*").lower()


def _lookup_table(kind: str) -> dict[str, Column]:
    table: dict[str, Column] = {}
    for col in COLUMNS[kind]:
        for name in (col.header, col.field, *col.aliases):
            table[header_key(name)] = col
    return table


_LOOKUP = {kind: _lookup_table(kind) for kind in COLUMNS}


def column_for(kind: str, name: str) -> Column | None:
    """The column a header or GeoJSON property names (Chinese header, alias or field name)."""
    col = _LOOKUP[kind].get(name)
    return col if col is not None else _LOOKUP[kind].get(header_key(name))


def header_of(kind: str, field_name: str) -> str:
    for col in COLUMNS[kind]:
        if col.field == field_name:
            return col.header
    return field_name


# --- errors ------------------------------------------------------------------------------------


class LedgerFileError(ValueError):
    """The file as a whole cannot be read: not a workbook or GeoJSON, too big, bad headers."""

    def __init__(self, code: str, zh: str, en: str, details: list[dict[str, Any]] | None = None):
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.details = details or []


@dataclass
class LedgerRow:
    """One data row: its number as the user sees it and the raw values by field."""

    number: int
    values: dict[str, Any]
    labels: dict[str, str]  # field → the header or property name it came from
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (label, zh, en)


@dataclass
class Ledger:
    rows: list[LedgerRow] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)  # fields the file carries (columns present)
    format: str = "xlsx"


# --- export ------------------------------------------------------------------------------------


def _export_value(col: Column, item: dict[str, Any]) -> Any:
    value = item.get(col.field)
    if col.kind == "geometry":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if col.kind == "point_kind":
        return point_kind_label(value)  # type: ignore[arg-type]  # a point's kind is required, never None here
    if col.kind == "patrol_cycle":
        return patrol_cycle_label(value)  # type: ignore[arg-type]  # a line's patrol cycle is required, never None here
    if value is None:
        return None if col.kind in ("int", "float") else ""
    return value


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="C0392B")
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TEXT_FIELDS = {"code", "subdistrict_code", "area_code", "line_code", "responsible_phone"}


def _write_sheet(wb: Workbook, kind: str, items: Iterable[dict[str, Any]]) -> None:
    columns = COLUMNS[kind]
    ws = wb.create_sheet(KIND_LABELS[kind][0])
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.header + ("*" if col.required else ""))
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        header.append(cell)
    ws.append(header)
    count = 0
    for item in items:
        row: list[Any] = []
        for col in columns:
            value = _export_value(col, item)
            if isinstance(value, str) and len(value) > EXCEL_CELL_MAX_CHARS:
                raise LedgerFileError(
                    "cell_too_long",
                    f"{item.get('code')} 的「{col.header}」超过 Excel 单元格上限 "
                    f"{EXCEL_CELL_MAX_CHARS} 字符，请改用 GeoJSON 导出",
                    f"{col.header} of {item.get('code')} exceeds Excel's cell limit; "
                    "export GeoJSON instead",
                )
            if col.field in _TEXT_FIELDS:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "@"
                value = cell
            row.append(value)
        ws.append(row)
        count += 1
    last = max(count + 1, 2)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    for i, col in enumerate(columns, start=1):
        table = {"point_kind": POINT_KINDS, "patrol_cycle": PATROL_CYCLES}.get(col.kind)
        if table:
            letter = get_column_letter(i)
            labels = ",".join(zh for zh, _ in table.values())
            check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
            check.error = "请从下拉列表中选择"
            check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
            ws.data_validations.append(check)


def write_xlsx(sheets: dict[str, Iterable[dict[str, Any]]]) -> bytes:
    """A workbook with one sheet per kind (网格面 / 网格线 / 网格点), header frozen."""
    wb = Workbook(write_only=True)
    for kind, items in sheets.items():
        _write_sheet(wb, kind, items)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _geojson_properties(kind: str, item: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for col in COLUMNS[kind]:
        if col.field in ("geometry", "lon", "lat"):
            continue
        props[col.field] = item.get(col.field)
    return props


def write_geojson(kind: str, items: Iterable[dict[str, Any]]) -> bytes:
    """A FeatureCollection in WGS-84 (RFC 7946), one Feature per item, ``id`` = code."""
    features = []
    for item in items:
        geometry = (
            {"type": "Point", "coordinates": [item["lon"], item["lat"]]}
            if kind == "points"
            else item["geometry"]
        )
        features.append(
            {
                "type": "Feature",
                "id": item["code"],
                "geometry": geometry,
                "properties": _geojson_properties(kind, item),
            }
        )
    collection = {"type": "FeatureCollection", "name": f"grid_{kind}", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


# --- import ------------------------------------------------------------------------------------


def detect_format(filename: str | None, data: bytes) -> str:
    """``xlsx`` or ``geojson``, from the content (the file name only breaks ties)."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerFileError(
            "unsupported_file",
            "这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后再导入",
            "This is a legacy .xls workbook; save it as .xlsx and import again",
        )
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{"):
        return "geojson"
    name = (filename or "").lower()
    raise LedgerFileError(
        "unsupported_file",
        "无法识别的文件：请上传 Excel 台账（.xlsx）或 GeoJSON（.geojson / .json）"
        + ("" if not name else f"（收到 {name[-40:]}）"),
        "Unrecognised file: upload an Excel ledger (.xlsx) or GeoJSON (.geojson / .json)",
    )


def _check_archive(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LedgerFileError(
            "unreadable_file", "Excel 文件已损坏，无法读取", "The Excel file is corrupt"
        ) from exc
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (
            info.file_size > 10 * 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
        ):
            raise LedgerFileError(
                "file_too_large",
                "Excel 文件解压后过大，请拆分后导入",
                "The workbook is too large once unpacked; split it",
            )


def _cell_text(value: Any) -> Any:
    """A cell as the text a person typed: ``13912345678`` read as a number comes back as digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def _cell_number(value: Any) -> Any:
    """Numbers stay numbers; text is trimmed for the schema to parse; empty is missing."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        return value or None
    return value


def convert_cell(col: Column, value: Any) -> Any:
    if col.kind in ("int", "float"):
        return _cell_number(value)
    if col.kind == "geometry":
        return value if value not in (None, "") else None
    return _cell_text(value)


def _pick_sheet(wb: Any, kind: str) -> Any:
    title = KIND_LABELS[kind][0]
    if title in wb.sheetnames:
        return wb[title]
    others = [t for t in (v[0] for v in KIND_LABELS.values()) if t in wb.sheetnames]
    if others:
        raise LedgerFileError(
            "wrong_sheet",
            f"工作簿中没有「{title}」工作表（有：{'、'.join(others)}），请确认导入的台账类型",
            f"The workbook has no '{title}' sheet ({', '.join(others)} found)",
        )
    return wb.worksheets[0]


def _header(kind: str, cells: tuple[Any, ...]) -> list[Column | None]:
    """The columns of a header row; every unknown, duplicate or missing header is an error."""
    columns: list[Column | None] = []
    problems: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, value in enumerate(cells, start=1):
        text = _cell_text(value)
        if text == "" or not isinstance(text, str):
            columns.append(None)
            continue
        col = column_for(kind, text)
        letter = get_column_letter(index)
        if col is None:
            problems.append(
                {
                    "column": text,
                    "code": "unknown_column",
                    "message": f"第 {letter} 列表头「{text}」无法识别",
                    "message_en": f"Column {letter}: unknown header {text!r}",
                }
            )
        elif col.field in seen:
            problems.append(
                {
                    "column": text,
                    "code": "duplicate_column",
                    "message": f"第 {letter} 列「{text}」与第 {seen[col.field]} 列重复",
                    "message_en": f"Column {letter}: {text!r} appears twice",
                }
            )
        else:
            seen[col.field] = index
        columns.append(col)
    present = {c.field for c in columns if c is not None}
    for col in COLUMNS[kind]:
        if col.required and col.field not in present:
            problems.append(
                {
                    "column": col.header,
                    "code": "missing_column",
                    "message": f"缺少必需的列「{col.header}」",
                    "message_en": f"Required column {col.header!r} is missing",
                }
            )
    if "subdistrict_code" not in present and "subdistrict_name" not in present:
        problems.append(
            {
                "column": "街道代码",
                "code": "missing_column",
                "message": "缺少「街道代码」或「街道」列",
                "message_en": "A sub-district code or name column is required",
            }
        )
    if problems:
        expected = "、".join(c.header for c in COLUMNS[kind])
        raise LedgerFileError(
            "bad_columns",
            f"表头不正确：{problems[0]['message']}。{KIND_LABELS[kind][0]}台账的列为：{expected}",
            f"Bad header row: {problems[0]['message_en']}",
            problems,
        )
    return columns


def _is_header(kind: str, cells: tuple[Any, ...]) -> bool:
    found = {
        column_for(kind, t) for t in (_cell_text(v) for v in cells) if isinstance(t, str) and t
    }
    return any(c is not None and c.field == "code" for c in found)


def read_xlsx(kind: str, data: bytes) -> Ledger:
    """Rows of the kind's sheet, streamed; the header row may follow a few title rows."""
    _check_archive(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed package
        raise LedgerFileError(
            "unreadable_file",
            "无法读取 Excel 文件（不是有效的 .xlsx 工作簿）",
            "Cannot read the file as an .xlsx workbook",
        ) from exc
    try:
        return _read_sheet(kind, _pick_sheet(wb, kind))
    except LedgerFileError:
        raise
    except Exception as exc:
        raise LedgerFileError(
            "unreadable_file", "Excel 文件内容损坏，无法读取", "The workbook's content is corrupt"
        ) from exc
    finally:
        wb.close()


def _read_sheet(kind: str, ws: Any) -> Ledger:
    ws.reset_dimensions()
    rows: Iterator[tuple[Any, ...]] = ws.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    columns: list[Column | None] | None = None
    ledger = Ledger(format="xlsx")
    for number, cells in enumerate(rows, start=1):
        if columns is None:
            if _is_header(kind, cells):
                columns = _header(kind, cells)
                ledger.fields = {c.field for c in columns if c is not None and not c.read_only}
                if any(c is not None and c.field == "subdistrict_name" for c in columns):
                    ledger.fields.add("subdistrict_name")
            elif number >= HEADER_SCAN_ROWS:
                break
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if len(ledger.rows) >= MAX_ROWS:
            raise LedgerFileError(
                "too_many_rows",
                f"数据行超过 {MAX_ROWS} 行上限，请拆分后导入",
                f"More than {MAX_ROWS} data rows; split the file",
            )
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        for col, value in zip(columns, cells, strict=False):
            if col is None or (col.read_only and col.field != "subdistrict_name"):
                continue
            values[col.field] = convert_cell(col, value)
            labels[col.field] = col.header
        ledger.rows.append(LedgerRow(number=number, values=values, labels=labels))
    if columns is None:
        raise LedgerFileError(
            "bad_columns",
            f"前 {HEADER_SCAN_ROWS} 行中找不到表头（须有「编码」列）",
            f"No header row (with a 编码 column) in the first {HEADER_SCAN_ROWS} rows",
        )
    return ledger


def read_geojson(kind: str, data: bytes) -> Ledger:
    """Features of a FeatureCollection; properties named by field (or by Chinese header)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise LedgerFileError(
            "unreadable_file", "GeoJSON 文件不是合法的 UTF-8 JSON", "Not valid UTF-8 JSON"
        ) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise LedgerFileError(
            "unreadable_file",
            "GeoJSON 顶层应为 FeatureCollection",
            "The GeoJSON top level must be a FeatureCollection",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        raise LedgerFileError(
            "unreadable_file", "FeatureCollection 缺少 features 数组", "features array missing"
        )
    if len(features) > MAX_ROWS:
        raise LedgerFileError(
            "too_many_rows",
            f"要素超过 {MAX_ROWS} 个上限，请拆分后导入",
            f"More than {MAX_ROWS} features; split the file",
        )
    ledger = Ledger(format="geojson")
    unknown: dict[str, int] = {}
    for number, feature in enumerate(features, start=1):
        values: dict[str, Any] = {}
        labels: dict[str, str] = {}
        row = LedgerRow(number=number, values=values, labels=labels)
        ledger.rows.append(row)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            row.problems.append(("type", "不是 GeoJSON Feature", "Not a GeoJSON Feature"))
            continue
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            row.problems.append(
                ("properties", "properties 应为对象", "properties must be an object")
            )
            continue
        for name, value in props.items():
            col = column_for(kind, str(name))
            if col is None:
                unknown.setdefault(str(name), number)
                continue
            if col.read_only and col.field != "subdistrict_name":
                continue
            values[col.field] = value
            labels[col.field] = str(name)
        if "code" not in values and isinstance(feature.get("id"), str | int):
            values["code"] = str(feature["id"])
            labels["code"] = "id"
        geometry = feature.get("geometry")
        if kind == "points":
            coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
            if (
                isinstance(geometry, dict)
                and geometry.get("type") == "Point"
                and isinstance(coords, list)
                and len(coords) in (2, 3)
            ):
                values["lon"], values["lat"] = coords[0], coords[1]
                labels["lon"] = labels["lat"] = "geometry"
            else:
                row.problems.append(
                    ("geometry", "点的几何应为 Point [经度, 纬度]", "geometry must be a Point")
                )
        else:
            values["geometry"] = geometry
            labels["geometry"] = "geometry"
        ledger.fields.update(values)
    if unknown:
        names = "、".join(list(unknown)[:10])
        raise LedgerFileError(
            "bad_columns",
            f"要素属性无法识别：{names}",
            f"Unknown feature properties: {', '.join(list(unknown)[:10])}",
            [
                {
                    "column": name,
                    "row": row,
                    "code": "unknown_column",
                    "message": f"属性「{name}」无法识别",
                    "message_en": f"Unknown property {name!r}",
                }
                for name, row in unknown.items()
            ],
        )
    return ledger


def read_ledger(kind: str, filename: str | None, data: bytes) -> Ledger:
    """The rows of an uploaded ledger, whichever of the two formats it is."""
    if not data:
        raise LedgerFileError("empty_file", "上传的文件为空", "The uploaded file is empty")
    if detect_format(filename, data) == "xlsx":
        return read_xlsx(kind, data)
    return read_geojson(kind, data)
