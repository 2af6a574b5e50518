"""Supplies (应急物资): catalogue, warehouses, batches, the movements ledger, thresholds,
reserve targets and alerts.

The balance never goes negative, also under concurrent requests: a taking locks the item's
batches in the warehouse (``SELECT … FOR UPDATE`` on PostgreSQL, ordered by id so takers
queue rather than deadlock), plans first-expiring-first-out, and subtracts with a
conditional ``UPDATE … WHERE quantity_milli >= n``; if that finds no row, the whole taking
fails (409) and the transaction is rolled back. A CHECK constraint on the batch table is the
last line. Every movement is one ledger row and one audit entry in the same transaction.
Functions flush but do not commit; the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import conflict, invalid, not_found
from yingji.org import service as org
from yingji.resources import places, rules
from yingji.resources.catalogue import CATEGORIES, DEFAULT_CATALOGUE, MAJOR_CLASSES, check_gb_code
from yingji.resources.models import (
    ReserveTarget,
    StockBatch,
    StockMovement,
    StockThreshold,
    SupplyItem,
    Warehouse,
)
from yingji.resources.quantities import shortage, to_milli

TAKE_KINDS = ("out", "allocate", "write_off")
MOVEMENT_KINDS = ("in", "out", "transfer_out", "transfer_in", "allocate", "return", "write_off")
PLAN_YEARS = range(2020, 2031)  # 《应急物资储备体系建设规划(2020-2030)》


# --- catalogue ------------------------------------------------------------------------------


def seed_catalogue(db: Session) -> int:
    """Insert the default catalogue entries that are missing; the number added."""
    have = set(db.scalars(select(SupplyItem.code)))
    added = 0
    for e in DEFAULT_CATALOGUE:
        if e.code in have:
            continue
        db.add(
            SupplyItem(
                code=e.code,
                name=e.name,
                name_en=e.name_en,
                unit=e.unit,
                whole_units=e.whole_units,
                major_class=e.major_class,
                category=e.category,
                shelf_life_days=e.shelf_life_days,
                min_stock_milli=e.min_stock * 1000,
                spec=e.spec,
            )
        )
        added += 1
    db.flush()
    if added:
        places.bump(db, "catalogue")
    return added


def items_stmt(*, category: str | None = None, q: str | None = None) -> Select[Any]:
    stmt = select(SupplyItem).order_by(SupplyItem.category, SupplyItem.code)
    if category:
        stmt = stmt.where(SupplyItem.category == category)
    if q:
        stmt = stmt.where(SupplyItem.name.contains(q) | SupplyItem.code.contains(q.upper()))
    return stmt


def get_item(db: Session, code: str, *, field: str = "item_code") -> SupplyItem:
    item = db.get(SupplyItem, code)
    if item is None:
        raise not_found("物资", "Supply item", field=field)
    return item


def save_item(db: Session, *, data: dict[str, Any], actor: audit.Actor) -> SupplyItem:
    """Create or update a catalogue entry (``data`` as validated by the schema)."""
    if data["major_class"] not in MAJOR_CLASSES:
        raise invalid("major_class", "大类应为 1、2 或 3", "Major class must be 1, 2 or 3")
    if data["category"] not in CATEGORIES:
        raise invalid("category", "未知的物资类别", "Unknown category", code="unknown_category")
    if data.get("gb_code"):
        try:
            check_gb_code(data["gb_code"])
        except ValueError as exc:
            raise invalid("gb_code", getattr(exc, "zh", str(exc)), str(exc)) from None
    min_milli = to_milli(
        data.pop("min_stock", 0),
        whole_units=data["whole_units"],
        field="min_stock",
        allow_zero=True,
    )
    item = db.get(SupplyItem, data["code"])
    before = audit.snapshot(item) if item is not None else None
    if item is None:
        item = SupplyItem(**data, min_stock_milli=min_milli)
        db.add(item)
    else:
        if item.whole_units != data["whole_units"] and _held(db, item.code):
            raise conflict(
                "unit_in_use",
                "已有库存的物资不能改变计量方式",
                "Cannot change whole/fractional units of an item in stock",
                field="whole_units",
            )
        for key, value in data.items():
            setattr(item, key, value)
        item.min_stock_milli = min_milli
    db.flush()
    places.bump(db, "catalogue")
    audit.record(
        db,
        actor=actor,
        action="update" if before else "create",
        object_type="supply_item",
        object_id=item.code,
        before=before,
        after=audit.snapshot(item),
    )
    return item


def _held(db: Session, item_code: str) -> bool:
    return (
        db.scalar(
            select(StockBatch.id)
            .where(StockBatch.item_code == item_code, StockBatch.quantity_milli > 0)
            .limit(1)
        )
        is not None
    )


# --- warehouses -----------------------------------------------------------------------------


def warehouses_stmt(
    *,
    owner_type: str | None = None,
    owner_code: str | None = None,
    subdistrict_code: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    stmt = select(Warehouse).order_by(Warehouse.code)
    if owner_type:
        stmt = stmt.where(Warehouse.owner_type == owner_type)
    if owner_code:
        stmt = stmt.where(Warehouse.owner_code == owner_code)
    if subdistrict_code:
        stmt = stmt.where(Warehouse.subdistrict_code == subdistrict_code)
    if q:
        stmt = stmt.where(Warehouse.name.contains(q))
    return stmt


def owned_warehouse_ids(db: Session, owner_type: str, owner_code: str) -> list[int]:
    return list(
        db.scalars(
            select(Warehouse.id).where(
                Warehouse.owner_type == owner_type, Warehouse.owner_code == owner_code
            )
        )
    )


def warehouses_in(db: Session, ids: list[int] | None) -> list[Warehouse]:
    """Warehouses by code, all of them or those with these ids."""
    stmt = select(Warehouse).order_by(Warehouse.code)
    if ids is not None:
        stmt = stmt.where(Warehouse.id.in_(ids))
    return list(db.scalars(stmt))


def warehouse_names(db: Session) -> dict[int, str]:
    return {i: n for i, n in db.execute(select(Warehouse.id, Warehouse.name)).all()}


def item_map(db: Session) -> dict[str, SupplyItem]:
    return {i.code: i for i in db.scalars(select(SupplyItem))}


def batch_numbers(db: Session, batch_ids: list[int]) -> dict[int, str]:
    stmt = select(StockBatch.id, StockBatch.batch_no).where(StockBatch.id.in_(batch_ids))
    return {i: n for i, n in db.execute(stmt).all()}


def get_warehouse(db: Session, warehouse_id: int, *, field: str = "warehouse_id") -> Warehouse:
    wh = db.get(Warehouse, warehouse_id)
    if wh is None:
        raise not_found("仓库", "Warehouse", field=field)
    return wh


def warehouse_by_code(db: Session, code: str) -> Warehouse | None:
    return db.scalar(select(Warehouse).where(Warehouse.code == code))


def known_owners(db: Session) -> dict[str, set[str]]:
    """Department and sub-district codes, from the organisation's service."""
    codes = org.scope_codes(db)
    return {"department": codes["department"], "subdistrict": codes["subdistrict"]}


