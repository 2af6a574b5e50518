"""Movements of stock (入库、出库、调拨、调用、归还、报废): every one a ledger row and an
audit entry in the same transaction.

The balance never goes negative, also under concurrent requests: a taking locks the item's
batches in the warehouse (``SELECT … FOR UPDATE`` on PostgreSQL, ordered by id so takers
queue rather than deadlock), plans first-expiring-first-out, and subtracts with a
conditional ``UPDATE … WHERE quantity_milli >= n``; if that finds no row, the whole taking
fails (409) and the transaction is rolled back. A CHECK constraint on the batch table is the
last line. Functions flush but do not commit; the caller commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import conflict, invalid, not_found
from yingji.resources import rules
from yingji.resources.models import (
    StockBatch,
    StockMovement,
    SupplyItem,
    Warehouse,
)
from yingji.resources.quantities import shortage, to_milli
from yingji.resources.supplies.items import (
    get_item,
)
from yingji.resources.supplies.stock import (
    TAKE_KINDS,
)


@dataclass
class MovementContext:
    """What every movement of one operation shares: who, when, why, the group id."""

    actor: audit.Actor
    now: datetime
    reason: str = ""
    incident_ref: str | None = None
    request_id: int | None = None
    group_id: str = ""

    def __post_init__(self) -> None:
        if not self.group_id:
            self.group_id = uuid.uuid4().hex


def _record(
    db: Session,
    ctx: MovementContext,
    *,
    kind: str,
    batch: StockBatch,
    quantity_milli: int,
    balance_after_milli: int,
    counterpart_warehouse_id: int | None = None,
    allocation_id: int | None = None,
) -> StockMovement:
    movement = StockMovement(
        at=ctx.now,
        kind=kind,
        warehouse_id=batch.warehouse_id,
        batch_id=batch.id,
        item_code=batch.item_code,
        quantity_milli=quantity_milli,
        balance_after_milli=balance_after_milli,
        incident_ref=ctx.incident_ref,
        counterpart_warehouse_id=counterpart_warehouse_id,
        allocation_id=allocation_id,
        request_id=ctx.request_id,
        group_id=ctx.group_id,
        reason=ctx.reason,
        actor_type=ctx.actor.type,
        actor_id=ctx.actor.id,
        actor_name=ctx.actor.name,
    )
    db.add(movement)
    db.flush()
    audit.record(
        db,
        actor=ctx.actor,
        action=f"stock_{kind}",
        object_type="stock_movement",
        object_id=movement.id,
        after=audit.snapshot(movement),
        reason=ctx.reason or None,
    )
    return movement


def check_dates(production: date | None, expiry: date | None) -> None:
    if production is not None and expiry is not None and expiry < production:
        raise invalid(
            "expiry_date",
            "有效期不能早于生产日期",
            "Expiry date cannot be before the production date",
            code="expiry_before_production",
        )


def _add_to_batch(db: Session, batch: StockBatch, quantity_milli: int) -> int:
    """Add to a batch atomically; the new balance."""
    db.execute(
        update(StockBatch)
        .where(StockBatch.id == batch.id)
        .values(quantity_milli=StockBatch.quantity_milli + quantity_milli)
    )
    db.refresh(batch, ["quantity_milli"])
    return batch.quantity_milli


def receive(
    db: Session,
    ctx: MovementContext,
    *,
    warehouse: Warehouse,
    item: SupplyItem,
    quantity: Decimal | int | float | str,
    batch_no: str,
    production_date: date | None,
    expiry_date: date | None,
) -> StockMovement:
    """入库: stock arrives in a batch (a new one, or more of a batch already held with the
    same number and dates)."""
    check_dates(production_date, expiry_date)
    milli = to_milli(quantity, whole_units=item.whole_units, unit=item.unit)
    return _receive_milli(
        db, ctx, warehouse=warehouse, item=item, milli=milli, batch_no=batch_no,
        production_date=production_date, expiry_date=expiry_date, kind="in",
    )  # fmt: skip


def _batch_by_number(
    db: Session, warehouse_id: int, item_code: str, batch_no: str
) -> StockBatch | None:
    return db.scalar(
        select(StockBatch).where(
            StockBatch.warehouse_id == warehouse_id,
            StockBatch.item_code == item_code,
            StockBatch.batch_no == batch_no,
        )
    )


def _check_same_dates(
    batch: StockBatch | None, batch_no: str, production: date | None, expiry: date | None
) -> None:
    """More of a batch must carry the batch's own dates (one batch, one production run)."""
    if batch is not None and (batch.production_date != production or batch.expiry_date != expiry):
        raise conflict(
            "batch_dates_differ",
            f"批次 {batch_no} 已存在，但生产日期或有效期不同",
            f"Batch {batch_no} exists with other dates",
            field="batch_no",
        )


