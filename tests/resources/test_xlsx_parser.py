"""The receipts reader never fails on what a spreadsheet can hold: every cell either reads or
becomes a row error (property test); the header is checked first."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from yingji.core.errors import ApiError
from yingji.resources.xlsx import RECEIPT_COLUMNS, read_receipts, write_ledger

HEADER = [c.header for c in RECEIPT_COLUMNS if not c.read_only]

cells = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(date(1900, 1, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),
    st.booleans(),
)


def _book(header: list[Any], rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), max_size=6))
def test_any_cells_read_or_become_row_errors(rows: list[list[Any]]) -> None:
    safe = [[c if not isinstance(c, str) else c.replace("\x00", "") for c in r] for r in rows]
    try:
        data = _book(HEADER, safe)
    except Exception:  # openpyxl refuses some control characters itself
        return
    good, errors = read_receipts(data)
    assert all(e.row >= 2 and e.message and e.message_en for e in errors)
    assert {g.row for g in good}.isdisjoint({e.row for e in errors})
    for g in good:
        assert g.warehouse_code and g.item_code and g.batch_no


def test_round_trip_of_the_stock_sheet() -> None:
    rows = [
        {"warehouse_code": "WH-1", "item_code": "PUMP", "item_name": "抽水泵", "unit": "台",
         "batch_no": "B1", "production_date": date(2025, 1, 2), "expiry_date": None,
         "quantity": 4, "reason": ""},
    ]  # fmt: skip
    good, errors = read_receipts(write_ledger(rows, []))
    assert errors == []
    assert [
        (g.warehouse_code, g.item_code, g.batch_no, g.production_date, g.quantity) for g in good
    ] == [("WH-1", "PUMP", "B1", date(2025, 1, 2), 4)]


@pytest.mark.parametrize(
    "header",
    [
        ["仓库编码", "物资编码", "批次号"],  # 数量 missing
        [*HEADER, "颜色"],  # unknown column
        [*HEADER, "数量"],  # duplicated
        [],  # empty
    ],
)
def test_bad_headers_refuse_the_file(header: list[str]) -> None:
    with pytest.raises(ApiError) as err:
        read_receipts(_book(header, [["WH-1", "PUMP", "B1", None, None, 1, ""]]))
    assert err.value.status == 422
