"""``yingji bench ledger``: exporting and importing the demo district's 4,758-point ledger.

Each case runs in-process on the service functions the HTTP endpoints call (no HTTP), on a
temporary SQLite file holding the demo district (or the configured database):

- export: every point read and written as an .xlsx workbook;
- import, unchanged: the exported workbook read back (streamed) and every row validated and
  compared with the database — nothing to write;
- import, every row changed: the 备注 column edited in all rows, so 4,758 updates and 4,758
  audit rows in one transaction;
- import into an empty table: the points deleted first (not timed), 4,758 creates with
  placement checks (inside sub-district and area) and audit rows;
- the same unchanged import from GeoJSON.

Baselines in the same run: openpyxl streaming the same workbook with nothing done per row
(the floor for reading .xlsx), and ``json.loads`` of the GeoJSON. Wall-clock and process CPU
seconds are both reported: on a shared machine CPU time is the steadier of the two.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import delete

from yingji.audit.service import Actor
from yingji.core.db import Database
from yingji.grid import ledger, service
from yingji.grid.models import GridPoint

BENCH_ACTOR = Actor(type="system", id="bench", name="基准测试")


@dataclass(frozen=True)
class Timing:
    """Wall-clock and CPU seconds of one case over several rounds."""

    name: str
    rows: int
    wall_s: tuple[float, ...]
    cpu_s: tuple[float, ...]

    @property
    def median_wall_s(self) -> float:
        return statistics.median(self.wall_s)

    @property
    def median_cpu_s(self) -> float:
        return statistics.median(self.cpu_s)


def _timed(fn: Callable[[], Any]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _with_notes(content: bytes, note: str) -> bytes:
    """The workbook with every row's 备注 set to ``note`` (prepared outside the timing)."""
    book = load_workbook(io.BytesIO(content))
    ws = book[ledger.KIND_LABELS["points"][0]]
    column = next(c.column for c in ws[1] if ledger.header_key(str(c.value)) == "备注")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, column).value = note
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(database: Database, content: bytes, expect: str, rows: int) -> Callable[[], None]:
    def run() -> None:
        with database.session() as session:
            parsed = ledger.read_ledger("points", "points.bin", content)
            result = service.import_ledger(
                session, kind="points", ledger=parsed, actor=BENCH_ACTOR, territory=None
            )
        if getattr(result, expect) != rows:
            raise RuntimeError(f"expected {rows} {expect}, got {result}")

    return run


def _export(database: Database) -> bytes:
    with database.session() as session:
        return ledger.write_xlsx(
            {"points": service.export_items(session, kind="points", territory=None)}
        )


def _delete_points(database: Database) -> None:
    with database.session() as session:
        session.execute(delete(GridPoint))
        session.commit()


def run(database: Database, rounds: int, progress: Callable[[str], None]) -> list[Timing]:
    """Every case, ``rounds`` times each, on a database holding the demo district."""
    with database.session() as session:
        total = len(service.export_items(session, kind="points", territory=None))
    content = _export(database)
    with database.session() as session:
        geojson = ledger.write_geojson(
            "points", service.export_items(session, kind="points", territory=None)
        )
    edited = _with_notes(content, "已核对")

    def xlsx_floor() -> None:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()

    # Each round starts and ends with the points as the demo loaded them.
    cases: list[tuple[str, Callable[[], Any] | None]] = [
        ("export .xlsx", lambda: _export(database)),
        ("import .xlsx, unchanged", _import(database, content, "unchanged", total)),
        ("import GeoJSON, unchanged", _import(database, geojson, "unchanged", total)),
        ("import .xlsx, every row changed", _import(database, edited, "updated", total)),
        ("(delete all points, untimed)", None),
        ("import .xlsx into an empty table", _import(database, content, "created", total)),
        ("baseline: openpyxl streaming the workbook", xlsx_floor),
        ("baseline: json.loads of the GeoJSON", lambda: json.loads(geojson)),
    ]
    results: dict[str, list[tuple[float, float]]] = {}
    for round_no in range(rounds):
        progress(f"round {round_no + 1}/{rounds}")
        for name, fn in cases:
            if fn is None:
                _delete_points(database)
            else:
                results.setdefault(name, []).append(_timed(fn))
    return [
        Timing(
            name,
            total,
            tuple(w for w, _ in results[name]),
            tuple(c for _, c in results[name]),
        )
        for name in results
    ]