def _receive_milli(
    db: Session,
    ctx: MovementContext,
    *,
    warehouse: Warehouse,
    item: SupplyItem,
    milli: int,
    batch_no: str,
    production_date: date | None,
    expiry_date: date | None,
    kind: str,
    counterpart_warehouse_id: int | None = None,
) -> StockMovement:
    batch = _batch_by_number(db, warehouse.id, item.code, batch_no)
    if batch is not None:
        _check_same_dates(batch, batch_no, production_date, expiry_date)
    balance = None
    if batch is None:
        fresh = StockBatch(
            warehouse_id=warehouse.id,
            item_code=item.code,
            batch_no=batch_no,
            production_date=production_date,
            expiry_date=expiry_date,
            quantity_milli=milli,
            received_at=ctx.now,
        )
        try:
            with db.begin_nested():  # a parallel receipt may create the same batch first
                db.add(fresh)
                db.flush()
            batch, balance = fresh, milli
        except IntegrityError:
            batch = _batch_by_number(db, warehouse.id, item.code, batch_no)
            _check_same_dates(batch, batch_no, production_date, expiry_date)
    if balance is None:
        assert batch is not None
        balance = _add_to_batch(db, batch, milli)
    return _record(
        db, ctx, kind=kind, batch=batch, quantity_milli=milli, balance_after_milli=balance,  # type: ignore[arg-type]  # batch is set on every path that reaches here (asserted above)
        counterpart_warehouse_id=counterpart_warehouse_id,
    )  # fmt: skip


