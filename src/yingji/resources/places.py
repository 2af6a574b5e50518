"""Placing a resource on the map, and the revision counters the nearby indexes watch."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.geo.transform import Crs
from yingji.grid import service as grid
from yingji.resources.models import ResourceRevision

KINDS = ("teams", "experts", "warehouses", "stations", "videos")
# Revision counters: the five kinds, and the supplies catalogue.
COUNTERS = (*KINDS, "catalogue")


def place(
    db: Session, *, lon: float, lat: float, crs: Crs | str = Crs.wgs84
) -> tuple[float, float, str]:
    """(WGS-84 lon, lat, sub-district code) of a position given in any supported system.

    Located through the grid service, so a place outside the district is refused with its
    422 (``outside_district``, ``swapped_coordinates``, ``invalid_crs``...).
    """
    result = grid.locate(db, lon=lon, lat=lat, crs=crs)
    return result.wgs84.lon, result.wgs84.lat, result.subdistrict.code


def bump(db: Session, kind: str) -> None:
    """Raise ``kind``'s revision in the caller's transaction (nearby indexes then rebuild)."""
    changed = db.execute(
        update(ResourceRevision)
        .where(ResourceRevision.kind == kind)
        .values(revision=ResourceRevision.revision + 1)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult, which has rowcount
    if not changed:
        db.add(ResourceRevision(kind=kind, revision=1))
        db.flush()


def revisions(db: Session) -> dict[str, int]:
    rows = db.execute(select(ResourceRevision.kind, ResourceRevision.revision)).all()
    return {kind: rev for kind, rev in rows}
