"""``yingji bench demo``: how long loading the demo district into an empty database takes.

Each round makes a fresh database (an SQLite file, or a new PostgreSQL database), migrates it
and times, separately, generating the district (cache cleared) and the whole ``load_demo``
(generation, bulk inserts, ten argon2-hashed accounts, one commit). The baseline, measured
in the same run on its own fresh databases, inserts the same rows one ``INSERT`` per row.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session

from yingji.core import migrate
from yingji.core.db import Database
from yingji.demo import load
from yingji.demo.district import DemoDistrict, generate_district
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.org.models import (
    Committee,
    Department,
    Headquarters,
    HeadquartersMember,
    LocalForce,
    Person,
    Subdistrict,
)


@dataclass(frozen=True)
class Timing:
    """Seconds over several rounds: median and spread."""

    name: str
    seconds: tuple[float, ...]

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def min_s(self) -> float:
        return min(self.seconds)

    @property
    def max_s(self) -> float:
        return max(self.seconds)


@contextmanager
def fresh_database(kind: str, pg_admin_url: str) -> Iterator[Database]:
    """A new, empty, migrated database of ``kind`` (``sqlite`` or ``postgres``), then gone."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="yingji-bench-") as tmp:
            database = Database(f"sqlite:///{Path(tmp) / 'demo.db'}")
            migrate.upgrade(database.engine)
            try:
                yield database
            finally:
                database.dispose()
        return
    if kind != "postgres":
        raise ValueError(f"unknown database kind: {kind}")
    name = f"yingji_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database = Database(pg_admin_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        migrate.upgrade(database.engine)
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def time_generate(seed: int) -> float:
    generate_district.cache_clear()
    started = time.perf_counter()
    generate_district(seed)
    return time.perf_counter() - started


def time_load(database: Database, seed: int) -> float:
    """``load_demo`` end to end, generation included (the cache is cleared first)."""
    generate_district.cache_clear()
    with database.session() as session:
        started = time.perf_counter()
        if not load.load_demo(session, seed=seed):
            raise RuntimeError("benchmark database was not empty")
        return time.perf_counter() - started


def time_bulk_insert(database: Database, seed: int) -> float:
    """The district rows alone, bulk inserted as ``load_demo`` does, one commit."""
    district = generate_district(seed)
    with database.session() as session:
        started = time.perf_counter()
        load.insert_district(session, district)
        session.commit()
        return time.perf_counter() - started


def time_row_by_row(database: Database, seed: int) -> float:
    """Baseline: the same district rows, one INSERT statement per row, one commit."""
    district = generate_district(seed)
    with database.session() as session:
        started = time.perf_counter()
        _insert_row_by_row(session, district)
        session.commit()
        return time.perf_counter() - started


def _insert_row_by_row(session: Session, district: DemoDistrict) -> None:
    ids: dict[int, int] = {}
    for person in district.persons:
        row = {k: v for k, v in person.items() if k != "id"}
        ids[person["id"]] = session.scalar(insert(Person).values(**row).returning(Person.id))  # type: ignore[assignment]  # INSERT … RETURNING id always returns the id

    def remap(row: dict[str, Any], *columns: str) -> dict[str, Any]:
        return {**row, **{c: ids[row[c]] for c in columns if row[c] is not None}}

    tables: list[tuple[Any, list[dict[str, Any]], tuple[str, ...]]] = [
        (Committee, district.committees, ("first_director_id", "director_id")),
        (Department, district.departments, ("head_id",)),
        (Headquarters, district.headquarters, ("commander_id", "office_director_id")),
        (HeadquartersMember, district.headquarters_members, ()),
        (Subdistrict, district.subdistricts, ()),
        (LocalForce, district.local_forces, ("leader_id",)),
        (GridArea, district.areas, ()),
        (GridLine, district.lines, ()),
        (GridPoint, district.points, ()),
    ]
    for model, rows, columns in tables:
        for row in rows:
            session.execute(insert(model).values(**remap(row, *columns)))


def run(
    *,
    kind: str,
    rounds: int,
    seed: int,
    pg_admin_url: str,
    baseline_rounds: int,
    on_round: Callable[[], None] = lambda: None,
) -> list[Timing]:
    """Generation, full load and the row-by-row baseline, each over fresh databases."""
    generate_s: list[float] = []
    load_s: list[float] = []
    bulk_s: list[float] = []
    baseline_s: list[float] = []
    for _ in range(rounds):
        generate_s.append(time_generate(seed))
        with fresh_database(kind, pg_admin_url) as database:
            load_s.append(time_load(database, seed))
        with fresh_database(kind, pg_admin_url) as database:
            bulk_s.append(time_bulk_insert(database, seed))
        on_round()
    for _ in range(baseline_rounds):
        with fresh_database(kind, pg_admin_url) as database:
            baseline_s.append(time_row_by_row(database, seed))
        on_round()
    return [
        Timing("load_demo: all of it (generate, insert, 10 accounts)", tuple(load_s)),
        Timing("generate_district alone (no database)", tuple(generate_s)),
        Timing("district rows, bulk insert (as load_demo)", tuple(bulk_s)),
        Timing("baseline: district rows, one INSERT per row", tuple(baseline_s)),
    ]
