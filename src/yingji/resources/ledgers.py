"""Stock ledgers in and out of Excel: all-or-nothing receipt import, and export.

An import checks every row (file format, then warehouse, write permission, item, quantity
and dates) and reports every bad row; one bad row and nothing is written. The rows are then
received in one transaction, each an "in" movement with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import ApiError, invalid
from yingji.resources import rules, supplies, xlsx
from yingji.resources.models import StockBatch, SupplyItem, Warehouse
from yingji.resources.quantities import from_milli, to_milli


def _rejected(errors: list[xlsx.RowError]) -> ApiError:
    first = errors[0]
    return ApiError(
        422,
        "import_rejected",
        f"导入失败：{len(errors)} 处错误，未写入任何数据（第 {first.row} 行：{first.message}）",
        f"Import rejected: {len(errors)} errors, nothing written "
        f"(row {first.row}: {first.message_en})",
        field="file",
        errors=[
            {"row": e.row, "field": e.field, "message": e.message, "message_en": e.message_en}
            for e in errors
        ],
    )


def import_receipts(
    db: Session,
    *,
    data: bytes,
    may_write: Callable[[Warehouse], bool],
    actor: audit.Actor,
    now: datetime,
) -> tuple[int, int]:
    """(rows, movements) received from a workbook; 422 with every row error otherwise."""
    rows, errors = xlsx.read_receipts(data)
    if not rows and not errors:
        raise invalid("file", "没有可导入的行", "No rows to import", "empty_workbook")
    warehouses = {
        w.code: w
        for w in db.scalars(
            select(Warehouse).where(Warehouse.code.in_({r.warehouse_code for r in rows}))
        )
    }
    items = {
        i.code: i
        for i in db.scalars(
            select(SupplyItem).where(SupplyItem.code.in_({r.item_code for r in rows}))
        )
    }
    for r in rows:
        wh = warehouses.get(r.warehouse_code)
        item = items.get(r.item_code)
        if wh is None:
            errors.append(
                xlsx.RowError(
                    r.row,
                    "warehouse_code",
                    f"仓库编码不存在：{r.warehouse_code}",
                    "Unknown warehouse",
                )
            )
        elif not may_write(wh):
            errors.append(
                xlsx.RowError(
                    r.row, "warehouse_code", "无权向该仓库入库", "Not allowed for this warehouse"
                )
            )
        if item is None:
            errors.append(
                xlsx.RowError(r.row, "item_code", f"物资编码不存在：{r.item_code}", "Unknown item")
            )
        else:
            try:
                to_milli(r.quantity, whole_units=item.whole_units, unit=item.unit)
            except ApiError as exc:
                errors.append(xlsx.RowError(r.row, "quantity", exc.message, exc.message_en))
        if r.production_date and r.expiry_date and r.expiry_date < r.production_date:
            errors.append(
                xlsx.RowError(
                    r.row, "expiry_date", "有效期不能早于生产日期", "Expiry before production"
                )
            )
    if errors:
        raise _rejected(sorted(errors, key=lambda e: e.row))
    ctx = supplies.MovementContext(actor=actor, now=now, reason="Excel 导入入库")
    for r in rows:
        try:
            supplies.receive(
                db,
                supplies.MovementContext(
                    actor=actor, now=now, reason=r.reason or ctx.reason, group_id=ctx.group_id
                ),
                warehouse=warehouses[r.warehouse_code],
                item=items[r.item_code],
                quantity=r.quantity,
                batch_no=r.batch_no,
                production_date=r.production_date,
                expiry_date=r.expiry_date,
            )
        except ApiError as exc:  # e.g. a batch number already held with other dates
            errors.append(xlsx.RowError(r.row, exc.field, exc.message, exc.message_en))
    if errors:
        raise _rejected(errors)
    return len(rows), len(rows)


def export_ledger(
    db: Session, *, warehouses: list[Warehouse], movements_limit: int = 50_000
) -> bytes:
    """The stock (batches with stock) and the movements of these warehouses as a workbook."""
    ids = [w.id for w in warehouses]
    codes = {w.id: w.code for w in warehouses}
    items = {i.code: i for i in db.scalars(select(SupplyItem))}
    stock_rows: list[dict[str, Any]] = []
    for b in db.scalars(
        select(StockBatch)
        .where(StockBatch.warehouse_id.in_(ids), StockBatch.quantity_milli > 0)
        .order_by(StockBatch.warehouse_id, StockBatch.item_code, StockBatch.expiry_date)
    ):
        item = items[b.item_code]
        stock_rows.append(
            {
                "warehouse_code": codes[b.warehouse_id],
                "item_code": b.item_code,
                "item_name": item.name,
                "unit": item.unit,
                "batch_no": b.batch_no,
                "production_date": b.production_date,
                "expiry_date": b.expiry_date,
                "quantity": from_milli(b.quantity_milli),
                "reason": "",
            }
        )
    all_codes = dict(db.execute(select(Warehouse.id, Warehouse.code)).all())
    batch_nos = dict(
        db.execute(
            select(StockBatch.id, StockBatch.batch_no).where(StockBatch.warehouse_id.in_(ids))
        ).all()
    )
    movement_rows: list[list[Any]] = []
    for m in db.scalars(supplies.movements_stmt(warehouse_ids=ids).limit(movements_limit)):
        item = items[m.item_code]
        movement_rows.append(
            [
                m.at.astimezone(rules.CHINA_TZ).replace(tzinfo=None),
                xlsx.KIND_ZH.get(m.kind, m.kind),
                codes[m.warehouse_id],
                m.item_code,
                item.name,
                batch_nos.get(m.batch_id, ""),
                from_milli(m.quantity_milli),
                item.unit,
                from_milli(m.balance_after_milli),
                m.incident_ref or "",
                all_codes.get(m.counterpart_warehouse_id or -1, ""),
                m.actor_name,
                m.reason,
            ]
        )
    return xlsx.write_ledger(stock_rows, movement_rows)
