"""The enterprise ledger: lists, reads and audited changes of enterprises, licences, units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor
from yingji.core.errors import conflict, invalid, not_found
from yingji.enterprise.models import Enterprise, EnterpriseLicence, EnterpriseUnit
from yingji.enterprise.vocab import COLOUR_RANK
from yingji.geo.transform import Crs
from yingji.grid import service as grid

EXPIRING_DAYS = 30


@dataclass(frozen=True)
class Filters:
    subdistrict_code: str | None = None
    kind: str | None = None
    industry_prefix: str | None = None
    risk_colour: str | None = None
    standardisation_grade: str | None = None
    has_major_hazard: bool | None = None
    licence_expiring_days: int | None = None
    q: str | None = None
    active: bool | None = True


def list_stmt(
    filters: Filters, *, enterprise: str | None, territory: str | None, today: date
) -> Select[Any]:
    """Enterprises matching ``filters`` within the caller's enterprise or sub-district."""
    stmt = select(Enterprise)
    if enterprise is not None:
        stmt = stmt.where(Enterprise.code == enterprise)
    if territory is not None:
        stmt = stmt.where(Enterprise.subdistrict_code == territory)
    f = filters
    if f.subdistrict_code:
        stmt = stmt.where(Enterprise.subdistrict_code == f.subdistrict_code)
    if f.kind:
        stmt = stmt.where(Enterprise.kind == f.kind)
    if f.industry_prefix:
        stmt = stmt.where(Enterprise.industry_code.startswith(f.industry_prefix.upper()))
    if f.risk_colour == "none":
        stmt = stmt.where(Enterprise.risk_colour.is_(None))
    elif f.risk_colour:
        stmt = stmt.where(Enterprise.risk_colour == f.risk_colour)
    if f.standardisation_grade:
        stmt = stmt.where(Enterprise.standardisation_grade == f.standardisation_grade)
    if f.has_major_hazard is not None:
        stmt = stmt.where(Enterprise.has_major_hazard.is_(f.has_major_hazard))
    if f.active is not None:
        stmt = stmt.where(Enterprise.active.is_(f.active))
    if f.licence_expiring_days is not None:
        until = today + timedelta(days=f.licence_expiring_days)
        stmt = stmt.where(
            Enterprise.code.in_(
                select(EnterpriseLicence.enterprise_code).where(
                    EnterpriseLicence.expires_on <= until
                )
            )
        )
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(
            or_(
                Enterprise.name.like(like),
                Enterprise.code.like(like),
                Enterprise.address.like(like),
            )
        )
    rank = case(*((Enterprise.risk_colour == c, r) for c, r in COLOUR_RANK.items()), else_=0)
    return stmt.order_by(rank.desc(), Enterprise.name, Enterprise.code)


def licence_counts(
    db: Session, codes: Iterable[str], *, today: date, days: int = EXPIRING_DAYS
) -> dict[str, tuple[int, int]]:
    """(expiring within ``days``, expired) licences per enterprise code."""
    code_list = list(codes)
    if not code_list:
        return {}
    until = today + timedelta(days=days)
    rows = db.execute(
        select(
            EnterpriseLicence.enterprise_code,
            func.sum(
                case(
                    (EnterpriseLicence.expires_on < today, 0),
                    (EnterpriseLicence.expires_on <= until, 1),
                    else_=0,
                )
            ),
            func.sum(case((EnterpriseLicence.expires_on < today, 1), else_=0)),
        )
        .where(EnterpriseLicence.enterprise_code.in_(code_list))
        .group_by(EnterpriseLicence.enterprise_code)
    ).all()
    return {code: (int(expiring or 0), int(expired or 0)) for code, expiring, expired in rows}


def licence_status(expires_on: date, today: date, days: int = EXPIRING_DAYS) -> str:
    """``expired`` before today, ``expiring`` within ``days`` (inclusive), else ``valid``."""
    if expires_on < today:
        return "expired"
    if expires_on <= today + timedelta(days=days):
        return "expiring"
    return "valid"


