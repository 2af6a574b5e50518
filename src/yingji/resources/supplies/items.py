"""The supplies catalogue (应急物资目录): items with their GB/T 38565 major class, seeded
with the default catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import conflict, invalid, not_found
from yingji.resources import places
from yingji.resources.catalogue import CATEGORIES, DEFAULT_CATALOGUE, MAJOR_CLASSES, check_gb_code
from yingji.resources.models import (
    StockBatch,
    SupplyItem,
)
from yingji.resources.quantities import to_milli


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


def item_map(db: Session) -> dict[str, SupplyItem]:
    return {i.code: i for i in db.scalars(select(SupplyItem))}
