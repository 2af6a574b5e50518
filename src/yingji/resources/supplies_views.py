"""Supplies endpoints: catalogue, warehouses, stock, movements, thresholds, alerts, reserve
plan, share requests, Excel ledgers. Views parse, check the caller, call a service, shape."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.downloads import XLSX_MEDIA_TYPE, content_disposition
from yingji.core.errors import forbidden, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, content, errors
from yingji.core.validators import RowId, Text
from yingji.resources import access, ledgers, rules, sharing, supplies
from yingji.resources.catalogue import CATEGORIES, MAJOR_CLASSES
from yingji.resources.deps import serial_db
from yingji.resources.models import SupplyItem, Warehouse
from yingji.resources.quantities import from_milli
from yingji.resources.schemas import (
    AlertsRead,
    BatchRead,
    DecisionIn,
    DecisionRead,
    DistrictStockRead,
    ExpiringRead,
    GapCategory,
    GapLineRead,
    GapReport,
    ImportResult,
    ItemRead,
    ItemWrite,
    LowStockRead,
    MovementRead,
    ReceiveIn,
    ReturnIn,
    ShareRequestIn,
    ShareRequestRead,
    StockLine,
    SupplyCategories,
    TakeIn,
    TargetIn,
    TargetRead,
    ThresholdIn,
    TransferIn,
    WarehouseCreate,
    WarehouseRead,
    WarehouseUpdate,
)

router = APIRouter(
    prefix="/api/v1/resources/supplies", tags=["resources 应急物资"], route_class=TypedRoute
)
READ = allow(*access.READERS)
ADMIN = allow(Role.admin)
WRITERS = allow(Role.admin, Role.department_operator, Role.subdistrict_operator)
PLANNERS = allow(Role.admin, Role.department_operator)


def _item(i: SupplyItem) -> ItemRead:
    return ItemRead(
        code=i.code, name=i.name, name_en=i.name_en, unit=i.unit, whole_units=i.whole_units,
        major_class=i.major_class, major_class_name=MAJOR_CLASSES[i.major_class][0],
        category=i.category, category_name=CATEGORIES.get(i.category, (i.category, ""))[0],
        gb_code=i.gb_code, shelf_life_days=i.shelf_life_days,
        min_stock=from_milli(i.min_stock_milli), spec=i.spec,
    )  # fmt: skip


@router.get("/categories", response_model=SupplyCategories, response_model_exclude_unset=True)
def categories(_: Principal = Depends(READ)) -> dict[str, list[dict[str, object]]]:
    """Reserve categories (local) and the GB/T 38565-2020 major classes."""
    return {
        "categories": [
            {"code": c, "name": zh, "name_en": en} for c, (zh, en) in CATEGORIES.items()
        ],
        "major_classes": [
            {"code": c, "name": zh, "name_en": en} for c, (zh, en) in MAJOR_CLASSES.items()
        ],
    }


@router.get("/items", response_model=Page[ItemRead])
def list_items(
    category: Text | None = Query(None, max_length=32),
    q: Text | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[ItemRead]:
    """The supplies catalogue (应急物资目录)."""
    rows, total = paginate(db, supplies.items_stmt(category=category, q=q), params)
    return Page(
        items=[_item(i) for i in rows], total=total, limit=params.limit, offset=params.offset
    )


@router.put("/items/{code}", response_model=ItemRead, responses=errors(409))
def save_item(
    code: str, body: ItemWrite, principal: Principal = Depends(ADMIN), db: Session = Depends(get_db)
) -> ItemRead:
    """Create or change a catalogue entry (administrators)."""
    if body.code != code:
        raise invalid(
            "code", "路径与正文中的编码不一致", "Code in path and body differ", "code_mismatch"
        )
    item = supplies.save_item(db, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return _item(item)


# --- warehouses -----------------------------------------------------------------------------


def _warehouse(
    db: Session, w: Warehouse, principal: Principal, *, with_stock: bool, now: datetime
) -> WarehouseRead:
    out = WarehouseRead.model_validate(w)
    out.can_write = access.can_write(principal, w.owner_type, w.owner_code)
    if with_stock:
        out.stock = _stock_lines(db, [w.id], now).get(w.id, [])
    return out


def _stock_lines(db: Session, ids: list[int], now: datetime) -> dict[int, list[StockLine]]:
    held = supplies.stock_totals(db, warehouse_ids=ids)
    usable = supplies.stock_totals(db, warehouse_ids=ids, usable_on=rules.local_date(now))
    items = supplies.item_map(db)
    out: dict[int, list[StockLine]] = {}
    for (wid, code), q in sorted(held.items()):
        if q <= 0:
            continue
        item = items[code]
        out.setdefault(wid, []).append(
            StockLine(
                item_code=code, item_name=item.name, unit=item.unit, quantity=from_milli(q),
                usable_quantity=from_milli(usable.get((wid, code), 0)),
            )
        )  # fmt: skip
    return out


@router.get("/stock", response_model=Page[DistrictStockRead])
def district_stock(
    category: Text | None = Query(None, max_length=32),
    item: Text | None = Query(None, max_length=32),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[DistrictStockRead]:
    """The district's stock of each item: held, usable today, in how many warehouses."""
    rows = supplies.district_stock(
        db,
        today=rules.local_date(utcnow()),
        category=category,
        item_code=item.upper() if item else None,
    )
    chunk = rows[params.offset : params.offset + params.limit]
    return Page(
        items=[
            DistrictStockRead(
                item_code=r.item.code, item_name=r.item.name, unit=r.item.unit,
                category=r.item.category, quantity=from_milli(r.quantity_milli),
                usable_quantity=from_milli(r.usable_milli), warehouses=r.warehouses,
            )
            for r in chunk
        ],
        total=len(rows), limit=params.limit, offset=params.offset,
    )  # fmt: skip


