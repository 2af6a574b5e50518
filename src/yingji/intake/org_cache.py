"""The organisation as routing sees it (headquarters with their lead departments, departments,
the committee, subdistrict names), cached per database: every batch and every incident
answer needs it, and it changes rarely.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from yingji.intake import routing
from yingji.org import service as org_service

_org_lock = threading.Lock()


_org_cache: dict[str, tuple[float, routing.Organisation]] = {}


ORG_CACHE_S = 30.0


def organisation(db: Session) -> routing.Organisation:
    """Names and lead departments for routing, cached for ``ORG_CACHE_S`` per database."""
    key = db.get_bind().url.render_as_string(hide_password=True)
    cached = _org_cache.get(key)
    now_s = time.monotonic()
    if cached is not None and now_s - cached[0] < ORG_CACHE_S:
        return cached[1]
    hqs = org_service.list_headquarters(db)
    committee = org_service.get_committee(db)
    org = routing.Organisation(
        headquarters={h.code: (h.name, h.lead_department.code) for h in hqs},
        departments={d.code: d.name for d in org_service.list_departments(db)},
        committee=(committee.code, committee.name) if committee else None,
        subdistricts=org_service.subdistrict_names(db),
    )
    with _org_lock:
        _org_cache[key] = (now_s, org)
    return org


def clear_caches() -> None:
    with _org_lock:
        _org_cache.clear()
