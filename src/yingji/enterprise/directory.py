"""What other domains may read and set of an enterprise: a frozen reference, lookups by
scope, and the two facts that other domains own (the overall risk colour, from the
prevention domain's assessments, and whether it holds a major hazard source, from the
monitoring domain's GB 18218 identification). No other domain reads ``ent_*`` tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.core.errors import invalid, not_found
from yingji.enterprise.models import Enterprise, EnterpriseUnit
from yingji.enterprise.vocab import COLOUR_RANK


@dataclass(frozen=True)
class EnterpriseRef:
    """An enterprise as other domains see it."""

    code: str
    name: str
    kind: str
    industry_code: str
    subdistrict_code: str
    grid_point_code: str | None
    lon: float
    lat: float
    principal_name: str
    principal_phone: str
    safety_manager_name: str
    safety_manager_phone: str
    risk_colour: str | None
    has_major_hazard: bool
    standardisation_grade: str
    active: bool


@dataclass(frozen=True)
class UnitRef:
    id: int
    enterprise_code: str
    code: str
    name: str
    kind: str


def _ref(e: Enterprise) -> EnterpriseRef:
    return EnterpriseRef(
        code=e.code, name=e.name, kind=e.kind, industry_code=e.industry_code,
        subdistrict_code=e.subdistrict_code, grid_point_code=e.grid_point_code,
        lon=e.lon, lat=e.lat, principal_name=e.principal_name,
        principal_phone=e.principal_phone, safety_manager_name=e.safety_manager_name,
        safety_manager_phone=e.safety_manager_phone, risk_colour=e.risk_colour,
        has_major_hazard=e.has_major_hazard, standardisation_grade=e.standardisation_grade,
        active=e.active,
    )  # fmt: skip


def get(db: Session, code: str) -> EnterpriseRef | None:
    e = db.get(Enterprise, code)
    return None if e is None else _ref(e)


def require(db: Session, code: str, *, field: str = "enterprise_code") -> EnterpriseRef:
    """The enterprise or a 404 naming the field that carried its code."""
    ref = get(db, code)
    if ref is None:
        raise not_found(f"企业 {code}", f"enterprise {code}", field=field)
    return ref


def find(
    db: Session,
    *,
    codes: Iterable[str] | None = None,
    subdistrict_code: str | None = None,
    industry_prefix: str | None = None,
    kind: str | None = None,
) -> list[EnterpriseRef]:
    """Enterprises matching every filter given, by code."""
    stmt = select(Enterprise).order_by(Enterprise.code)
    if codes is not None:
        stmt = stmt.where(Enterprise.code.in_(list(codes)))
    if subdistrict_code is not None:
        stmt = stmt.where(Enterprise.subdistrict_code == subdistrict_code)
    if industry_prefix:
        stmt = stmt.where(Enterprise.industry_code.startswith(industry_prefix))
    if kind is not None:
        stmt = stmt.where(Enterprise.kind == kind)
    return [_ref(e) for e in db.scalars(stmt)]


def units(db: Session, code: str) -> list[UnitRef]:
    rows = db.scalars(
        select(EnterpriseUnit)
        .where(EnterpriseUnit.enterprise_code == code)
        .order_by(EnterpriseUnit.code)
    )
    return [UnitRef(u.id, u.enterprise_code, u.code, u.name, u.kind) for u in rows]


def set_risk_colour(db: Session, code: str, colour: str | None, *, now: datetime) -> bool:
    """Set the overall colour (the prevention domain's roll-up); True when it changed."""
    if colour is not None and colour not in COLOUR_RANK:
        raise invalid("risk_colour", f"未知风险颜色：{colour}", f"Unknown colour {colour}")
    result = db.execute(
        update(Enterprise)
        .where(Enterprise.code == code, Enterprise.risk_colour.is_distinct_from(colour))
        .values(risk_colour=colour, risk_colour_at=now)
    )
    return bool(getattr(result, "rowcount", 0))


def set_major_hazard(db: Session, code: str, holds: bool) -> bool:
    """Record whether the enterprise holds a major hazard source (GB 18218-2018 §4)."""
    result = db.execute(
        update(Enterprise)
        .where(Enterprise.code == code, Enterprise.has_major_hazard.is_not(holds))
        .values(has_major_hazard=holds)
    )
    return bool(getattr(result, "rowcount", 0))
