"""Thresholds and alerts (low stock, expiry), and the reserve plan 2020–2030
(《应急物资储备体系建设规划(2020-2030)》) with its gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import invalid
from yingji.resources import rules
from yingji.resources.models import (
    ReserveTarget,
    StockBatch,
    StockThreshold,
    SupplyItem,
    Warehouse,
)
from yingji.resources.quantities import to_milli
from yingji.resources.supplies.items import (
    items_stmt,
)
from yingji.resources.supplies.stock import (
    stock_totals,
)

PLAN_YEARS = range(2020, 2031)  # 《应急物资储备体系建设规划(2020-2030)》


def set_threshold(
    db: Session,
    *,
    warehouse: Warehouse,
    item: SupplyItem,
    min_quantity: Decimal | int | float | str,
    actor: audit.Actor,
) -> StockThreshold:
    milli = to_milli(
        min_quantity, whole_units=item.whole_units, field="min_quantity", allow_zero=True
    )
    row = db.scalar(
        select(StockThreshold).where(
            StockThreshold.warehouse_id == warehouse.id, StockThreshold.item_code == item.code
        )
    )
    before = audit.snapshot(row) if row else None
    if row is None:
        row = StockThreshold(
            warehouse_id=warehouse.id, item_code=item.code, min_quantity_milli=milli
        )
        db.add(row)
    else:
        row.min_quantity_milli = milli
    db.flush()
    audit.record(
        db, actor=actor, action="set", object_type="stock_threshold", object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


@dataclass(frozen=True)
class Alerts:
    low_stock: list[rules.StockLevel]
    expiring: list[tuple[rules.BatchView, int, str]]  # batch, warehouse id, item code


def alerts(
    db: Session, *, today: date, within_days: int, warehouse_ids: list[int] | None = None
) -> Alerts:
    """Low stock (below the warehouse's threshold for the item, else the catalogue's) for every
    item a warehouse holds or has a threshold for, and batches expiring within the window."""
    wh_stmt = select(Warehouse.id)
    if warehouse_ids is not None:
        wh_stmt = wh_stmt.where(Warehouse.id.in_(warehouse_ids))
    whs = list(db.scalars(wh_stmt))
    usable = stock_totals(db, warehouse_ids=whs, usable_on=today)
    overrides = {
        (t.warehouse_id, t.item_code): t.min_quantity_milli
        for t in db.scalars(select(StockThreshold).where(StockThreshold.warehouse_id.in_(whs)))
    }
    defaults = dict(db.execute(select(SupplyItem.code, SupplyItem.min_stock_milli)).all())
    held_items = {
        (w, i)
        for w, i in db.execute(
            select(StockBatch.warehouse_id, StockBatch.item_code)
            .where(StockBatch.warehouse_id.in_(whs))
            .distinct()
        ).all()
    }
    levels = [
        rules.StockLevel(w, i, usable.get((w, i), 0), overrides.get((w, i), defaults.get(i, 0)))
        for w, i in sorted(held_items | set(overrides))
    ]
    batch_rows = list(
        db.scalars(
            select(StockBatch).where(
                StockBatch.warehouse_id.in_(whs),
                StockBatch.quantity_milli > 0,
                StockBatch.expiry_date.is_not(None),
            )
        )
    )
    by_id = {b.id: b for b in batch_rows}
    soon = rules.expiring(
        [
            rules.BatchView(b.id, b.quantity_milli, b.expiry_date, b.production_date)
            for b in batch_rows
        ],
        today=today,
        within_days=within_days,
    )
    return Alerts(
        low_stock=rules.low_stock(levels),
        expiring=[(v, by_id[v.id].warehouse_id, by_id[v.id].item_code) for v in soon],
    )


def set_target(
    db: Session, *, year: int, item: SupplyItem, quantity: Decimal | int | float | str,
    actor: audit.Actor,
) -> ReserveTarget:  # fmt: skip
    if year not in PLAN_YEARS:
        raise invalid(
            "year",
            "规划年度应在 2020–2030 之间",
            "Plan years are 2020-2030",
            code="year_out_of_plan",
        )
    milli = to_milli(quantity, whole_units=item.whole_units, unit=item.unit, allow_zero=True)
    row = db.scalar(
        select(ReserveTarget).where(
            ReserveTarget.year == year, ReserveTarget.item_code == item.code
        )
    )
    before = audit.snapshot(row) if row else None
    if row is None:
        row = ReserveTarget(year=year, item_code=item.code, quantity_milli=milli)
        db.add(row)
    else:
        row.quantity_milli = milli
    db.flush()
    audit.record(
        db, actor=actor, action="set", object_type="reserve_target", object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def targets_stmt(*, year: int | None = None, item_code: str | None = None) -> Select[Any]:
    stmt = select(ReserveTarget).order_by(ReserveTarget.year, ReserveTarget.item_code)
    if year is not None:
        stmt = stmt.where(ReserveTarget.year == year)
    if item_code:
        stmt = stmt.where(ReserveTarget.item_code == item_code)
    return stmt


def gap_report(db: Session, *, year: int, today: date) -> list[tuple[SupplyItem, rules.GapLine]]:
    """Each item with a target for ``year`` against the district's usable stock today
    (expired batches excluded), ordered by category. Targets are per item because a category
    mixes units (条, 台, 千克); the report groups them by category."""
    targets = dict(
        db.execute(
            select(ReserveTarget.item_code, ReserveTarget.quantity_milli).where(
                ReserveTarget.year == year
            )
        ).all()
    )
    stock: dict[str, int] = {}
    for (_, code), q in stock_totals(db, usable_on=today).items():
        stock[code] = stock.get(code, 0) + q
    items = {i.code: i for i in db.scalars(select(SupplyItem).where(SupplyItem.code.in_(targets)))}
    lines = rules.reserve_gap(targets, stock)
    return sorted(
        ((items[line.item_code], line) for line in lines),
        key=lambda pair: (pair[0].category, pair[0].code),
    )


@dataclass(frozen=True)
class DistrictStock:
    item: SupplyItem
    quantity_milli: int
    usable_milli: int
    warehouses: int


def district_stock(
    db: Session, *, today: date, category: str | None = None, item_code: str | None = None
) -> list[DistrictStock]:
    """Each catalogue item's stock across the district: held, usable today (not expired), and
    in how many warehouses; items without stock are listed with zero."""
    held = stock_totals(db, item_code=item_code)
    usable = stock_totals(db, item_code=item_code, usable_on=today)
    out = []
    for item in db.scalars(items_stmt(category=category)):
        if item_code and item.code != item_code:
            continue
        mine = {w: q for (w, code), q in held.items() if code == item.code and q > 0}
        out.append(
            DistrictStock(
                item=item,
                quantity_milli=sum(mine.values()),
                usable_milli=sum(q for (_, code), q in usable.items() if code == item.code),
                warehouses=len(mine),
            )
        )
    return out