def get_row(db: Session, code: str) -> Enterprise:
    row = db.get(Enterprise, code.strip().upper())
    if row is None:
        raise not_found(f"企业 {code[:20]}", f"enterprise {code[:20]!r}", field="code")
    return row


def _place(
    db: Session, *, lon: float, lat: float, crs: Crs | str, grid_point_code: str | None
) -> tuple[float, float, str, str | None]:
    """WGS-84 position, sub-district and grid point of a location given in any system.

    Outside the district the grid's own 422 answers (``outside_district``...). A grid point
    named must exist and lie in the same sub-district.
    """
    located = grid.locate(db, lon=lon, lat=lat, crs=crs)
    sub = located.subdistrict.code
    if grid_point_code:
        point = grid.get_item(db, kind="points", code=grid_point_code)
        if point is None:
            raise invalid(
                "grid_point_code",
                f"网格点位 {grid_point_code} 不存在",
                f"No grid point {grid_point_code}",
                code="unknown_grid_point",
            )
        if point.subdistrict_code != sub:
            raise invalid(
                "grid_point_code",
                f"网格点位 {grid_point_code} 不在企业所在街道",
                f"Grid point {grid_point_code} is not in the enterprise's sub-district",
                code="grid_point_elsewhere",
            )
    return located.wgs84.lon, located.wgs84.lat, sub, grid_point_code or None


def _unique(db: Session, *, code: str | None, name: str | None, own: str | None = None) -> None:
    if code is not None and db.get(Enterprise, code) is not None:
        raise conflict(
            "enterprise_exists", f"统一社会信用代码 {code} 已登记", f"Enterprise {code} exists",
            field="code",
        )  # fmt: skip
    if name is not None:
        other = db.scalar(select(Enterprise.code).where(Enterprise.name == name))
        if other is not None and other != own:
            raise conflict(
                "enterprise_name_taken", f"企业名称「{name}」已被 {other} 使用",
                f"The name is already used by {other}", field="name",
            )  # fmt: skip


def create(db: Session, *, data: dict[str, Any], actor: Actor) -> Enterprise:
    data = dict(data)
    _unique(db, code=data["code"], name=data["name"])
    lon, lat, sub, point = _place(
        db, lon=data.pop("lon"), lat=data.pop("lat"), crs=data.pop("crs", Crs.wgs84),
        grid_point_code=data.pop("grid_point_code", None),
    )  # fmt: skip
    row = Enterprise(**data, lon=lon, lat=lat, subdistrict_code=sub, grid_point_code=point)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="enterprise", object_id=row.code,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def update(db: Session, row: Enterprise, *, changes: dict[str, Any], actor: Actor) -> Enterprise:
    changes = dict(changes)
    before = audit.snapshot(row)
    if "name" in changes:
        _unique(db, code=None, name=changes["name"], own=row.code)
    crs = changes.pop("crs", None) or Crs.wgs84
    if {"lon", "lat", "grid_point_code"} & changes.keys():
        lon, lat, sub, point = _place(
            db, lon=changes.pop("lon", row.lon), lat=changes.pop("lat", row.lat), crs=crs,
            grid_point_code=changes.pop("grid_point_code", row.grid_point_code),
        )  # fmt: skip
        row.lon, row.lat, row.subdistrict_code, row.grid_point_code = lon, lat, sub, point
    for key, value in changes.items():
        setattr(row, key, value)
    db.flush()
    after = audit.snapshot(row)
    if after != before:
        audit.record(
            db, actor=actor, action="update", object_type="enterprise", object_id=row.code,
            before=before, after=after,
        )  # fmt: skip
    return row


# --- licences and units -----------------------------------------------------------------------


def licences(db: Session, code: str) -> list[EnterpriseLicence]:
    return list(
        db.scalars(
            select(EnterpriseLicence)
            .where(EnterpriseLicence.enterprise_code == code)
            .order_by(EnterpriseLicence.expires_on, EnterpriseLicence.id)
        )
    )


def units(db: Session, code: str) -> list[EnterpriseUnit]:
    return list(
        db.scalars(
            select(EnterpriseUnit)
            .where(EnterpriseUnit.enterprise_code == code)
            .order_by(EnterpriseUnit.code)
        )
    )


