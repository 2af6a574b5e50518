"""What a batch reads before it decides anything: the reports already stored under its keys
(replays) and the open incidents its reports may join, both through indexed columns and in
bounded chunks of keys.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.orm import Session

from yingji.core.db import among
from yingji.intake import lifecycle, merge, places, policy_store
from yingji.intake.config import IntakeSettings
from yingji.intake.models import Incident, Report
from yingji.intake.policy import MergePolicy
from yingji.intake.prepare import Prepared
from yingji.intake.scenes import lead_and_rest as scenes_rule

_OPEN = frozenset(lifecycle.OPEN)


KEYS_PER_QUERY = 900  # bound parameters per candidate query, well inside every driver's limit


class Cells:
    """Open incidents by merge cell (``merge.CELL_DEG``), so each report compares itself with
    the incidents of the cells its reach covers only (one or four at a road accident's
    150 m, a few dozen at a forest fire's 3 km)."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[merge.Candidate]] = {}
        self._cell_of_id: dict[int, tuple[int, int]] = {}

    def add(self, item: merge.Candidate) -> None:
        cell = merge.cell_of(item.lon, item.lat)  # type: ignore[arg-type]  # located items have lon and lat
        self.cells.setdefault(cell, []).append(item)
        self._cell_of_id[item.incident_id] = cell

    def fold_code(self, incident_id: int, code: str | None, policy: MergePolicy) -> None:
        """A report of ``code`` joined the incident: later reports of the batch see its new
        categories (a scene's third category may match only its second)."""
        cell = self._cell_of_id.get(incident_id)
        if cell is None or not code:
            return
        items = self.cells[cell]
        for k, c in enumerate(items):
            if c.incident_id == incident_id:
                codes = (c.category_code, *c.secondary_codes)
                if any(x and x[: policy.group_len] == code[: policy.group_len] for x in codes):
                    return
                lead, rest = scenes_rule([*codes, code], policy)
                items[k] = dataclasses.replace(c, category_code=lead, secondary_codes=tuple(rest))
                return

    def near(self, lon: float, lat: float, reach_m: float) -> list[merge.Candidate]:
        out: list[merge.Candidate] = []
        get = self.cells.get
        for cell in merge.cells_covering(lon, lat, reach_m):
            hit = get(cell)
            if hit:
                out.extend(hit)
        return out


_incident = Incident.__table__


# built once (a statement built per batch spent more on its construction and cache key than
# the database spent answering it, py-spy); status is checked in Python, not in SQL: given
# ``status IN (...)``, SQLite's planner prefers the status index (every open incident) to
# the merge-key index. The secondary codes are read as text (parsed only when not empty):
# decoding a JSON column per row was a tenth of the candidates' cost.
_COLUMNS = (
    _incident.c.id,
    _incident.c.category_code,
    _incident.c.lon,
    _incident.c.lat,
    _incident.c.occurred_at,
    _incident.c.status,
    type_coerce(_incident.c.secondary_codes, String),
    _incident.c.accuracy_m,
    _incident.c.grid_point_code,
    _incident.c.line_code,
    _incident.c.line_offset_m,
    _incident.c.place_key,
)
_CANDIDATES = among(
    lambda merge_key_among: select(*_COLUMNS).where(
        merge_key_among,
        _incident.c.occurred_at >= bindparam("earliest"),
        _incident.c.occurred_at <= bindparam("latest"),
    ),
    (_incident.c.merge_key, "keys"),
)


def _by(column: Any) -> Any:
    """Candidates sharing an exact place, grid point or grid line with a report of the batch:
    a range of that column's index, whatever the distance (the rule decides)."""
    return among(
        lambda among_: select(*_COLUMNS).where(
            among_,
            _incident.c.occurred_at >= bindparam("earliest"),
            _incident.c.occurred_at <= bindparam("latest"),
        ),
        (column, "keys"),
    )


_BY_PLACE = _by(_incident.c.place_key)
_BY_POINT = _by(_incident.c.grid_point_code)
_BY_LINE = _by(_incident.c.line_code)


# beyond the precise reach: only the incidents whose position is uncertain (``accuracy_m``)
_UNCERTAIN_CANDIDATES = among(
    lambda merge_key_among: select(*_COLUMNS).where(
        merge_key_among,
        _incident.c.occurred_at >= bindparam("earliest"),
        _incident.c.occurred_at <= bindparam("latest"),
        _incident.c.accuracy_m.is_not(None),
    ),
    (_incident.c.merge_key, "keys"),
)


def open_candidates(
    db: Session,
    items: list[Prepared],
    settings: IntakeSettings,
    prefix: int = merge.DEFAULT_GROUP_PREFIX_LEN,
    policy: MergePolicy | None = None,
) -> Cells:
    """The open incidents that reports of the batch may join, read by their merge keys (an
    indexed column): only the cells within each report's reach (``MergePolicy.reach_m``) and
    the batch's longest window, whatever the number of open incidents elsewhere."""
    pol = policy or policy_store.current(db)
    cells = Cells()
    located = [p for p in items if p.category.code and p.lat is not None and p.lon is not None]
    if not located:
        return cells
    window = timedelta(seconds=max(pol.window_s(p.category.code) for p in located))  # type: ignore[arg-type]  # located reports have a category code
    earliest = min(p.report.occurred_at for p in located) - window
    latest = max(p.report.occurred_at for p in located) + window
    precise_keys: set[str] = set()
    uncertain_keys: set[str] = set()
    place_keys: set[str] = set()
    point_keys: set[str] = set()
    line_keys: set[str] = set()
    for p in located:
        own = places.accuracy_of(p.report.location, pol)
        for group, (precise_m, full_m) in pol.group_reaches(p.category.code, own).items():  # type: ignore[arg-type]  # located reports have a category code
            precise_keys.update(merge.keys_around(group, p.lon, p.lat, precise_m))  # type: ignore[arg-type]  # located reports have lon and lat
            if full_m > precise_m:
                uncertain_keys.update(merge.keys_around(group, p.lon, p.lat, full_m))  # type: ignore[arg-type]  # located reports have lon and lat
        if p.place is not None:
            if p.place.place_key:
                place_keys.add(p.place.place_key)
            if p.place.point_code:
                point_keys.add(p.place.point_code)
            if p.place.line_code:
                line_keys.add(p.place.line_code)
    conn = db.connection()
    seen: set[int] = set()
    base = {"earliest": earliest, "latest": latest}
    parts: list[tuple[Any, list[str]]] = [(_CANDIDATES.on(conn), sorted(precise_keys))]
    if uncertain_keys - precise_keys:
        parts.append((_UNCERTAIN_CANDIDATES.on(conn), sorted(uncertain_keys - precise_keys)))
    for stmt, wanted in ((_BY_PLACE, place_keys), (_BY_POINT, point_keys), (_BY_LINE, line_keys)):
        if wanted:
            parts.append((stmt.on(conn), sorted(wanted)))
    for stmt, ordered in parts:
        for start in range(0, len(ordered), KEYS_PER_QUERY):
            params = {**base, "keys": ordered[start : start + KEYS_PER_QUERY]}
            for (iid, code, lon, lat, occurred, status, secondary, accuracy, point, line,
                 offset, key) in conn.execute(stmt, params):  # fmt: skip
                if status not in _OPEN or lon is None or lat is None or iid in seen:
                    continue
                seen.add(iid)
                place = (
                    merge.Place(accuracy or 0.0, point, line, offset, key)
                    if accuracy or point or line or key
                    else merge.NO_PLACE
                )
                codes = _codes(secondary)
                cells.add(merge.Candidate(iid, code, lon, lat, occurred, codes, place))
    return cells


def _codes(stored: Any) -> tuple[str, ...]:
    """Secondary codes as stored: JSON text on SQLite, already a list from PostgreSQL's jsonb."""
    if not stored or stored == "[]":
        return ()
    if isinstance(stored, str):
        return tuple(json.loads(stored))
    return tuple(stored)


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
