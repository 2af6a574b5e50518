"""Patrol API under ``/api/v1/patrol``: the people on the grid and the stewards of points.

Sub-district roles (subdistrict_operator, grid_worker) see and change only their own
sub-district (Principal.territory()); a grid worker reads, staff write.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.deps import get_db
from yingji.core.responses import TypedRoute, errors
from yingji.patrol import service
from yingji.patrol.schemas import GridMemberIn, GridMemberRead, StewardIn, StewardRead

router = APIRouter(prefix="/api/v1/patrol", tags=["patrol 网格巡查"], route_class=TypedRoute)

Code = Annotated[str, Path(min_length=1, max_length=32)]
READ = allow(
    Role.admin, Role.committee, Role.hq_commander, Role.duty_officer,
    Role.subdistrict_operator, Role.grid_worker, Role.viewer,
)  # fmt: skip
WRITE = allow(Role.admin, Role.subdistrict_operator)


@router.get("/members", response_model=list[GridMemberRead], responses=errors(403))
def list_members(
    db: Session = Depends(get_db), principal: Principal = Depends(READ)
) -> list[GridMemberRead]:
    """网格员、基层巡查员、灾害信息员 of the caller's territory."""
    rows = service.list_members(db, territory=principal.territory())
    return [GridMemberRead.model_validate(r) for r in rows]


@router.post(
    "/members", response_model=GridMemberRead, status_code=201, responses=errors(403, 404, 409, 422)
)
def create_member(
    body: GridMemberIn, db: Session = Depends(get_db), principal: Principal = Depends(WRITE)
) -> GridMemberRead:
    member = service.create_member(
        db, body=body, actor=principal.actor, territory=principal.territory()
    )
    out = GridMemberRead.model_validate(member)
    db.commit()
    return out


@router.get("/members/{code}", response_model=GridMemberRead, responses=errors(403, 404))
def get_member(
    code: Code, db: Session = Depends(get_db), principal: Principal = Depends(READ)
) -> GridMemberRead:
    member = service.get_member(db, code=code, territory=principal.territory())
    return GridMemberRead.model_validate(member)


@router.get("/points/{code}/stewards", response_model=list[StewardRead], responses=errors(403, 404))
def list_stewards(
    code: Code, db: Session = Depends(get_db), principal: Principal = Depends(READ)
) -> list[StewardRead]:
    """楼长 / shop owners sharing responsibility for a point."""
    rows = service.list_stewards(db, point_code=code, territory=principal.territory())
    return [StewardRead.model_validate(r) for r in rows]


@router.post(
    "/points/{code}/stewards",
    response_model=StewardRead,
    status_code=201,
    responses=errors(403, 404, 409, 422),
)
def add_steward(
    code: Code,
    body: StewardIn,
    db: Session = Depends(get_db),
    principal: Principal = Depends(WRITE),
) -> StewardRead:
    steward = service.add_steward(
        db, point_code=code, body=body, actor=principal.actor, territory=principal.territory()
    )
    out = StewardRead.model_validate(steward)
    db.commit()
    return out
