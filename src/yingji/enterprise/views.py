"""Enterprise ledger API under ``/api/v1/enterprises`` (code = 统一社会信用代码)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.core.deps import get_db
from yingji.core.errors import invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors
from yingji.core.validators import RowId, Text
from yingji.enterprise import access, service, vocab
from yingji.enterprise.models import Enterprise, EnterpriseLicence, EnterpriseUnit
from yingji.enterprise.schemas import (
    EnterpriseCreate,
    EnterpriseDetail,
    EnterprisePatch,
    EnterpriseRead,
    LicenceIn,
    LicencePatch,
    LicenceRead,
    UnitIn,
    UnitPatch,
    UnitRead,
    enterprise_read,
)
from yingji.scheduling import clock

router = APIRouter(prefix="/api/v1/enterprises", tags=["enterprise 企业"], route_class=TypedRoute)
READ = allow(*access.READERS, integrations=True)
WRITE = allow(*access.READERS)
Code = Annotated[str, Path(min_length=1, max_length=32, description="统一社会信用代码")]
Reason = Annotated[str, Query(min_length=1, max_length=500, description="原因 / why")]


def _read(db: Session, row: Enterprise) -> EnterpriseRead:
    counts = service.licence_counts(db, [row.code], today=clock.local_date())
    expiring, expired = counts.get(row.code, (0, 0))
    return EnterpriseRead.model_validate(enterprise_read(row, expiring=expiring, expired=expired))


def _licence(row: EnterpriseLicence) -> LicenceRead:
    return LicenceRead(
        id=row.id, enterprise_code=row.enterprise_code, kind=row.kind,
        kind_label=vocab.label(vocab.LICENCE_KINDS, row.kind), number=row.number,
        issuer=row.issuer, issued_on=row.issued_on, expires_on=row.expires_on, scope=row.scope,
        status=service.licence_status(row.expires_on, clock.local_date()),
    )  # fmt: skip


def _unit(row: EnterpriseUnit) -> UnitRead:
    return UnitRead(
        id=row.id, enterprise_code=row.enterprise_code, code=row.code, name=row.name,
        kind=row.kind, kind_label=vocab.label(vocab.UNIT_KINDS, row.kind), lon=row.lon,
        lat=row.lat, notes=row.notes,
    )  # fmt: skip


def _visible(db: Session, principal: Principal, code: str) -> Enterprise:
    row = service.get_row(db, code)
    access.require_read(principal, row.code, row.subdistrict_code)
    return row


def _parse_filter(value: str | None, parse: object, field: str) -> str | None:
    if value is None:
        return None
    try:
        return parse(value)  # type: ignore[operator]  # one of vocab's parse_* functions
    except ValueError as exc:
        raise invalid(field, getattr(exc, "zh", str(exc)), str(exc)) from exc


@router.get("", response_model=Page[EnterpriseRead])
def list_enterprises(
    subdistrict: Text | None = Query(None, max_length=32, description="街道代码"),
    kind: Text | None = Query(None, max_length=64, description="企业类型"),
    industry: Text | None = Query(None, max_length=5, description="行业代码前缀 (GB/T 4754)"),
    colour: Text | None = Query(
        None, pattern="^(red|orange|yellow|blue|none)$", description="风险颜色；none=未评估"
    ),
    grade: Text | None = Query(None, max_length=16, description="标准化等级 1/2/3/none"),
    major_hazard: bool | None = Query(None, description="是否构成重大危险源"),
    licence_expiring_days: int | None = Query(None, ge=0, le=3650, description="证照 N 天内到期"),
    q: Text | None = Query(None, max_length=64, description="名称、代码或地址"),
    active: bool | None = Query(True, description="在册（默认）；不传则全部"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[EnterpriseRead]:
    """The ledger, reddest first: scoped to the caller's enterprise or sub-district."""
    filters = service.Filters(
        subdistrict_code=subdistrict, kind=_parse_filter(kind, vocab.parse_kind, "kind"),
        industry_prefix=industry, risk_colour=colour,
        standardisation_grade=_parse_filter(grade, vocab.parse_grade, "grade"),
        has_major_hazard=major_hazard, licence_expiring_days=licence_expiring_days, q=q,
        active=active,
    )  # fmt: skip
    today = clock.local_date()
    stmt = service.list_stmt(
        filters, enterprise=principal.enterprise_scope(), territory=principal.territory(),
        today=today,
    )  # fmt: skip
    rows, total = paginate(db, stmt, params)
    counts = service.licence_counts(db, [r.code for r in rows], today=today)
    items = []
    for r in rows:
        expiring, expired = counts.get(r.code, (0, 0))
        items.append(
            EnterpriseRead.model_validate(enterprise_read(r, expiring=expiring, expired=expired))
        )
    return Page(items=items, total=total, limit=params.limit, offset=params.offset)


