"""What is held: stock totals, batches and the movements ledger, as queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.resources.models import (
    StockBatch,
    StockMovement,
)

TAKE_KINDS = ("out", "allocate", "write_off")


MOVEMENT_KINDS = ("in", "out", "transfer_out", "transfer_in", "allocate", "return", "write_off")


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


def batch_numbers(db: Session, batch_ids: list[int]) -> dict[int, str]:
    stmt = select(StockBatch.id, StockBatch.batch_no).where(StockBatch.id.in_(batch_ids))
    return {i: n for i, n in db.execute(stmt).all()}


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
