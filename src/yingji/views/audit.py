"""Reading the audit log (admins only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from yingji.audit import service
from yingji.auth.permissions import ADMIN
from yingji.auth.principal import Principal
from yingji.core.deps import get_db
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute

router = APIRouter(prefix="/api/v1", tags=["audit 审计"], route_class=TypedRoute)


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_type: str
    actor_id: str
    actor_name: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@router.get("/audit", response_model=Page[AuditRead])
def list_audit(
    object_type: str | None = Query(None, max_length=64),
    object_id: str | None = Query(None, max_length=128),
    actor_id: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=32),
    since: datetime | None = None,
    until: datetime | None = None,
    params: PageParams = Depends(page_params),
    _: Principal = Depends(ADMIN),
    db: Session = Depends(get_db),
) -> Page[AuditRead]:
    """Audit entries, newest first, filtered by object and actor."""
    stmt = service.query(
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
    )
    rows, total = paginate(db, stmt, params)
    return Page(
        items=[AuditRead.model_validate(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )
