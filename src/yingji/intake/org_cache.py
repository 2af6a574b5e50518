"""The organisation as routing sees it (headquarters with their lead departments, departments,
the committee, subdistrict names), cached per database in the process's one cache
(:mod:`yingji.core.cache`): every batch and every incident answer needs it, and it changes
rarely.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yingji.core.cache import CACHE
from yingji.intake import routing
from yingji.org import service as org_service

ORG_CACHE_S = 30.0
_SLOT = "intake.organisation"


def organisation(db: Session) -> routing.Organisation:
    """Names and lead departments for routing, cached for ``ORG_CACHE_S`` per database."""
    return CACHE.get(db, _SLOT, lambda: _read(db), max_age_s=ORG_CACHE_S)


def _read(db: Session) -> routing.Organisation:
    hqs = org_service.list_headquarters(db)
    committee = org_service.get_committee(db)
    return routing.Organisation(
        headquarters={h.code: (h.name, h.lead_department.code) for h in hqs},
        departments={d.code: d.name for d in org_service.list_departments(db)},
        committee=(committee.code, committee.name) if committee else None,
        subdistricts=org_service.subdistrict_names(db),
    )


def clear_caches() -> None:
    CACHE.clear(_SLOT)
