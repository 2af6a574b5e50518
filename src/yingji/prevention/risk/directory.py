"""Read-only views of risk points and their control measures for other sub-domains
(inspection plans are derived from control measures; records name a risk point). Nothing
outside :mod:`yingji.prevention.risk` reads the risk tables except through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.prevention.risk.models import ControlMeasure, RiskPoint


@dataclass(frozen=True)
class RiskPointRef:
    id: int
    enterprise_code: str
    code: str
    name: str
    tag: str
    location: str
    lon: float | None
    lat: float | None
    colour: str | None
    active: bool


@dataclass(frozen=True)
class ControlRef:
    id: int
    risk_point_id: int
    enterprise_code: str
    kind: str
    content: str
    control_level: str
    responsible_name: str


def _point(p: RiskPoint) -> RiskPointRef:
    return RiskPointRef(
        p.id,
        p.enterprise_code,
        p.code,
        p.name,
        p.tag,
        p.location,
        p.lon,
        p.lat,
        p.colour,
        p.active,
    )


_COLUMNS = (
    RiskPoint.id, RiskPoint.enterprise_code, RiskPoint.code, RiskPoint.name, RiskPoint.tag,
    RiskPoint.location, RiskPoint.lon, RiskPoint.lat, RiskPoint.colour, RiskPoint.active,
)  # fmt: skip


def points(db: Session, ids: Iterable[int]) -> dict[int, RiskPointRef]:
    """The risk points with these ids (missing ids are absent from the answer). Plain rows,
    not ORM objects: loading 5,000 entities was 39 % of a batch of records (pyinstrument)."""
    wanted = sorted(set(ids))
    out: dict[int, RiskPointRef] = {}
    for i in range(0, len(wanted), 2000):
        stmt = select(*_COLUMNS).where(RiskPoint.id.in_(wanted[i : i + 2000]))
        for row in db.execute(stmt):
            pid, ent, code, name, tag, loc, lon, lat, colour, active = row
            out[pid] = RiskPointRef(pid, ent, code, name, tag, loc, lon, lat, colour, active)
    return out


def points_of(db: Session, enterprise_code: str) -> list[RiskPointRef]:
    rows = db.scalars(
        select(RiskPoint).where(RiskPoint.enterprise_code == enterprise_code).order_by(RiskPoint.id)
    )
    return [_point(p) for p in rows]


def controls(db: Session, *, enterprise_codes: Iterable[str] | None = None) -> list[ControlRef]:
    """Active control measures of active risk points, by id."""
    stmt = (
        select(ControlMeasure)
        .join(RiskPoint, RiskPoint.id == ControlMeasure.risk_point_id)
        .where(ControlMeasure.active.is_(True), RiskPoint.active.is_(True))
        .order_by(ControlMeasure.id)
    )
    if enterprise_codes is not None:
        stmt = stmt.where(ControlMeasure.enterprise_code.in_(list(enterprise_codes)))
    return [
        ControlRef(
            c.id,
            c.risk_point_id,
            c.enterprise_code,
            c.kind,
            c.content,
            c.control_level,
            c.responsible_name,
        )
        for c in db.scalars(stmt)
    ]
