"""The parties a task can go to: their names and who in the system acts for them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from yingji.core.cache import CACHE
from yingji.org import service as org_service
from yingji.resources import service as resources_service


@dataclass(frozen=True)
class Directory:
    """Names and owners of every party a task can go to (one read per activation)."""

    departments: dict[str, str]
    headquarters: dict[str, tuple[str, str]]  # code → (name, lead department)
    offices: dict[str, str]  # headquarters code → its office's name
    subdistricts: dict[str, str]
    teams: dict[str, tuple[str, str, str]]  # code → (name, owner type, owner code)
    experts: dict[str, str]
    committee: str


DIRECTORY_CACHE_S = 30.0
_SLOT = "command.directory"


def directory(db: Session) -> Directory:
    """The directory, cached for ``DIRECTORY_CACHE_S`` per database (in the process's one
    cache, :mod:`yingji.core.cache`): names and owners change rarely, and an activation or a
    burst of escalations should not re-read the organisation for every task."""
    return CACHE.get(db, _SLOT, lambda: _read_directory(db), max_age_s=DIRECTORY_CACHE_S)


def forget_directory() -> None:
    CACHE.clear(_SLOT)


def _read_directory(db: Session) -> Directory:
    committee = org_service.get_committee(db)
    hqs = org_service.list_headquarters(db)
    return Directory(
        departments={d.code: d.name for d in org_service.list_departments(db)},
        headquarters={h.code: (h.name, h.lead_department.code) for h in hqs},
        offices={h.code: h.office_name for h in hqs},
        subdistricts=org_service.subdistrict_names(db),
        teams={t.code: (t.name, t.owner_type, t.owner_code) for t in resources_service.teams(db)},
        experts={e.code: e.name for e in resources_service.experts(db)},
        committee=committee.name if committee else "应急管理委员会",
    )


def resolve(d: Directory, party_type: str, code: str, hq: str | None) -> tuple[str, str, str]:
    """(display name, scope type, scope code): who in the system acts for the party.

    A department or sub-district acts for itself; a team through its owning department; an
    expert (or a team with no department) through the office of the plan's headquarters, in
    its lead department, which contacts them.
    """
    office = d.headquarters.get(hq or "", ("", "DEPT-EM"))[1]
    if party_type == "department":
        return d.departments.get(code, code), "department", code
    if party_type == "subdistrict":
        return d.subdistricts.get(code, code), "subdistrict", code
    if party_type == "headquarters":
        return d.headquarters.get(code, (code, ""))[0], "headquarters", code
    if party_type == "committee":
        return d.committee, "committee", "committee"
    if party_type == "team":
        name, owner_type, owner = d.teams.get(code, (code, "", ""))
        if owner_type == "department" and owner:
            return name, "department", owner
        return name, "department", office
    if code.startswith("specialty:"):
        return f"{code.removeprefix('specialty:')}专家", "department", office
    return d.experts.get(code, code), "department", office
