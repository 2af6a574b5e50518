"""People on the grid: members with their areas and lines, and the stewards of points.

Grid areas, lines and points are read through yingji.grid's service (``read_one`` with the
member's sub-district as territory), so a member can hold only what lies in its own
sub-district (issue 18, bad input: a worker of another sub-district).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor, snapshot
from yingji.core.errors import ApiError, conflict, invalid, not_found
from yingji.grid import service as grid
from yingji.patrol.models import GridMember, PointSteward
from yingji.patrol.schemas import GridMemberIn, StewardIn


def _check_in_subdistrict(db: Session, *, kind: str, codes: list[str], subdistrict: str) -> None:
    field = "area_codes" if kind == "areas" else "line_codes"
    for code in codes:
        try:
            grid.read_one(db, kind=kind, code=code, territory=subdistrict)
        except ApiError as exc:
            if exc.status == 404:
                raise invalid(
                    field, f"网格编码 {code} 不存在", f"Grid code {code} not found"
                ) from exc
            raise invalid(
                field, f"{code} 不属于街道 {subdistrict}", f"{code} is outside {subdistrict}"
            ) from exc


def create_member(
    db: Session, *, body: GridMemberIn, actor: Actor, territory: str | None
) -> GridMember:
    """Add a member of one sub-district; a sub-district caller adds only to its own."""
    if territory is not None and body.subdistrict_code != territory:
        raise invalid("subdistrict_code", "只能登记本街道的人员", "Only your own sub-district")
    if db.scalar(select(GridMember.id).where(GridMember.code == body.code)) is not None:
        raise conflict("duplicate", "人员编号已存在", "Member code already exists", field="code")
    _check_in_subdistrict(
        db, kind="areas", codes=body.area_codes, subdistrict=body.subdistrict_code
    )
    _check_in_subdistrict(
        db, kind="lines", codes=body.line_codes, subdistrict=body.subdistrict_code
    )
    member = GridMember(**body.model_dump(), active=True)
    db.add(member)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="patrol_member", object_id=member.id,
        after=snapshot(member),
    )  # fmt: skip
    return member


def list_members(db: Session, *, territory: str | None) -> list[GridMember]:
    stmt = select(GridMember).order_by(GridMember.code)
    if territory is not None:
        stmt = stmt.where(GridMember.subdistrict_code == territory)
    return list(db.scalars(stmt))


def get_member(db: Session, *, code: str, territory: str | None) -> GridMember:
    member = db.scalar(select(GridMember).where(GridMember.code == code))
    if member is None or (territory is not None and member.subdistrict_code != territory):
        raise not_found("人员", "Member", field="code")
    return member


def add_steward(
    db: Session, *, point_code: str, body: StewardIn, actor: Actor, territory: str | None
) -> PointSteward:
    """A 楼长 or shop owner sharing responsibility for a point the caller may see."""
    point = grid.read_one(db, kind="points", code=point_code, territory=territory)
    exists = db.scalar(
        select(PointSteward.id).where(
            PointSteward.point_code == point_code,
            PointSteward.name == body.name,
            PointSteward.role == body.role,
        )
    )
    if exists is not None:
        raise conflict("duplicate", "该责任人已登记", "Steward already registered", field="name")
    steward = PointSteward(
        point_code=point_code, subdistrict_code=point["subdistrict_code"], **body.model_dump()
    )
    db.add(steward)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="patrol_point_steward",
        object_id=steward.id, after=snapshot(steward),
    )  # fmt: skip
    return steward


def list_stewards(db: Session, *, point_code: str, territory: str | None) -> list[PointSteward]:
    grid.read_one(db, kind="points", code=point_code, territory=territory)
    stmt = select(PointSteward).where(PointSteward.point_code == point_code)
    return list(db.scalars(stmt.order_by(PointSteward.id)))