@router.post("", response_model=EnterpriseRead, status_code=201, responses=errors(409))
def create_enterprise(
    body: EnterpriseCreate, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> EnterpriseRead:
    """Register an enterprise (the bureau): credit code checked by GB 32100, place located."""
    access.require_bureau(principal)
    row = service.create(db, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return _read(db, row)


@router.get("/{code}", response_model=EnterpriseDetail, responses=errors(404))
def get_enterprise(
    code: Code, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> EnterpriseDetail:
    row = _visible(db, principal, code)
    return EnterpriseDetail(
        **_read(db, row).model_dump(),
        licences=[_licence(x) for x in service.licences(db, row.code)],
        units=[_unit(u) for u in service.units(db, row.code)],
    )


@router.patch("/{code}", response_model=EnterpriseRead, responses=errors(404, 409))
def update_enterprise(
    code: Code,
    body: EnterprisePatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> EnterpriseRead:
    """Change the ledger entry: the bureau anything; the enterprise its people and contacts."""
    row = service.get_row(db, code)
    changes = body.model_dump(exclude_unset=True)
    if body.contacts is not None:  # whole contacts, defaults included
        changes["contacts"] = [c.model_dump() for c in body.contacts]
    access.require_edit(principal, row.code, row.subdistrict_code, set(changes))
    row = service.update(db, row, changes=changes, actor=principal.actor)
    db.commit()
    return _read(db, row)


@router.get("/{code}/licences", response_model=list[LicenceRead], responses=errors(404))
def list_licences(
    code: Code, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> list[LicenceRead]:
    """Licences, soonest expiry first, each ``valid``, ``expiring`` (30 days) or ``expired``."""
    row = _visible(db, principal, code)
    return [_licence(x) for x in service.licences(db, row.code)]


@router.post(
    "/{code}/licences", response_model=LicenceRead, status_code=201, responses=errors(404, 409)
)
def add_licence(
    code: Code,
    body: LicenceIn,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> LicenceRead:
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    licence = service.add_licence(db, row.code, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return _licence(licence)


@router.patch(
    "/{code}/licences/{licence_id}", response_model=LicenceRead, responses=errors(404, 409)
)
def update_licence(
    code: Code,
    licence_id: RowId,
    body: LicencePatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> LicenceRead:
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    licence = service.get_licence(db, row.code, licence_id)
    licence = service.update_licence(
        db, licence, changes=body.model_dump(exclude_unset=True), actor=principal.actor
    )
    db.commit()
    return _licence(licence)


@router.delete(
    "/{code}/licences/{licence_id}", status_code=204, response_class=Response,
    responses=errors(404),
)  # fmt: skip
def delete_licence(
    code: Code,
    licence_id: RowId,
    reason: Reason,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> Response:
    """Remove a licence recorded in error (the audit log keeps it, with the reason)."""
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    service.delete_licence(
        db, service.get_licence(db, row.code, licence_id), actor=principal.actor, reason=reason
    )
    db.commit()
    return Response(status_code=204)


@router.get("/{code}/units", response_model=list[UnitRead], responses=errors(404))
def list_units(
    code: Code, principal: Principal = Depends(READ), db: Session = Depends(get_db)
) -> list[UnitRead]:
    """Production and storage units (生产单元 / 储存单元, GB 18218-2018 §3.2–3.3)."""
    row = _visible(db, principal, code)
    return [_unit(u) for u in service.units(db, row.code)]


@router.post("/{code}/units", response_model=UnitRead, status_code=201, responses=errors(404, 409))
def add_unit(
    code: Code, body: UnitIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> UnitRead:
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    unit = service.add_unit(db, row.code, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return _unit(unit)


@router.patch("/{code}/units/{unit_id}", response_model=UnitRead, responses=errors(404))
def update_unit(
    code: Code,
    unit_id: RowId,
    body: UnitPatch,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> UnitRead:
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    unit = service.update_unit(
        db, service.get_unit(db, row.code, unit_id), changes=body.model_dump(exclude_unset=True),
        actor=principal.actor,
    )  # fmt: skip
    db.commit()
    return _unit(unit)


@router.delete(
    "/{code}/units/{unit_id}", status_code=204, response_class=Response, responses=errors(404)
)
def delete_unit(
    code: Code,
    unit_id: RowId,
    reason: Reason,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> Response:
    """Remove a unit recorded in error (the audit log keeps it, with the reason)."""
    row = _visible(db, principal, code)
    access.require_keep(principal, row.code)
    service.delete_unit(
        db, service.get_unit(db, row.code, unit_id), actor=principal.actor, reason=reason
    )
    db.commit()
    return Response(status_code=204)
