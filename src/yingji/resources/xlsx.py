"""Stock ledgers as Excel workbooks (.xlsx): export, and import of receipts (入库单).

Pure: bytes in, rows out, and the reverse; no database. The stock sheet and the import use
the same columns, so an exported stock ledger imports elsewhere as receipts. An upload is
untrusted: the archive's declared sizes are checked before openpyxl opens it (openpyxl reads
XML through defusedxml when it is installed), rows are streamed and capped.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from yingji.core.errors import ApiError, invalid

MAX_ROWS = 20_000
MAX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024
SHEET_STOCK = "库存台账"
SHEET_MOVEMENTS = "出入库明细"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    read_only: bool = False  # exported for reading; accepted and ignored on import
    width: int = 14


RECEIPT_COLUMNS: tuple[Column, ...] = (
    Column("仓库编码", "warehouse_code", required=True),
    Column("物资编码", "item_code", required=True),
    Column("物资名称", "item_name", read_only=True, width=18),
    Column("单位", "unit", read_only=True, width=8),
    Column("批次号", "batch_no", required=True, width=18),
    Column("生产日期", "production_date", width=12),
    Column("有效期至", "expiry_date", width=12),
    Column("数量", "quantity", required=True, width=10),
    Column("备注", "reason", width=24),
)

MOVEMENT_HEADERS = (
    "时间", "类型", "仓库编码", "物资编码", "物资名称", "批次号", "数量", "单位", "结存",
    "事件编号", "对方仓库", "经办人", "说明",
)  # fmt: skip
KIND_ZH = {
    "in": "入库", "out": "出库", "transfer_out": "调出", "transfer_in": "调入",
    "allocate": "调拨事件", "return": "归还", "write_off": "报废",
}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    message: str
    message_en: str


@dataclass(frozen=True)
class ReceiptRow:
    row: int
    warehouse_code: str
    item_code: str
    batch_no: str
    production_date: date | None
    expiry_date: date | None
    quantity: Decimal
    reason: str


def _bad_file(zh: str, en: str, code: str = "bad_workbook") -> ApiError:
    return invalid("file", zh, en, code)


def _open(data: bytes) -> Any:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNCOMPRESSED_BYTES:
                raise _bad_file("文件解压后过大", "Workbook too large when uncompressed")
    except zipfile.BadZipFile:
        raise _bad_file("不是有效的 Excel（.xlsx）文件", "Not an .xlsx workbook") from None
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise _bad_file("无法读取该 Excel 文件", "The workbook cannot be read") from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))


def read_receipts(data: bytes) -> tuple[list[ReceiptRow], list[RowError]]:
    """Rows of the first sheet under the receipt columns, and each bad cell as a row error.

    The header must be exactly the receipt columns (in any order; the read-only ones may be
    left out): an unknown or missing column refuses the whole file (422 ``bad_columns``).
    """
    book = _open(data)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise _bad_file("工作表为空", "The sheet is empty", "empty_workbook")
        by_header = {c.header: c for c in RECEIPT_COLUMNS}
        names = [_text(h) for h in header]
        while names and names[-1] == "":
            names.pop()
        unknown = [n or f"第{i + 1}列（空表头）" for i, n in enumerate(names) if n not in by_header]
        missing = [c.header for c in RECEIPT_COLUMNS if c.required and c.header not in names]
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        if unknown or missing or dupes:
            parts_zh, parts_en = [], []
            if unknown:
                parts_zh.append(f"无法识别的列：{'、'.join(unknown)}")
                parts_en.append(f"unknown columns: {', '.join(unknown)}")
            if missing:
                parts_zh.append(f"缺少的列：{'、'.join(missing)}")
                parts_en.append(f"missing columns: {', '.join(missing)}")
            if dupes:
                parts_zh.append(f"重复的列：{'、'.join(dupes)}")
                parts_en.append(f"duplicated columns: {', '.join(dupes)}")
            raise invalid(
                "file",
                "表头不正确：" + "；".join(parts_zh) + f"。应为：{'、'.join(by_header)}",
                "Wrong header: " + "; ".join(parts_en),
                "bad_columns",
            )
        position = {n: i for i, n in enumerate(names)}
        out: list[ReceiptRow] = []
        errors: list[RowError] = []
        for number, values in enumerate(rows, start=2):
            if number - 1 > MAX_ROWS:
                raise _bad_file(
                    f"行数超过上限 {MAX_ROWS}", f"More than {MAX_ROWS} rows", "too_many_rows"
                )
            cells = {
                c.field: (
                    values[position[c.header]]
                    if position.get(c.header, 99_999) < len(values)
                    else None
                )
                for c in RECEIPT_COLUMNS
                if c.header in position
            }
            if all(v is None or _text(v) == "" for v in cells.values()):
                continue
            row, row_errors = _receipt(number, cells)
            errors.extend(row_errors)
            if row is not None:
                out.append(row)
        return out, errors
    finally:
        book.close()


def _receipt(number: int, cells: dict[str, Any]) -> tuple[ReceiptRow | None, list[RowError]]:
    errors: list[RowError] = []
    for c in RECEIPT_COLUMNS:
        if c.required and _text(cells.get(c.field)) == "":
            errors.append(
                RowError(number, c.field, f"“{c.header}”不能为空", f"{c.field} is required")
            )
    dates: dict[str, date | None] = {}
    for name, header in (("production_date", "生产日期"), ("expiry_date", "有效期至")):
        try:
            dates[name] = _date(cells.get(name))
        except (ValueError, TypeError):
            dates[name] = None
            errors.append(
                RowError(
                    number,
                    name,
                    f"“{header}”不是有效日期（如 2024-05-01）",
                    f"{name} is not a date",
                )
            )
    quantity = Decimal(0)
    raw = cells.get("quantity")
    if _text(raw) != "":
        try:
            quantity = Decimal(_text(raw))
            if not quantity.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(
                RowError(number, "quantity", "“数量”应为数字", "quantity is not a number")
            )
    if errors:
        return None, errors
    return (
        ReceiptRow(
            row=number,
            warehouse_code=_text(cells["warehouse_code"]),
            item_code=_text(cells["item_code"]).upper(),
            batch_no=_text(cells["batch_no"]),
            production_date=dates["production_date"],
            expiry_date=dates["expiry_date"],
            quantity=quantity,
            reason=_text(cells.get("reason")),
        ),
        [],
    )


def write_ledger(stock_rows: list[dict[str, Any]], movement_rows: list[list[Any]]) -> bytes:
    """A workbook with the stock sheet (receipt columns) and the movements sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_STOCK
    sheet.append([c.header for c in RECEIPT_COLUMNS])
    for row in stock_rows:
        sheet.append([row.get(c.field) for c in RECEIPT_COLUMNS])
    _style(sheet, [c.width for c in RECEIPT_COLUMNS])
    moves = book.create_sheet(SHEET_MOVEMENTS)
    moves.append(list(MOVEMENT_HEADERS))
    for values in movement_rows:
        moves.append(values)
    _style(moves, [20, 8, 12, 14, 16, 18, 10, 8, 10, 16, 12, 12, 24])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style(sheet: Any, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
