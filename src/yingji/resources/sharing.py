"""Shared use (储备物资共享共用): one owner asks for another's stock, the owner approves or
refuses, and on approval the stock moves as a transfer in the same transaction.

An approval that finds too little stock fails as a whole (409) and the request stays pending.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.errors import conflict, invalid, not_found
from yingji.resources import supplies
from yingji.resources.models import ShareRequest, StockMovement, Warehouse
from yingji.resources.quantities import to_milli

STATUSES = ("pending", "approved", "refused", "cancelled")


def create_request(
    db: Session,
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    item_code: str,
    quantity: Decimal | int | float | str,
    reason: str,
    incident_ref: str | None,
    actor: audit.Actor,
    now: datetime,
) -> ShareRequest:
    """A pending request; refused at once when both warehouses have the same owner."""
    if (from_warehouse.owner_type, from_warehouse.owner_code) == (
        to_warehouse.owner_type,
        to_warehouse.owner_code,
    ):
        raise invalid(
            "from_warehouse_id",
            "不能向本单位的仓库申请共享物资，请直接调拨",
            "Cannot request stock from your own warehouse; transfer it instead",
            code="own_warehouse",
        )
    item = supplies.get_item(db, item_code)
    milli = to_milli(quantity, whole_units=item.whole_units, unit=item.unit)
    req = ShareRequest(
        status="pending",
        from_warehouse_id=from_warehouse.id,
        to_warehouse_id=to_warehouse.id,
        item_code=item.code,
        quantity_milli=milli,
        reason=reason,
        incident_ref=incident_ref,
        requested_by=actor.name or actor.id,
        requested_at=now,
    )
    db.add(req)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="share_request", object_id=req.id,
        after=audit.snapshot(req),
    )  # fmt: skip
    return req


def get_request(db: Session, request_id: int) -> ShareRequest:
    req = db.get(ShareRequest, request_id)
    if req is None:
        raise not_found("共享申请", "Share request", field="request_id")
    return req


def decide(
    db: Session,
    req: ShareRequest,
    *,
    approve: bool,
    note: str,
    actor: audit.Actor,
    now: datetime,
) -> tuple[ShareRequest, list[StockMovement]]:
    """Approve (and transfer) or refuse a pending request."""
    locked = _lock(db, req)
    if locked.status != "pending":
        raise conflict(
            "request_decided",
            f"该申请已处理（{locked.status}）",
            f"Request already {locked.status}",
            field="status",
        )
    before = audit.snapshot(locked)
    moved: list[StockMovement] = []
    if approve:
        ctx = supplies.MovementContext(
            actor=actor,
            now=now,
            reason=f"共享调用申请 #{locked.id}" + (f"：{locked.reason}" if locked.reason else ""),
            incident_ref=locked.incident_ref,
            request_id=locked.id,
        )
        moved = supplies.transfer(
            db,
            ctx,
            source=supplies.get_warehouse(db, locked.from_warehouse_id),
            destination=supplies.get_warehouse(db, locked.to_warehouse_id),
            item=supplies.get_item(db, locked.item_code),
            milli=locked.quantity_milli,
        )
    locked.status = "approved" if approve else "refused"
    locked.decided_by = actor.name or actor.id
    locked.decided_at = now
    locked.decision_note = note
    db.flush()
    audit.record(
        db, actor=actor, action="approve" if approve else "refuse", object_type="share_request",
        object_id=locked.id, before=before, after=audit.snapshot(locked), reason=note or None,
    )  # fmt: skip
    return locked, moved


def _lock(db: Session, req: ShareRequest) -> ShareRequest:
    """The request row locked for this transaction, re-read (a parallel decision waits)."""
    locked = db.scalar(
        select(ShareRequest)
        .where(ShareRequest.id == req.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None  # requests are never deleted
    return locked


def cancel(db: Session, req: ShareRequest, *, actor: audit.Actor, now: datetime) -> ShareRequest:
    """The requester withdraws a request that is still pending."""
    req = _lock(db, req)
    if req.status != "pending":
        raise conflict("request_decided", "该申请已处理", f"Request already {req.status}")
    before = audit.snapshot(req)
    req.status = "cancelled"
    req.decided_by = actor.name or actor.id
    req.decided_at = now
    db.flush()
    audit.record(
        db, actor=actor, action="cancel", object_type="share_request", object_id=req.id,
        before=before, after=audit.snapshot(req),
    )  # fmt: skip
    return req


def requests_stmt(
    *, status: str | None = None, warehouse_ids: list[int] | None = None
) -> Select[Any]:
    """Requests, newest first; ``warehouse_ids`` keeps those touching these warehouses."""
    stmt = select(ShareRequest).order_by(ShareRequest.id.desc())
    if status:
        stmt = stmt.where(ShareRequest.status == status)
    if warehouse_ids is not None:
        stmt = stmt.where(
            or_(
                ShareRequest.from_warehouse_id.in_(warehouse_ids),
                ShareRequest.to_warehouse_id.in_(warehouse_ids),
            )
        )
    return stmt


def count_pending(db: Session, *, warehouse_ids: list[int] | None = None) -> int:
    stmt = requests_stmt(status="pending", warehouse_ids=warehouse_ids).order_by(None)
    return int(db.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
