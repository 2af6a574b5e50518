"""What a batch reads before it decides anything: the reports already stored under its keys
(replays) and the open incidents its reports may join, both through indexed columns and in
bounded chunks of keys.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from yingji.core.db import among
from yingji.intake import lifecycle, merge
from yingji.intake.config import IntakeSettings
from yingji.intake.models import Incident, Report
from yingji.intake.prepare import Prepared

_OPEN = frozenset(lifecycle.OPEN)


KEYS_PER_QUERY = 900  # bound parameters per candidate query, well inside every driver's limit


class Cells:
    """Open incidents of the batch's category groups in square cells of the merge radius, so
    each report compares itself with the incidents of nine cells only."""

    def __init__(self, radius_m: float, lat0: float) -> None:
        self.size_lat = radius_m / 111_000.0
        self.size_lon = self.size_lat / max(0.05, math.cos(math.radians(lat0)))
        self.cells: dict[tuple[str, int, int], list[Any]] = {}

    def _key(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self.size_lon), math.floor(lat / self.size_lat)

    def add(self, group: str, lon: float, lat: float, item: Any) -> None:
        i, j = self._key(lon, lat)
        self.cells.setdefault((group, i, j), []).append(item)

    def near(self, group: str, lon: float, lat: float) -> list[Any]:
        i, j = self._key(lon, lat)
        out: list[Any] = []
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                out.extend(self.cells.get((group, i + di, j + dj), ()))
        return out


_incident = Incident.__table__


# built once (a statement built per batch spent more on its construction and cache key than
# the database spent answering it, py-spy); status is checked in Python, not in SQL: given
# ``status IN (...)``, SQLite's planner prefers the status index (every open incident) to
# the merge-key index
_CANDIDATES = among(
    lambda merge_key_among: select(
        _incident.c.id,
        _incident.c.category_group,
        _incident.c.category_code,
        _incident.c.lon,
        _incident.c.lat,
        _incident.c.occurred_at,
        _incident.c.status,
    ).where(
        merge_key_among,
        _incident.c.occurred_at >= bindparam("earliest"),
        _incident.c.occurred_at <= bindparam("latest"),
    ),
    (_incident.c.merge_key, "keys"),
)


def open_candidates(
    db: Session, items: list[Prepared], settings: IntakeSettings, prefix: int
) -> Cells:
    """The open incidents that reports of the batch may join, read by their merge keys (an
    indexed column): only the cells around each report, whatever the number of open
    incidents elsewhere in the district."""
    located = [p for p in items if p.category.code and p.lat is not None and p.lon is not None]
    cells = Cells(settings.merge_radius_m, located[0].lat if located else 36.6)  # type: ignore[arg-type]  # located reports have a latitude
    if not located:
        return cells
    window = timedelta(seconds=settings.merge_window_s)
    earliest = min(p.report.occurred_at for p in located) - window
    latest = max(p.report.occurred_at for p in located) + window
    keys: set[str] = set()
    for p in located:
        group = p.category.code[:prefix]  # type: ignore[index]  # located reports have a category code
        keys.update(merge.keys_around(group, p.lon, p.lat, settings.merge_radius_m))  # type: ignore[arg-type]  # located reports have lon and lat
    conn = db.connection()
    stmt = _CANDIDATES.on(conn)
    ordered = sorted(keys)
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        params = {
            "keys": ordered[start : start + KEYS_PER_QUERY],
            "earliest": earliest,
            "latest": latest,
        }
        for iid, group, code, lon, lat, occurred, status in conn.execute(stmt, params):
            if status in _OPEN:
                cells.add(group, lon, lat, merge.Candidate(iid, code, lon, lat, occurred))
    return cells


_report = Report.__table__


# one statement for the batch: channel among its channels, source_id among its ids (the
# unique index on both serves it, one lookup per pair of the two lists)
_KNOWN = among(
    lambda channel_among, source_id_among: select(
        _report.c.id,
        _report.c.channel,
        _report.c.source_id,
        _report.c.body_hash,
        _report.c.incident_id,
        _report.c.merged,
    ).where(channel_among, source_id_among),
    (_report.c.channel, "channels"),
    (_report.c.source_id, "ids"),
)


def known_reports(db: Session, items: list[Prepared]) -> dict[tuple[str, str], Any]:
    """Reports already stored under the batch's (channel, source_id) keys: replays.

    ``channel IN (...) AND source_id IN (...)``: the unique index on (channel, source_id)
    serves it on every database, which a row-value ``IN`` does not on SQLite (it scanned
    the whole report table, a cost growing with every report ever taken). A stored report
    under another of the batch's channels is left out here. One query for the batch, not
    one per channel: the statements, not the lookups, were the cost (py-spy).
    """
    wanted = {(p.report.channel, p.report.source_id) for p in items}
    channels = sorted({channel for channel, _ in wanted})
    ids = sorted({source_id for _, source_id in wanted})
    conn = db.connection()
    stmt = _KNOWN.on(conn)
    known: dict[tuple[str, str], Any] = {}
    step = max(1, KEYS_PER_QUERY - len(channels))
    for start in range(0, len(ids), step):
        params = {"channels": channels, "ids": ids[start : start + step]}
        for r in conn.execute(stmt, params):
            # a stored (other channel, one of the ids) pair is no replay of this batch's
            if (r.channel, r.source_id) in wanted:
                known[(r.channel, r.source_id)] = r
    return known