def check_owner(db: Session, owner_type: str, owner_code: str, known: dict[str, set[str]]) -> None:
    if owner_code not in known.get(owner_type, set()):
        raise invalid(
            "owner_code",
            f"未知的{'部门' if owner_type == 'department' else '街道'}代码：{owner_code}",
            f"Unknown {owner_type} code: {owner_code}",
            code="unknown_owner",
        )


def create_warehouse(
    db: Session, *, data: dict[str, Any], known_owners: dict[str, set[str]], actor: audit.Actor
) -> Warehouse:
    check_owner(db, data["owner_type"], data["owner_code"], known_owners)
    if warehouse_by_code(db, data["code"]) is not None:
        raise conflict(
            "code_taken", f"仓库编码已存在：{data['code']}", "Warehouse code taken", "code"
        )
    lon, lat, sub = places.place(db, lon=data.pop("lon"), lat=data.pop("lat"), crs=data.pop("crs"))
    wh = Warehouse(**data, lon=lon, lat=lat, subdistrict_code=sub)
    db.add(wh)
    db.flush()
    places.bump(db, "warehouses")
    audit.record(
        db, actor=actor, action="create", object_type="warehouse", object_id=wh.id,
        after=audit.snapshot(wh),
    )  # fmt: skip
    return wh


