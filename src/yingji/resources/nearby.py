"""What is near? Teams, experts, warehouses, stations and cameras ranked by distance.

Each kind has an in-memory index (positions as arrays plus what the filters need), kept per
process and per database, rebuilt when that kind's revision (``res_revision``, raised in the
same transaction as every change) moves. A query reads the revisions (one small query), scans
the arrays (a few hundred rows at the district's scale: a vectorised distance is microseconds
and beats any tree), filters, sorts. Stock is the one live fact: the item's totals per
warehouse are read fresh for each query, so the answer is never behind the ledger.

Distances are great-circle metres on the sphere of :mod:`yingji.geo.distance`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.core.cache import CACHE, database_key
from yingji.core.errors import invalid, not_found
from yingji.geo.distance import EARTH_RADIUS_M
from yingji.geo.transform import Crs, to_wgs84
from yingji.resources import incidents, places, rules, supplies
from yingji.resources.models import Expert, Station, SupplyItem, Team, VideoFeed, Warehouse
from yingji.resources.quantities import from_milli, to_milli

MAX_RADIUS_M = 100_000.0
MAX_LIMIT = 200
_DEG = math.pi / 180.0


@dataclass(frozen=True)
class Entry:
    """One indexed resource: its id, position and the attributes the filters read."""

    id: int
    lon: float
    lat: float
    tags: tuple[str, ...]
    available: bool
    summary: dict[str, Any]


@dataclass
class KindIndex:
    revision: int
    entries: list[Entry]
    lon: np.ndarray = field(init=False)
    lat: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.lon = np.array([e.lon for e in self.entries], dtype=np.float64)
        self.lat = np.array([e.lat for e in self.entries], dtype=np.float64)

    def distances_m(self, lon: float, lat: float) -> np.ndarray:
        """Great-circle metres from (lon, lat) to every entry (haversine, as
        :func:`yingji.geo.distance.haversine_m`, vectorised)."""
        phi1 = lat * _DEG
        phi2 = self.lat * _DEG
        h = (
            np.sin((phi2 - phi1) / 2) ** 2
            + math.cos(phi1) * np.cos(phi2) * np.sin((self.lon - lon) * _DEG / 2) ** 2
        )
        return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def _team(t: Team) -> Entry:
    return Entry(
        t.id, t.lon, t.lat, tuple(t.skills), t.status == "standby",
        {
            "code": t.code, "name": t.name, "kind": t.kind, "status": t.status,
            "skills": list(t.skills), "leader_name": t.leader_name,
            "leader_phone": t.leader_phone, "duty_phone": t.duty_phone,
            "subdistrict_code": t.subdistrict_code,
        },
    )  # fmt: skip


def _expert(e: Expert) -> Entry:
    return Entry(
        e.id, e.lon, e.lat, tuple(e.specialties), e.availability == "available",
        {
            "code": e.code, "name": e.name, "specialties": list(e.specialties),
            "title": e.title, "organisation": e.organisation, "phone": e.phone,
            "availability": e.availability, "subdistrict_code": e.subdistrict_code,
        },
    )  # fmt: skip


def _warehouse(w: Warehouse) -> Entry:
    return Entry(
        w.id, w.lon, w.lat, (), True,
        {
            "code": w.code, "name": w.name, "owner_type": w.owner_type,
            "owner_code": w.owner_code, "keeper_name": w.keeper_name,
            "keeper_phone": w.keeper_phone, "address": w.address,
            "subdistrict_code": w.subdistrict_code,
        },
    )  # fmt: skip


def _station(s: Station) -> Entry:
    return Entry(
        s.id, s.lon, s.lat, (), True,
        {
            "code": s.code, "name": s.name, "subdistrict_code": s.subdistrict_code,
            "duty_phone": s.duty_phone, "leader_name": s.leader_name,
            "members": len(s.members), "vehicles": list(s.vehicles),
        },
    )  # fmt: skip


def _video(v: VideoFeed) -> Entry:
    return Entry(
        v.id, v.lon, v.lat, (), v.status == "online",
        {
            "code": v.code, "name": v.name, "owner_department_code": v.owner_department_code,
            "stream_kind": v.stream_kind, "stream_url": v.stream_url, "status": v.status,
            "view_range_m": v.view_range_m, "subdistrict_code": v.subdistrict_code,
        },
    )  # fmt: skip


_BUILDERS: dict[str, tuple[type[Any], Callable[[Any], Entry]]] = {
    "teams": (Team, _team),
    "experts": (Expert, _expert),
    "warehouses": (Warehouse, _warehouse),
    "stations": (Station, _station),
    "videos": (VideoFeed, _video),
}


def indexes(
    db: Session, kinds: tuple[str, ...], current: dict[str, int] | None = None
) -> dict[str, KindIndex]:
    """The current index of each kind asked for, rebuilding those whose revision moved
    (kept per database in the process's one cache, :mod:`yingji.core.cache`)."""
    if current is None:
        current = places.revisions(db)
    key = database_key(db)
    out: dict[str, KindIndex] = {}
    for kind in kinds:
        rev = current.get(kind, 0)
        out[kind] = CACHE.get(
            db, f"resources.nearby.{kind}", partial(_build, db, kind, rev), version=rev, key=key
        )
    return out


def _build(db: Session, kind: str, revision: int) -> KindIndex:
    model, build = _BUILDERS[kind]
    return KindIndex(revision, [build(r) for r in db.scalars(select(model).order_by(model.id))])


def catalogue(db: Session, revision: int) -> dict[str, SupplyItem]:
    """The supplies catalogue by code, cached per database until its revision moves."""

    def read() -> dict[str, SupplyItem]:
        rows = {i.code: i for i in db.scalars(select(SupplyItem))}
        for row in rows.values():
            db.expunge(row)
        return rows

    return CACHE.get(db, "resources.catalogue", read, version=revision)


def forget() -> None:
    """Drop every cached index (tests; data loaded without revision bumps)."""
    CACHE.clear("resources.nearby.")
    CACHE.clear("resources.catalogue")


@dataclass(frozen=True)
class Query:
    kinds: tuple[str, ...]
    radius_m: float
    limit: int
    skill: str | None = None
    specialty: str | None = None
    item_code: str | None = None
    quantity: Any = None
    available_only: bool = True


def parse_kinds(text: str | None) -> tuple[str, ...]:
    if not text:
        return places.KINDS
    kinds = tuple(dict.fromkeys(k.strip() for k in text.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in places.KINDS]
    if unknown or not kinds:
        raise invalid(
            "kinds",
            f"未知的资源类型：{', '.join(unknown)}（可选 {', '.join(places.KINDS)}）",
            f"Unknown kinds: {', '.join(unknown)} (choose from {', '.join(places.KINDS)})",
            code="unknown_kind",
        )
    return kinds


def resolve_center(
    db: Session,
    *,
    lon: float | None,
    lat: float | None,
    crs: str,
    incident_id: str | None,
) -> tuple[float, float]:
    """The WGS-84 query point from a position (in any supported system) or an incident."""
    if incident_id:
        if lon is not None or lat is not None:
            raise invalid(
                "incident_id",
                "请只给出事件编号或经纬度之一",
                "Give an incident id or lon/lat, not both",
            )
        return incidents.incident_position(db, incident_id)
    if lon is None or lat is None:
        raise invalid(
            "lon", "请给出经纬度（lon、lat）或事件编号", "Give lon and lat, or an incident id",
            code="missing_center",
        )  # fmt: skip
    for name, value, bound in (("lon", lon, 180.0), ("lat", lat, 90.0)):
        if not math.isfinite(value) or abs(value) > bound:
            raise invalid(name, "坐标超出范围", "Coordinate out of range", code="out_of_range")
    try:
        system = Crs(crs)
    except ValueError:
        raise invalid(
            "crs", f"不支持的坐标系“{crs}”（wgs84、gcj02、bd09）",
            f"Unknown coordinate system '{crs}' (wgs84, gcj02, bd09)", code="invalid_crs",
        ) from None  # fmt: skip
    return to_wgs84(lon, lat, system)


def search(db: Session, *, lon: float, lat: float, query: Query, today: date) -> dict[str, Any]:
    """Each kind's resources within ``radius_m`` of the WGS-84 point, nearest first."""
    wanted_milli: int | None = None
    item = None
    current = places.revisions(db)
    if query.item_code:
        item = catalogue(db, current.get("catalogue", 0)).get(query.item_code)
        if item is None:
            raise not_found("物资", "Supply item", field="item")
        if query.quantity is not None:
            wanted_milli = to_milli(query.quantity, whole_units=item.whole_units, unit=item.unit)
    elif query.quantity is not None:
        raise invalid(
            "quantity", "给出数量时须同时给出物资编码", "quantity needs item", code="item_required"
        )
    found = indexes(db, query.kinds, current)
    results: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    for kind in query.kinds:
        index = found[kind]
        if not index.entries:
            results[kind], totals[kind] = [], 0
            continue
        dist = index.distances_m(lon, lat)
        near = np.nonzero(dist <= query.radius_m)[0]
        order = near[np.argsort(dist[near], kind="stable")]
        picked = [(index.entries[i], float(dist[i])) for i in order.tolist()]
        picked = _filter(kind, picked, query)
        stock: dict[int, int] = {}
        if kind == "warehouses" and item is not None:
            ids = [e.id for e, _ in picked]
            totals_by = supplies.stock_totals(
                db, warehouse_ids=ids, item_code=item.code, usable_on=today
            )
            stock = {w: q for (w, _), q in totals_by.items() if q > 0}
            picked = [(e, d) for e, d in picked if e.id in stock]
        totals[kind] = len(picked)
        rows = []
        for entry, d in picked[: query.limit]:
            row = {
                "id": entry.id,
                "distance_m": round(d, 1),
                "lon": entry.lon,
                "lat": entry.lat,
                **entry.summary,
            }
            if kind == "warehouses" and item is not None:
                held = stock.get(entry.id, 0)
                row["stock"] = {
                    "item_code": item.code, "item_name": item.name, "unit": item.unit,
                    "quantity": from_milli(held),
                    "covers": None if wanted_milli is None else held >= wanted_milli,
                }  # fmt: skip
            if kind == "videos":
                row["sees_point"] = d <= entry.summary["view_range_m"]
            rows.append(row)
        results[kind] = rows
    return {"results": results, "totals": totals}


def _filter(
    kind: str, picked: list[tuple[Entry, float]], query: Query
) -> list[tuple[Entry, float]]:
    out = picked
    if query.available_only and kind in ("teams", "experts", "videos"):
        out = [(e, d) for e, d in out if e.available]
    if kind == "teams" and query.skill:
        out = [(e, d) for e, d in out if rules.within(e.tags, query.skill)]
    if kind == "experts" and query.specialty:
        out = [(e, d) for e, d in out if rules.within(e.tags, query.specialty)]
    return out


def features(db: Session, kinds: tuple[str, ...]) -> dict[str, Any]:
    """Every resource of these kinds as a GeoJSON FeatureCollection (map layers), from the
    same cached indexes as the search."""
    found = indexes(db, kinds)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{kind}:{e.id}",
                "geometry": {"type": "Point", "coordinates": [e.lon, e.lat]},
                # ``layer`` names the layer always; ``kind`` too, except on teams, where the
                # team's own kind (professional, flood...) takes that key as in the search.
                "properties": {"layer": kind, "kind": kind, "id": e.id, **e.summary},
            }
            for kind in kinds
            for e in found[kind].entries
        ],
    }
