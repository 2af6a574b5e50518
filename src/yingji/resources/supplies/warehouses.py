"""Warehouses (物资仓库) and their owners, a department or a sub-district."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import conflict, invalid, not_found
from yingji.org import service as org
from yingji.resources import places
from yingji.resources.models import (
    Warehouse,
)


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