@router.get("/warehouses", response_model=Page[WarehouseRead])
def list_warehouses(
    owner_type: Text | None = Query(None, pattern="^(department|subdistrict)$"),
    owner_code: Text | None = Query(None, max_length=32),
    subdistrict: Text | None = Query(None, max_length=32, description="所在街道"),
    q: Text | None = Query(None, max_length=64),
    with_stock: bool = Query(False, description="附带库存 / include stock totals"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[WarehouseRead]:
    """储备库: every reader sees all warehouses and their totals (to ask for shared use)."""
    stmt = supplies.warehouses_stmt(
        owner_type=owner_type, owner_code=owner_code, subdistrict_code=subdistrict, q=q
    )
    rows, total = paginate(db, stmt, params)
    now = utcnow()
    stock = _stock_lines(db, [w.id for w in rows], now) if with_stock else {}
    items = []
    for w in rows:
        out = _warehouse(db, w, principal, with_stock=False, now=now)
        if with_stock:
            out.stock = stock.get(w.id, [])
        items.append(out)
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post("/warehouses", response_model=WarehouseRead, status_code=201, responses=errors(409))
def create_warehouse(
    body: WarehouseCreate, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> WarehouseRead:
    access.require_write(principal, body.owner_type, body.owner_code)
    wh = supplies.create_warehouse(
        db, data=body.model_dump(), known_owners=supplies.known_owners(db), actor=principal.actor
    )
    db.commit()
    return _warehouse(db, wh, principal, with_stock=False, now=utcnow())


@router.get("/warehouses/{warehouse_id}", response_model=WarehouseRead, responses=errors(404))
def get_warehouse(
    warehouse_id: RowId, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> WarehouseRead:
    wh = supplies.get_warehouse(db, warehouse_id)
    return _warehouse(db, wh, principal, with_stock=True, now=utcnow())


@router.patch("/warehouses/{warehouse_id}", response_model=WarehouseRead, responses=errors(404))
def update_warehouse(
    warehouse_id: RowId,
    body: WarehouseUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> WarehouseRead:
    wh = supplies.get_warehouse(db, warehouse_id)
    access.require_write(principal, wh.owner_type, wh.owner_code)
    changes = body.model_dump(exclude_unset=True)
    wh = supplies.update_warehouse(db, wh, changes=changes, actor=principal.actor)
    db.commit()
    return _warehouse(db, wh, principal, with_stock=True, now=utcnow())


@router.get(
    "/warehouses/{warehouse_id}/batches", response_model=Page[BatchRead], responses=errors(404)
)
def list_batches(
    warehouse_id: RowId,
    item: Text | None = Query(None, max_length=32),
    with_empty: bool = Query(False, description="含已用完的批次"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[BatchRead]:
    """Stock by batch (the warehouse's ledger: owners and district-wide roles)."""
    wh = supplies.get_warehouse(db, warehouse_id)
    access.require_ledger(principal, wh.owner_type, wh.owner_code)
    stmt = supplies.batches_stmt(warehouse_id=wh.id, item_code=item, with_empty=with_empty)
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[BatchRead.of(b) for b in rows], total=total, limit=params.limit, offset=params.offset
    )


@router.get("/movements", response_model=Page[MovementRead], responses=errors(404))
def list_movements(
    warehouse_id: RowId | None = Query(None),
    item: Text | None = Query(None, max_length=32),
    kind: Text | None = Query(
        None, pattern="^(in|out|transfer_out|transfer_in|allocate|return|write_off)$"
    ),
    incident_ref: Text | None = Query(None, max_length=64),
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[MovementRead]:
    """出入库台账, newest first; scoped users see their own warehouses' movements only."""
    scope = access.ledger_scope(db, principal)
    if warehouse_id is not None:
        wh = supplies.get_warehouse(db, warehouse_id)
        access.require_ledger(principal, wh.owner_type, wh.owner_code)
        scope = [warehouse_id]
    stmt = supplies.movements_stmt(
        warehouse_ids=scope, item_code=item, kind=kind, incident_ref=incident_ref,
        since=since, until=until,
    )  # fmt: skip
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[MovementRead.of(m) for m in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


def _writable(
    db: Session, principal: Principal, warehouse_id: RowId, field: str = "warehouse_id"
) -> Warehouse:
    wh = supplies.get_warehouse(db, warehouse_id, field=field)
    access.require_write(principal, wh.owner_type, wh.owner_code)
    return wh


@router.post(
    "/warehouses/{warehouse_id}/receipts",
    response_model=MovementRead,
    status_code=201,
    responses=errors(404, 409),
)
def receive(
    warehouse_id: RowId,
    body: ReceiveIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(serial_db),
) -> MovementRead:
    """入库: stock arrives in a batch."""
    wh = _writable(db, principal, warehouse_id)
    ctx = supplies.MovementContext(actor=principal.actor, now=utcnow(), reason=body.reason)
    movement = supplies.receive(
        db, ctx, warehouse=wh, item=supplies.get_item(db, body.item_code), quantity=body.quantity,
        batch_no=body.batch_no, production_date=body.production_date,
        expiry_date=body.expiry_date,
    )  # fmt: skip
    db.commit()
    return MovementRead.of(movement)


@router.post(
    "/warehouses/{warehouse_id}/takings",
    response_model=list[MovementRead],
    status_code=201,
    responses=errors(404, 409),
)
def take(
    warehouse_id: RowId,
    body: TakeIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(serial_db),
) -> list[MovementRead]:
    """出库, 调拨给事件 (allocate, with ``incident_ref``) or 报废 (write_off, with a reason):
    first-expiring batches first unless ``batch_id`` names one."""
    wh = _writable(db, principal, warehouse_id)
    ctx = supplies.MovementContext(
        actor=principal.actor, now=utcnow(), reason=body.reason, incident_ref=body.incident_ref
    )
    moved = supplies.take(
        db, ctx, kind=body.kind, warehouse=wh, item=supplies.get_item(db, body.item_code),
        quantity=body.quantity, batch_id=body.batch_id,
    )  # fmt: skip
    db.commit()
    return [MovementRead.of(m) for m in moved]


@router.post(
    "/warehouses/{warehouse_id}/transfers",
    response_model=list[MovementRead],
    status_code=201,
    responses=errors(404, 409),
)
def transfer(
    warehouse_id: RowId,
    body: TransferIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(serial_db),
) -> list[MovementRead]:
    """调拨 between warehouses of one owner (another owner's stock goes through a request)."""
    source = _writable(db, principal, warehouse_id)
    destination = supplies.get_warehouse(db, body.to_warehouse_id, field="to_warehouse_id")
    if not access.can_write(principal, destination.owner_type, destination.owner_code):
        raise forbidden(
            "调入其他单位的仓库须经共享申请审批",
            "Moving stock to another owner needs a share request",
        )
    ctx = supplies.MovementContext(actor=principal.actor, now=utcnow(), reason=body.reason)
    moved = supplies.transfer(
        db, ctx, source=source, destination=destination,
        item=supplies.get_item(db, body.item_code), quantity=body.quantity,
    )  # fmt: skip
    db.commit()
    return [MovementRead.of(m) for m in moved]


@router.post("/returns", response_model=MovementRead, status_code=201, responses=errors(404))
def give_back(
    body: ReturnIn, principal: Principal = Depends(WRITERS), db: Session = Depends(serial_db)
) -> MovementRead:
    """归还: unused stock of an allocation comes back to its batch."""
    warehouse_id = supplies.allocation_warehouse_id(db, body.allocation_id)
    if warehouse_id is not None:
        _writable(db, principal, warehouse_id)
    ctx = supplies.MovementContext(actor=principal.actor, now=utcnow(), reason=body.reason)
    movement = supplies.give_back(db, ctx, allocation_id=body.allocation_id, quantity=body.quantity)
    db.commit()
    return MovementRead.of(movement)


@router.put("/warehouses/{warehouse_id}/thresholds", status_code=204, responses=errors(404))
def set_threshold(
    warehouse_id: RowId,
    body: ThresholdIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> Response:
    """The warehouse's low-stock line for an item."""
    wh = _writable(db, principal, warehouse_id)
    supplies.set_threshold(
        db, warehouse=wh, item=supplies.get_item(db, body.item_code),
        min_quantity=body.min_quantity, actor=principal.actor,
    )  # fmt: skip
    db.commit()
    return Response(status_code=204)


@router.get("/alerts", response_model=AlertsRead, responses=errors(404))
def alerts(
    within_days: int = Query(30, ge=0, le=3650, description="多少天内到期 / expiring within"),
    warehouse_id: RowId | None = Query(None),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> AlertsRead:
    """Low stock and coming expiry (scoped users: their own warehouses)."""
    scope = access.ledger_scope(db, principal)
    if warehouse_id is not None:
        wh = supplies.get_warehouse(db, warehouse_id)
        access.require_ledger(principal, wh.owner_type, wh.owner_code)
        scope = [warehouse_id]
    today = rules.local_date(utcnow())
    found = supplies.alerts(db, today=today, within_days=within_days, warehouse_ids=scope)
    names = supplies.warehouse_names(db)
    items = supplies.item_map(db)
    batch_nos = supplies.batch_numbers(db, [b.id for b, _, _ in found.expiring])
    return AlertsRead(
        as_of=today,
        within_days=within_days,
        low_stock=[
            LowStockRead(
                warehouse_id=lv.warehouse_id, warehouse_name=names[lv.warehouse_id],
                item_code=lv.item_code, item_name=items[lv.item_code].name,
                unit=items[lv.item_code].unit, quantity=from_milli(lv.quantity_milli),
                min_quantity=from_milli(lv.min_quantity_milli),
            )
            for lv in found.low_stock
        ],
        expiring=[
            ExpiringRead(
                warehouse_id=wid, warehouse_name=names[wid], batch_id=b.id,
                batch_no=batch_nos.get(b.id, ""), item_code=code, item_name=items[code].name,
                quantity=from_milli(b.quantity_milli), expiry_date=b.expiry_date,
                days_left=(b.expiry_date - today).days, expired=b.expiry_date < today,
            )
            for b, wid, code in found.expiring
            if b.expiry_date is not None
        ],
    )  # fmt: skip


# --- reserve plan ---------------------------------------------------------------------------


def _require_planner(principal: Principal) -> None:
    """The reserve plan is the emergency bureau's (区应急管理局) and the administrators'."""
    if not (principal.is_admin or access.owns(principal, "department", "DEPT-EM")):
        raise forbidden(
            "储备规划由区应急管理局维护", "The reserve plan is kept by the emergency bureau"
        )


@router.put("/reserve/targets", status_code=204, responses=errors(404))
def set_target(
    body: TargetIn, principal: Principal = Depends(PLANNERS), db: Session = Depends(get_db)
) -> Response:
    """A reserve target of the 2020–2030 plan for one item and year."""
    _require_planner(principal)
    supplies.set_target(
        db, year=body.year, item=supplies.get_item(db, body.item_code), quantity=body.quantity,
        actor=principal.actor,
    )  # fmt: skip
    db.commit()
    return Response(status_code=204)


@router.get("/reserve/targets", response_model=Page[TargetRead])
def list_targets(
    year: int | None = Query(None, ge=2020, le=2030),
    item: Text | None = Query(None, max_length=32),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[TargetRead]:
    """Reserve targets of the 2020–2030 plan, by year and item."""
    stmt = supplies.targets_stmt(year=year, item_code=item.upper() if item else None)
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[
            TargetRead(year=t.year, item_code=t.item_code, quantity=from_milli(t.quantity_milli))
            for t in rows
        ],
        total=total, limit=params.limit, offset=params.offset,
    )  # fmt: skip


@router.get("/reserve/gap", response_model=GapReport)
def gap_report(
    year: int = Query(..., ge=2020, le=2030),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> GapReport:
    """Targets of ``year`` against the district's usable stock today, by category."""
    today = rules.local_date(utcnow())
    by_category: dict[str, list[GapLineRead]] = {}
    for item, line in supplies.gap_report(db, year=year, today=today):
        by_category.setdefault(item.category, []).append(
            GapLineRead(
                item_code=item.code, item_name=item.name, unit=item.unit,
                target=from_milli(line.target_milli), stock=from_milli(line.stock_milli),
                gap=from_milli(line.gap_milli), coverage=round(line.coverage, 4),
            )
        )  # fmt: skip
    cats = [
        GapCategory(
            category=c, category_name=CATEGORIES.get(c, (c, ""))[0], lines=lines,
            items_short=sum(1 for li in lines if li.gap > 0),
        )
        for c, lines in by_category.items()
    ]  # fmt: skip
    return GapReport(
        year=year, as_of=today, categories=cats,
        items_targeted=sum(len(c.lines) for c in cats),
        items_short=sum(c.items_short for c in cats),
    )  # fmt: skip


# --- shared use -----------------------------------------------------------------------------


@router.post("/requests", response_model=ShareRequestRead, status_code=201, responses=errors(404))
def create_request(
    body: ShareRequestIn, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> ShareRequestRead:
    """共享调用申请: ask another owner's warehouse for stock, to one of your own."""
    destination = _writable(db, principal, body.to_warehouse_id, field="to_warehouse_id")
    source = supplies.get_warehouse(db, body.from_warehouse_id, field="from_warehouse_id")
    req = sharing.create_request(
        db, from_warehouse=source, to_warehouse=destination, item_code=body.item_code,
        quantity=body.quantity, reason=body.reason, incident_ref=body.incident_ref,
        actor=principal.actor, now=utcnow(),
    )  # fmt: skip
    db.commit()
    return ShareRequestRead.of(req)


@router.get("/requests", response_model=Page[ShareRequestRead])
def list_requests(
    status: Text | None = Query(None, pattern="^(pending|approved|refused|cancelled)$"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[ShareRequestRead]:
    """Requests, newest first; scoped users see those touching their warehouses."""
    stmt = sharing.requests_stmt(status=status, warehouse_ids=access.ledger_scope(db, principal))
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[ShareRequestRead.of(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post(
    "/requests/{request_id}/decision", response_model=DecisionRead, responses=errors(404, 409)
)
def decide(
    request_id: RowId,
    body: DecisionIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(serial_db),
) -> DecisionRead:
    """The source warehouse's owner approves (the stock moves) or refuses."""
    req = sharing.get_request(db, request_id)
    _writable(db, principal, req.from_warehouse_id, field="request_id")
    req, moved = sharing.decide(
        db, req, approve=body.approve, note=body.note, actor=principal.actor, now=utcnow()
    )
    db.commit()
    return DecisionRead(
        request=ShareRequestRead.of(req), movements=[MovementRead.of(m) for m in moved]
    )


@router.post(
    "/requests/{request_id}/cancel", response_model=ShareRequestRead, responses=errors(404, 409)
)
def cancel(
    request_id: RowId, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> ShareRequestRead:
    """The requester withdraws a pending request."""
    req = sharing.get_request(db, request_id)
    _writable(db, principal, req.to_warehouse_id, field="request_id")
    req = sharing.cancel(db, req, actor=principal.actor, now=utcnow())
    db.commit()
    return ShareRequestRead.of(req)


# --- Excel ledgers --------------------------------------------------------------------------


@router.get(
    "/ledger.xlsx",
    response_class=Response,
    responses={**content(XLSX_MEDIA_TYPE, "物资台账 Excel / the supplies ledger"), **errors(404)},
)
def export_ledger(
    warehouse_id: RowId | None = Query(None, description="空则导出可见的全部仓库"),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Response:
    """The stock (by batch) and movements of one warehouse, or of every one you may read."""
    if warehouse_id is not None:
        wh = supplies.get_warehouse(db, warehouse_id)
        access.require_ledger(principal, wh.owner_type, wh.owner_code)
        whs = [wh]
        name = f"物资台账-{wh.name}.xlsx"
    else:
        whs = supplies.warehouses_in(db, access.ledger_scope(db, principal))
        name = "物资台账.xlsx"
    data = ledgers.export_ledger(db, warehouses=whs)
    return Response(
        content=data,
        media_type=XLSX_MEDIA_TYPE,
        headers={"Content-Disposition": content_disposition(name, "supplies-ledger.xlsx")},
    )


@router.post("/ledger/import", response_model=ImportResult, status_code=201, responses=errors(409))
async def import_ledger(
    file: UploadFile = File(..., description="入库单 .xlsx（列同导出的库存台账）"),
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(serial_db),
) -> ImportResult:
    """Receive the rows of a workbook, all or nothing; every bad row is reported."""
    data = await file.read()
    rows, movements = ledgers.import_receipts(
        db,
        data=data,
        may_write=lambda w: access.can_write(principal, w.owner_type, w.owner_code),
        actor=principal.actor,
        now=utcnow(),
    )
    db.commit()
    return ImportResult(rows=rows, movements=movements)