def _lock_batches(
    db: Session, warehouse_id: int, item_code: str, batch_id: int | None
) -> list[StockBatch]:
    stmt = (
        select(StockBatch)
        .where(
            StockBatch.warehouse_id == warehouse_id,
            StockBatch.item_code == item_code,
            StockBatch.quantity_milli > 0,
        )
        .order_by(StockBatch.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if batch_id is not None:
        stmt = stmt.where(StockBatch.id == batch_id)
    return list(db.scalars(stmt))


def _take_milli(
    db: Session,
    ctx: MovementContext,
    *,
    kind: str,
    warehouse: Warehouse,
    item: SupplyItem,
    milli: int,
    batch_id: int | None = None,
    counterpart_warehouse_id: int | None = None,
) -> list[tuple[StockBatch, StockMovement]]:
    if batch_id is not None:
        batch = db.get(StockBatch, batch_id)
        if batch is None or batch.warehouse_id != warehouse.id or batch.item_code != item.code:
            raise not_found("批次", "Batch", field="batch_id")
    batches = _lock_batches(db, warehouse.id, item.code, batch_id)
    views = [
        rules.BatchView(b.id, b.quantity_milli, b.expiry_date, b.production_date) for b in batches
    ]
    # Expired batches are not issued, lent or moved; a write-off takes any batch.
    usable_on = None if kind == "write_off" else rules.local_date(ctx.now)
    plan = rules.plan_take(views, milli, usable_on=usable_on)
    if plan is None:
        available = sum(v.quantity_milli for v in views if rules.usable(v, usable_on))
        raise shortage("quantity", available, milli, item.unit)
    by_id = {b.id: b for b in batches}
    taken: list[tuple[StockBatch, StockMovement]] = []
    for bid, take in plan:
        done = db.execute(
            update(StockBatch)
            .where(and_(StockBatch.id == bid, StockBatch.quantity_milli >= take))
            .values(quantity_milli=StockBatch.quantity_milli - take)
        ).rowcount  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult, which has rowcount
        if done != 1:  # taken meanwhile (SQLite takes no row locks): refuse, roll back
            raise shortage("quantity", 0, milli, item.unit)
        batch = by_id[bid]
        db.refresh(batch, ["quantity_milli"])
        movement = _record(
            db, ctx, kind=kind, batch=batch, quantity_milli=take,
            balance_after_milli=batch.quantity_milli,
            counterpart_warehouse_id=counterpart_warehouse_id,
        )  # fmt: skip
        taken.append((batch, movement))
    return taken


def take(
    db: Session,
    ctx: MovementContext,
    *,
    kind: str,
    warehouse: Warehouse,
    item: SupplyItem,
    quantity: Decimal | int | float | str,
    batch_id: int | None = None,
) -> list[StockMovement]:
    """出库 (out), 调拨给事件 (allocate, needs an incident reference) or 报废 (write_off):
    FEFO across the item's batches, or from one batch."""
    if kind not in TAKE_KINDS:
        raise invalid("kind", "不支持的出库类型", f"Unknown taking kind: {kind}")
    if kind == "allocate" and not ctx.incident_ref:
        raise invalid(
            "incident_ref", "调拨给事件须注明事件编号", "An allocation needs an incident reference"
        )
    if kind == "write_off" and not ctx.reason:
        raise invalid("reason", "报废须说明原因", "A write-off needs a reason")
    milli = to_milli(quantity, whole_units=item.whole_units, unit=item.unit)
    return [
        m
        for _, m in _take_milli(
            db, ctx, kind=kind, warehouse=warehouse, item=item, milli=milli, batch_id=batch_id
        )
    ]


def transfer(
    db: Session,
    ctx: MovementContext,
    *,
    source: Warehouse,
    destination: Warehouse,
    item: SupplyItem,
    quantity: Decimal | int | float | str | None = None,
    milli: int | None = None,
) -> list[StockMovement]:
    """调拨: batches leave ``source`` (transfer_out) and arrive whole at ``destination``
    (transfer_in, same batch numbers and dates), in one transaction."""
    if source.id == destination.id:
        raise invalid(
            "to_warehouse_id", "调出和调入仓库不能相同", "Source and destination are the same",
            code="same_warehouse",
        )  # fmt: skip
    if milli is None:
        milli = to_milli(
            quantity if quantity is not None else 0, whole_units=item.whole_units, unit=item.unit
        )
    # Lock the item's batches in both warehouses at once, in id order: two transfers in
    # opposite directions then queue instead of deadlocking.
    db.scalars(
        select(StockBatch.id)
        .where(
            StockBatch.warehouse_id.in_([source.id, destination.id]),
            StockBatch.item_code == item.code,
        )
        .order_by(StockBatch.id)
        .with_for_update()
    ).all()
    moved: list[StockMovement] = []
    for batch, out in _take_milli(
        db, ctx, kind="transfer_out", warehouse=source, item=item, milli=milli,
        counterpart_warehouse_id=destination.id,
    ):  # fmt: skip
        moved.append(out)
        moved.append(
            _receive_milli(
                db, ctx, warehouse=destination, item=item, milli=out.quantity_milli,
                batch_no=batch.batch_no, production_date=batch.production_date,
                expiry_date=batch.expiry_date, kind="transfer_in",
                counterpart_warehouse_id=source.id,
            )
        )  # fmt: skip
    return moved


def allocation_warehouse_id(db: Session, allocation_id: int) -> int | None:
    """The warehouse an allocation came from (None if there is no such allocation)."""
    return db.scalar(
        select(StockMovement.warehouse_id).where(
            StockMovement.id == allocation_id, StockMovement.kind == "allocate"
        )
    )


def give_back(
    db: Session,
    ctx: MovementContext,
    *,
    allocation_id: int,
    quantity: Decimal | int | float | str,
) -> StockMovement:
    """归还: what an incident did not use comes back to the batch it was allocated from; never
    more than was allocated less what has come back already."""
    allocation = db.get(StockMovement, allocation_id)
    if allocation is None or allocation.kind != "allocate":
        raise not_found("调拨记录", "Allocation", field="allocation_id")
    item = get_item(db, allocation.item_code)
    milli = to_milli(quantity, whole_units=item.whole_units, unit=item.unit)
    # Lock the allocation's batch so two returns of one allocation queue.
    batch = db.scalar(
        select(StockBatch)
        .where(StockBatch.id == allocation.batch_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert batch is not None  # a movement's batch is never deleted
    returned = db.scalar(
        select(func.coalesce(func.sum(StockMovement.quantity_milli), 0)).where(
            StockMovement.allocation_id == allocation.id, StockMovement.kind == "return"
        )
    )
    if milli > allocation.quantity_milli - int(returned or 0):
        raise invalid(
            "quantity",
            "归还数量超过调拨未归还的数量",
            "More than the allocation's unreturned quantity",
            code="return_exceeds_allocation",
        )
    ctx.incident_ref = ctx.incident_ref or allocation.incident_ref
    balance = _add_to_batch(db, batch, milli)
    return _record(
        db, ctx, kind="return", batch=batch, quantity_milli=milli, balance_after_milli=balance,
        allocation_id=allocation.id,
    )  # fmt: skip
