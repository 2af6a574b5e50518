"""The seam to the incidents domain: where is incident X?

The nearby search takes an incident id instead of a point. The incidents (intake) domain
owns where an incident is, and resources sits below it in the import order, so intake is
not imported here directly: it plugs in with
:func:`set_incident_locator` (from its own start-up or the application's composition root):
a function ``(session, incident_id) -> (lon, lat) in WGS-84, or None if no such incident``.

When the intake domain is installed (``yingji.intake.service`` with ``get_incident``, as in
this build), :func:`intake_locator` is used by default; without it, an incident id is
answered with a clear 422 ``incident_lookup_unavailable`` — never a guess.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.core.errors import ApiError, invalid, not_found

IncidentLocator = Callable[[Session, str], tuple[float, float] | None]

INTAKE_SERVICE = "yingji.intake.service"


def intake_locator(db: Session, incident_id: str) -> tuple[float, float] | None:
    """An incident's position from the intake domain's service (its ids are integers).

    422 ``incident_not_located`` for an incident known but not (yet) placed on the map.
    """
    intake = importlib.import_module(INTAKE_SERVICE)
    if not incident_id.isdigit():
        return None
    try:
        incident = intake.get_incident(db, int(incident_id), territory=None)
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    if incident.lon is None or incident.lat is None:
        raise invalid(
            "incident_id",
            "该事件尚无位置，请改用经纬度查询",
            "The incident has no position yet; query by lon/lat instead",
            "incident_not_located",
        )
    return float(incident.lon), float(incident.lat)


def intake_installed() -> bool:
    try:
        return importlib.util.find_spec(INTAKE_SERVICE) is not None
    except ModuleNotFoundError:  # the parent package yingji.intake is absent
        return False


def _default_locator() -> IncidentLocator | None:
    """The intake domain's locator when that domain is installed, else none."""
    return intake_locator if intake_installed() else None


_locator: IncidentLocator | None = _default_locator()


def set_incident_locator(locator: IncidentLocator | None) -> None:
    """Register (or, with None, remove) the function that finds an incident's position;
    ``reset_incident_locator`` goes back to the default."""
    global _locator
    _locator = locator


def incident_locator() -> IncidentLocator | None:
    return _locator


def incident_position(db: Session, incident_id: str) -> tuple[float, float]:
    """The incident's WGS-84 position: 422 when no incidents domain is plugged in, 404 when it
    does not know the incident."""
    if _locator is None:
        raise invalid(
            "incident_id",
            "事件库尚未接入，暂不能按事件编号查询周边资源，请改用经纬度",
            "Incident lookup is not available yet; query by lon/lat instead",
            "incident_lookup_unavailable",
        )
    position = _locator(db, incident_id)
    if position is None:
        raise not_found("事件", "Incident", field="incident_id")
    return position


def reset_incident_locator() -> None:
    set_incident_locator(_default_locator())