def update_warehouse(
    db: Session, wh: Warehouse, *, changes: dict[str, Any], actor: audit.Actor
) -> Warehouse:
    before = audit.snapshot(wh)
    if "lon" in changes or "lat" in changes:
        lon, lat, sub = places.place(
            db,
            lon=changes.pop("lon", wh.lon),
            lat=changes.pop("lat", wh.lat),
            crs=changes.pop("crs", "wgs84"),
        )
        wh.lon, wh.lat, wh.subdistrict_code = lon, lat, sub
    changes.pop("crs", None)
    for key, value in changes.items():
        setattr(wh, key, value)
    db.flush()
    places.bump(db, "warehouses")
    audit.record(
        db, actor=actor, action="update", object_type="warehouse", object_id=wh.id,
        before=before, after=audit.snapshot(wh),
    )  # fmt: skip
    return wh


# --- stock ----------------------------------------------------------------------------------


def stock_totals(
    db: Session,
    *,
    warehouse_ids: Iterable[int] | None = None,
    item_code: str | None = None,
    usable_on: date | None = None,
) -> dict[tuple[int, str], int]:
    """(warehouse id, item code) → thousandths held; with ``usable_on``, expired batches
    (expiry before that day) do not count."""
    stmt = select(
        StockBatch.warehouse_id, StockBatch.item_code, func.sum(StockBatch.quantity_milli)
    ).group_by(StockBatch.warehouse_id, StockBatch.item_code)
    if warehouse_ids is not None:
        stmt = stmt.where(StockBatch.warehouse_id.in_(list(warehouse_ids)))
    if item_code is not None:
        stmt = stmt.where(StockBatch.item_code == item_code)
    if usable_on is not None:
        stmt = stmt.where(
            (StockBatch.expiry_date.is_(None)) | (StockBatch.expiry_date >= usable_on)
        )
    return {(w, i): int(q or 0) for w, i, q in db.execute(stmt).all()}


def batches_stmt(
    *, warehouse_id: int | None = None, item_code: str | None = None, with_empty: bool = False
) -> Select[Any]:
    stmt = select(StockBatch).order_by(StockBatch.item_code, StockBatch.expiry_date, StockBatch.id)
    if warehouse_id is not None:
        stmt = stmt.where(StockBatch.warehouse_id == warehouse_id)
    if item_code:
        stmt = stmt.where(StockBatch.item_code == item_code)
    if not with_empty:
        stmt = stmt.where(StockBatch.quantity_milli > 0)
    return stmt


def movements_stmt(
    *,
    warehouse_ids: list[int] | None = None,
    item_code: str | None = None,
    kind: str | None = None,
    incident_ref: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Any]:
    stmt = select(StockMovement).order_by(StockMovement.id.desc())
    if warehouse_ids is not None:
        stmt = stmt.where(StockMovement.warehouse_id.in_(warehouse_ids))
    if item_code:
        stmt = stmt.where(StockMovement.item_code == item_code)
    if kind:
        stmt = stmt.where(StockMovement.kind == kind)
    if incident_ref:
        stmt = stmt.where(StockMovement.incident_ref == incident_ref)
    if since:
        stmt = stmt.where(StockMovement.at >= since)
    if until:
        stmt = stmt.where(StockMovement.at < until)
    return stmt


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
        db, ctx, kind=kind, batch=batch, quantity_milli=milli, balance_after_milli=balance,
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
        ).rowcount
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


# --- thresholds, alerts, reserve plan -------------------------------------------------------


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
