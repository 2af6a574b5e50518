"""Excel stock ledgers: export, all-or-nothing import with row-level errors."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests.resources.conftest import SUPPLIES, stock_of
from yingji.core.downloads import XLSX_MEDIA_TYPE

HEADER = ["仓库编码", "物资编码", "批次号", "生产日期", "有效期至", "数量", "备注"]


def _book(header: list[str], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _upload(client: TestClient, headers: dict[str, str], data: bytes) -> Any:
    return client.post(
        f"{SUPPLIES}/ledger/import",
        files={"file": ("入库单.xlsx", data, XLSX_MEDIA_TYPE)},
        headers=headers,
    )


def test_import_receives_every_row_and_export_reads_them_back(
    client, admin_headers, new_warehouse
) -> None:
    wh = new_warehouse()
    data = _book(
        HEADER,
        [
            [wh["code"], "SANDBAG", "X-1", "2025-01-01", "2029-12-31", 500, "采购入库"],
            [wh["code"], "ammoniaNeut", "X-2", None, None, "12.5", ""],
        ],
    )
    resp = _upload(client, admin_headers, data)
    assert resp.status_code == 201, resp.text
    assert resp.json() == {"rows": 2, "movements": 2}
    assert stock_of(client, admin_headers, wh["id"], "SANDBAG") == 500
    assert stock_of(client, admin_headers, wh["id"], "AMMONIANEUT") == 12.5

    out = client.get(
        f"{SUPPLIES}/ledger.xlsx", params={"warehouse_id": wh["id"]}, headers=admin_headers
    )
    assert out.status_code == 200
    assert out.headers["content-type"] == XLSX_MEDIA_TYPE
    book = load_workbook(io.BytesIO(out.content))
    stock = list(book["库存台账"].iter_rows(values_only=True))
    assert stock[0][:2] == ("仓库编码", "物资编码")
    assert {(r[1], r[7]) for r in stock[1:]} == {("SANDBAG", 500), ("AMMONIANEUT", 12.5)}
    moves = list(book["出入库明细"].iter_rows(values_only=True))
    assert len(moves) == 3 and {m[1] for m in moves[1:]} == {"入库"}

    # The exported stock sheet imports elsewhere as receipts (same columns).
    other = new_warehouse()
    ws = book["库存台账"]
    for row in ws.iter_rows(min_row=2):
        row[0].value = other["code"]
    buf = io.BytesIO()
    del book["出入库明细"]
    book.save(buf)
    again = _upload(client, admin_headers, buf.getvalue())
    assert again.status_code == 201, again.text
    assert stock_of(client, admin_headers, other["id"], "SANDBAG") == 500


def test_a_wrong_column_refuses_the_whole_file(
    client, admin_headers, new_warehouse, written
) -> None:
    wh = new_warehouse()
    before = written()
    data = _book(["仓库编码", "物资编码", "批号", "数量"], [[wh["code"], "PUMP", "P1", 1]])
    resp = _upload(client, admin_headers, data)
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "bad_columns"
    assert "批号" in body["message"] and "批次号" in body["message"]
    assert written() == before


def test_one_bad_row_and_nothing_is_written_every_bad_row_reported(
    client, admin_headers, new_warehouse, written
) -> None:
    wh = new_warehouse()
    before = written()
    data = _book(
        HEADER,
        [
            [wh["code"], "PUMP", "P1", None, None, 2, ""],  # good
            [wh["code"], "PUMP", "P2", None, None, 1.5, ""],  # fraction of a whole unit
            [wh["code"], "NOSUCH", "P3", None, None, 1, ""],  # unknown item
            ["WH-NOPE", "PUMP", "P4", None, None, 1, ""],  # unknown warehouse
            [wh["code"], "MASK", "P5", "2025-05-01", "2025-01-01", 10, ""],  # expiry < production
            [wh["code"], "MASK", "P6", "not a date", None, -3, ""],  # bad date
            [wh["code"], "MASK", "", None, None, None, ""],  # required cells empty
        ],
    )
    resp = _upload(client, admin_headers, data)
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["code"] == "import_rejected"
    rows = {(e["row"], e["field"]) for e in body["errors"]}
    assert {
        (3, "quantity"),
        (4, "item_code"),
        (5, "warehouse_code"),
        (6, "expiry_date"),
        (7, "production_date"),
        (8, "batch_no"),
        (8, "quantity"),
    } <= rows
    assert not any(e["row"] == 2 for e in body["errors"])
    assert written() == before


def test_import_into_another_owners_warehouse_is_a_row_error(
    client, token_for, new_warehouse, written
) -> None:
    wh = new_warehouse("department", "DEPT-FIRE")
    water_op = token_for("department_operator", "DEPT-WATER")
    before = written()
    data = _book(HEADER, [[wh["code"], "PUMP", "P1", None, None, 2, ""]])
    resp = _upload(client, water_op, data)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["field"] == "warehouse_code"
    assert written() == before


def test_a_file_that_is_not_a_workbook_is_refused(client, admin_headers) -> None:
    resp = _upload(client, admin_headers, b"PK\x03\x04 not really a zip")
    assert resp.status_code == 422
    assert resp.json()["code"] == "bad_workbook"
