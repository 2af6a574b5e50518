"""The seam to the incidents domain: where is incident X?

The nearby search takes an incident id instead of a point. The incidents (intake) domain
owns where an incident is; it is not part of this build yet. It plugs in here with
:func:`set_incident_locator` (from its own start-up or the application's composition root):
a function ``(session, incident_id) -> (lon, lat) in WGS-84, or None if no such incident``.

Until one is registered, an incident id is answered with a clear 422
``incident_lookup_unavailable`` — never a guess.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.core.errors import ApiError, not_found

IncidentLocator = Callable[[Session, str], tuple[float, float] | None]

_locator: IncidentLocator | None = None


def set_incident_locator(locator: IncidentLocator | None) -> None:
    """Register (or, with None, remove) the function that finds an incident's position."""
    global _locator
    _locator = locator


def incident_locator() -> IncidentLocator | None:
    return _locator


def incident_position(db: Session, incident_id: str) -> tuple[float, float]:
    """The incident's WGS-84 position: 422 when no incidents domain is plugged in, 404 when it
    does not know the incident."""
    if _locator is None:
        raise ApiError(
            422,
            "incident_lookup_unavailable",
            "事件库尚未接入，暂不能按事件编号查询周边资源，请改用经纬度",
            "Incident lookup is not available yet; query by lon/lat instead",
            field="incident_id",
        )
    position = _locator(db, incident_id)
    if position is None:
        raise not_found("事件", "Incident", field="incident_id")
    return position
