"""Organisation endpoints: sub-districts, headquarters, departments, committee."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from yingji.auth.permissions import ORG_READ
from yingji.auth.principal import Principal
from yingji.core.deps import get_db
from yingji.core.errors import not_found
from yingji.core.pagination import Page
from yingji.core.responses import TypedRoute
from yingji.org import service
from yingji.org.schemas import (
    CommitteeRead,
    DepartmentRead,
    HeadquartersRead,
    SubdistrictRead,
)

router = APIRouter(prefix="/api/v1", tags=["org 组织"], route_class=TypedRoute)


@router.get("/subdistricts", response_model=Page[SubdistrictRead])
def list_subdistricts(
    kind: str | None = Query(None, pattern="^(subdistrict|park)$"),
    geometry: bool = Query(False, description="附带边界 / include the boundary"),
    principal: Principal = Depends(ORG_READ),
    db: Session = Depends(get_db),
) -> Page[SubdistrictRead]:
    """The 17 sub-districts and the parks, each with its local response force."""
    items = service.list_subdistricts(
        db, only_code=principal.territory(), kind=kind, with_geometry=geometry
    )
    return Page(items=items, total=len(items), limit=len(items), offset=0)


@router.get("/subdistricts/{code}", response_model=SubdistrictRead)
def get_subdistrict(
    code: str, principal: Principal = Depends(ORG_READ), db: Session = Depends(get_db)
) -> SubdistrictRead:
    principal.require_subdistrict(code)
    items = service.list_subdistricts(db, only_code=code, with_geometry=True)
    if not items:
        raise not_found("街道", "Sub-district", field="code")
    return items[0]


@router.get("/org/headquarters", response_model=list[HeadquartersRead])
def list_headquarters(
    _: Principal = Depends(ORG_READ), db: Session = Depends(get_db)
) -> list[HeadquartersRead]:
    """The nine headquarters with commander, office, lead and member departments."""
    return service.list_headquarters(db)


@router.get("/org/departments", response_model=list[DepartmentRead])
def list_departments(
    _: Principal = Depends(ORG_READ), db: Session = Depends(get_db)
) -> list[DepartmentRead]:
    return service.list_departments(db)


@router.get("/org/committee", response_model=CommitteeRead)
def get_committee(_: Principal = Depends(ORG_READ), db: Session = Depends(get_db)) -> CommitteeRead:
    committee = service.get_committee(db)
    if committee is None:
        raise not_found("应急委", "Committee")
    return committee