def _check_dates(issued_on: date | None, expires_on: date) -> None:
    if issued_on is not None and expires_on <= issued_on:
        raise invalid(
            "expires_on", "有效期至应晚于发证日期", "The expiry must be after the issue date"
        )


def _licence_unique(db: Session, code: str, kind: str, number: str, own: int | None) -> None:
    other = db.scalar(
        select(EnterpriseLicence.id).where(
            EnterpriseLicence.enterprise_code == code,
            EnterpriseLicence.kind == kind,
            EnterpriseLicence.number == number,
        )
    )
    if other is not None and other != own:
        raise conflict(
            "licence_exists", f"证照 {number} 已登记", f"Licence {number} is already recorded",
            field="number",
        )  # fmt: skip


def add_licence(db: Session, code: str, *, data: dict[str, Any], actor: Actor) -> EnterpriseLicence:
    _check_dates(data.get("issued_on"), data["expires_on"])
    _licence_unique(db, code, data["kind"], data["number"], None)
    row = EnterpriseLicence(enterprise_code=code, **data)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="enterprise_licence", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def get_licence(db: Session, code: str, licence_id: int) -> EnterpriseLicence:
    row = db.get(EnterpriseLicence, licence_id)
    if row is None or row.enterprise_code != code:
        raise not_found(f"证照 {licence_id}", f"licence {licence_id}", field="licence_id")
    return row


def update_licence(
    db: Session, row: EnterpriseLicence, *, changes: dict[str, Any], actor: Actor
) -> EnterpriseLicence:
    _check_dates(changes.get("issued_on", row.issued_on), changes.get("expires_on", row.expires_on))
    if "number" in changes:
        _licence_unique(db, row.enterprise_code, row.kind, changes["number"], row.id)
    return _change(db, row, changes=changes, actor=actor, object_type="enterprise_licence")


def delete_licence(db: Session, row: EnterpriseLicence, *, actor: Actor, reason: str) -> None:
    """Remove a licence recorded in error; the audit entry keeps its last state and the reason."""
    _delete(db, row, actor=actor, reason=reason, object_type="enterprise_licence")


def _change(
    db: Session, row: Any, *, changes: dict[str, Any], actor: Actor, object_type: str
) -> Any:
    """Apply ``changes`` to a licence or unit and audit before and after."""
    before = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    db.flush()
    audit.record(
        db, actor=actor, action="update", object_type=object_type, object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def _delete(db: Session, row: Any, *, actor: Actor, reason: str, object_type: str) -> None:
    audit.record(
        db, actor=actor, action="delete", object_type=object_type, object_id=row.id,
        before=audit.snapshot(row), reason=reason,
    )  # fmt: skip
    db.delete(row)
    db.flush()


def add_unit(db: Session, code: str, *, data: dict[str, Any], actor: Actor) -> EnterpriseUnit:
    exists = db.scalar(
        select(EnterpriseUnit.id).where(
            EnterpriseUnit.enterprise_code == code, EnterpriseUnit.code == data["code"]
        )
    )
    if exists is not None:
        raise conflict(
            "unit_exists", f"单元编码 {data['code']} 已存在", f"Unit {data['code']} exists",
            field="code",
        )  # fmt: skip
    row = EnterpriseUnit(enterprise_code=code, **data)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="enterprise_unit", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def get_unit(db: Session, code: str, unit_id: int) -> EnterpriseUnit:
    row = db.get(EnterpriseUnit, unit_id)
    if row is None or row.enterprise_code != code:
        raise not_found(f"单元 {unit_id}", f"unit {unit_id}", field="unit_id")
    return row


def update_unit(
    db: Session, row: EnterpriseUnit, *, changes: dict[str, Any], actor: Actor
) -> EnterpriseUnit:
    return _change(db, row, changes=changes, actor=actor, object_type="enterprise_unit")


def delete_unit(db: Session, row: EnterpriseUnit, *, actor: Actor, reason: str) -> None:
    """Remove a unit recorded in error; the audit entry keeps its last state and the reason."""
    _delete(db, row, actor=actor, reason=reason, object_type="enterprise_unit")
