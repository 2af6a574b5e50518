"""What a batch reads before it decides anything: the reports already stored under its keys
(replays) and the open incidents its reports may join, both through indexed columns and in
bounded chunks of keys.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from yingji.core.db import among
from yingji.intake import lifecycle, merge, policy_store
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
        cell = merge.cell_of(item.lon, item.lat)  # type: ignore[arg-type]
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
        _incident.c.secondary_codes,
        _incident.c.accuracy_m,
        _incident.c.grid_point_code,
        _incident.c.line_code,
        _incident.c.line_offset_m,
        _incident.c.place_key,
    ).where(
        merge_key_among,
        _incident.c.occurred_at >= bindparam("earliest"),
        _incident.c.occurred_at <= bindparam("latest"),
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
    window = timedelta(seconds=max(pol.window_s(p.category.code) for p in located))  # type: ignore[arg-type]
    earliest = min(p.report.occurred_at for p in located) - window
    latest = max(p.report.occurred_at for p in located) + window
    keys: set[str] = set()
    for p in located:
        keys.update(merge.keys_around(p.lon, p.lat, pol.reach_m(p.category.code)))  # type: ignore[arg-type]
    conn = db.connection()
    stmt = _CANDIDATES.on(conn)
    ordered = sorted(keys)
    for start in range(0, len(ordered), KEYS_PER_QUERY):
        params = {
            "keys": ordered[start : start + KEYS_PER_QUERY],
            "earliest": earliest,
            "latest": latest,
        }
        for r in conn.execute(stmt, params):
            if r.status in _OPEN and r.lon is not None and r.lat is not None:
                place = merge.Place(r.accuracy_m or 0.0, r.grid_point_code, r.line_code,
                                    r.line_offset_m, r.place_key)  # fmt: skip
                cells.add(
                    merge.Candidate(
                        r.id,
                        r.category_code,
                        r.lon,
                        r.lat,
                        r.occurred_at,
                        tuple(r.secondary_codes or ()),
                        place,
                    )
                )
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
