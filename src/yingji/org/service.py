"""Reading the organisation. Other domains call these, never the tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.org.models import (
    Committee,
    Department,
    Headquarters,
    HeadquartersMember,
    LocalForce,
    Person,
    Subdistrict,
)
from yingji.org.schemas import (
    CommitteeRead,
    DepartmentRead,
    HeadquartersRead,
    LocalForceRead,
    PersonRead,
    SubdistrictRead,
)


def _people(db: Session, ids: set[int | None]) -> dict[int, PersonRead]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = db.scalars(select(Person).where(Person.id.in_(wanted)))
    return {p.id: PersonRead.model_validate(p) for p in rows}


def list_departments(db: Session) -> list[DepartmentRead]:
    rows = list(db.scalars(select(Department).order_by(Department.code)))
    people = _people(db, {d.head_id for d in rows})
    return [_department(d, people) for d in rows]


def _department(d: Department, people: dict[int, PersonRead]) -> DepartmentRead:
    return DepartmentRead(
        code=d.code,
        name=d.name,
        short_name=d.short_name,
        duty_phone=d.duty_phone,
        head=people.get(d.head_id) if d.head_id else None,
    )


def list_headquarters(db: Session) -> list[HeadquartersRead]:
    hqs = list(db.scalars(select(Headquarters).order_by(Headquarters.code)))
    departments = {d.code: d for d in db.scalars(select(Department))}
    members: dict[str, list[str]] = {}
    for m in db.scalars(select(HeadquartersMember).order_by(HeadquartersMember.id)):
        members.setdefault(m.headquarters_code, []).append(m.department_code)
    people = _people(
        db,
        {h.commander_id for h in hqs}
        | {h.office_director_id for h in hqs}
        | {d.head_id for d in departments.values()},
    )
    return [
        HeadquartersRead(
            code=h.code,
            name=h.name,
            short_name=h.short_name,
            commander=people.get(h.commander_id) if h.commander_id else None,
            lead_department=_department(departments[h.lead_department_code], people),
            office_name=h.office_name,
            office_director=people.get(h.office_director_id) if h.office_director_id else None,
            office_phone=h.office_phone,
            member_departments=[
                _department(departments[c], people) for c in members.get(h.code, [])
            ],
        )
        for h in hqs
    ]


def get_committee(db: Session) -> CommitteeRead | None:
    c = db.scalar(select(Committee))
    if c is None:
        return None
    people = _people(db, {c.first_director_id, c.director_id})
    return CommitteeRead(
        code=c.code,
        name=c.name,
        first_director=people.get(c.first_director_id) if c.first_director_id else None,
        director=people.get(c.director_id) if c.director_id else None,
        headquarters=list(db.scalars(select(Headquarters.code).order_by(Headquarters.code))),
    )


def list_subdistricts(
    db: Session,
    *,
    only_code: str | None = None,
    kind: str | None = None,
    with_geometry: bool = False,
) -> list[SubdistrictRead]:
    stmt = select(Subdistrict).order_by(Subdistrict.code)
    if only_code is not None:
        stmt = stmt.where(Subdistrict.code == only_code)
    if kind:
        stmt = stmt.where(Subdistrict.kind == kind)
    rows = list(db.scalars(stmt))
    forces = {
        f.subdistrict_code: f
        for f in db.scalars(
            select(LocalForce).where(LocalForce.subdistrict_code.in_([s.code for s in rows]))
        )
    }
    people = _people(db, {f.leader_id for f in forces.values()})
    return [_subdistrict(s, forces.get(s.code), people, with_geometry) for s in rows]


def _subdistrict(
    s: Subdistrict,
    force: LocalForce | None,
    people: dict[int, PersonRead],
    with_geometry: bool,
) -> SubdistrictRead:
    return SubdistrictRead(
        code=s.code,
        name=s.name,
        kind=s.kind,
        parent_code=s.parent_code,
        centroid={"lon": s.centroid_lon, "lat": s.centroid_lat},
        area_km2=s.area_km2,
        population=s.population,
        office_address=s.office_address,
        duty_phone=s.duty_phone,
        local_force=(
            LocalForceRead(
                id=force.id,
                name=force.name,
                subdistrict_code=force.subdistrict_code,
                duty_phone=force.duty_phone,
                members=force.members,
                leader=people.get(force.leader_id) if force.leader_id else None,
            )
            if force
            else None
        ),
        geometry=s.geometry if with_geometry else None,
    )


def subdistrict_names(db: Session) -> dict[str, str]:
    return dict(db.execute(select(Subdistrict.code, Subdistrict.name)).all())


def subdistrict_geometries(db: Session) -> list[tuple[str, str, dict]]:
    """(code, name, GeoJSON) of each sub-district proper, for building spatial indexes."""
    stmt = (
        select(Subdistrict.code, Subdistrict.name, Subdistrict.geometry)
        .where(Subdistrict.kind == "subdistrict")
        .order_by(Subdistrict.code)
    )
    return [(c, n, g) for c, n, g in db.execute(stmt)]


def scope_codes(db: Session) -> dict[str, set[str]]:
    """Known codes for each scope type, to validate a role's scope."""
    return {
        "headquarters": set(db.scalars(select(Headquarters.code))),
        "department": set(db.scalars(select(Department.code))),
        "subdistrict": set(db.scalars(select(Subdistrict.code))),
    }


def is_empty(db: Session) -> bool:
    return db.scalar(select(Subdistrict.code).limit(1)) is None
