"""Merging under concurrency: writers in parallel transactions (as two server processes would
be) given reports of one event found exactly one incident. PostgreSQL only: there several
processes write at once; SQLite runs one writer per database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from tests.conftest import ON_POSTGRES
from yingji.intake import locks, merge, policy, service
from yingji.intake.config import IntakeSettings
from yingji.intake.merge import LOCK_CELL_DEG
from yingji.intake.models import Incident, Report
from yingji.intake.prepare import Sender, prepare
from yingji.intake.schemas import ReportIn

from .conftest import report_body

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")


def _prepared(demo, positions, text, now):  # type: ignore[no-untyped-def]
    out = []
    with demo.session() as s:
        for lon, lat in positions:
            body = report_body(lon, lat, text=text)
            out.append(
                prepare(
                    s,
                    ReportIn.model_validate(body),
                    raw_body=str(body),
                    payload=body,
                    sender=Sender("user", "1", "test"),
                    now=now,
                )
            )
    return out


def _write_in_parallel(demo, batches, now) -> list[int]:  # type: ignore[no-untyped-def]
    """Each batch in its own transaction and thread, all released at once; the incident of
    each batch's first report."""
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []
    incident_ids: list[int] = []

    def write(batch) -> None:  # type: ignore[no-untyped-def]
        try:
            with demo.session() as db:
                org = service.organisation(db)
                barrier.wait()
                outcomes, _ = service.write_batch(
                    db, batch, settings=IntakeSettings(), org=org, now=now
                )
                db.commit()
                incident_ids.append(outcomes[0].result.incident_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    _retire(demo, incident_ids)
    return incident_ids


def _retire(demo, incident_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Mark the incidents false alarms: these tests use fixed spots that other tests' ``spot()``
    also hands out, and an open incident there would take their reports in."""
    with demo.session() as db:
        db.execute(
            update(Incident).where(Incident.id.in_(set(incident_ids))).values(status="false_alarm")
        )
        db.commit()


def test_parallel_writers_found_one_incident(demo, spots):
    _, lon, lat = spots[17]
    now = datetime.now(UTC)
    items = _prepared(demo, [(lon + k * 1e-5, lat) for k in range(8)], "仓库起火，火势很大", now)
    incident_ids = _write_in_parallel(demo, [[p] for p in items], now)
    assert len(set(incident_ids)) == 1
    with demo.session() as s:
        n = len(list(s.scalars(select(Report.id).where(Report.incident_id == incident_ids[0]))))
    assert n == len(items)


def test_parallel_writers_either_side_of_a_lock_cell_edge_found_one_incident(demo, spots):
    """Writers lock (group, lock cell): reports 200 m apart across a cell edge still meet."""
    _, lon, lat = spots[23]
    edge = round(lon / LOCK_CELL_DEG) * LOCK_CELL_DEG
    sides = [(edge - 0.0011, lat), (edge + 0.0011, lat)]  # about 100 m each side
    now = datetime.now(UTC)
    items = _prepared(demo, [sides[k % 2] for k in range(8)], "厂房起火，浓烟", now)
    incident_ids = _write_in_parallel(demo, [[p] for p in items], now)
    assert len(set(incident_ids)) == 1


def test_a_batch_locking_whole_groups_excludes_cell_locking_ones(demo, spots, monkeypatch):
    """Over ``MAX_CELL_LOCKS`` a batch locks its groups whole; the others lock cells under a
    shared group lock: the two kinds still exclude each other."""
    _, lon, lat = spots[29]
    _, far_lon, far_lat = spots[5]
    now = datetime.now(UTC)
    near = _prepared(demo, [(lon + k * 1e-5, lat) for k in range(6)], "商场起火", now)
    (far,) = _prepared(demo, [(far_lon, far_lat)], "商场起火", now)
    # as many cell locks as one report's reach needs (issue 13: a fire's reach spans several)
    reach = policy.shipped().reach_m(near[0].category.code)
    one = max(len(merge.lock_keys(merge.ALL_GROUPS, p.lon, p.lat, reach)) for p in near)
    monkeypatch.setattr(locks, "MAX_CELL_LOCKS", one)
    batches = [[near[0], far], *[[p] for p in near[1:]]]  # the first needs 2 cells: whole group
    with demo.session() as db:  # the two ways of locking these batches take (then let go)
        ways = [locks.lock_merge_neighbourhoods(db, b, IntakeSettings(), 3) for b in batches]
        db.rollback()
    assert ways == ["groups"] + ["cells"] * (len(batches) - 1)
    incident_ids = _write_in_parallel(demo, batches, now)
    assert len(set(incident_ids)) == 1


def test_parallel_http_requests_one_incident(client, token_for, spots, demo):
    from concurrent.futures import ThreadPoolExecutor

    _, lon, lat = spots[19]
    duty = token_for("duty_officer")
    bodies = [report_body(lon, lat, text="化工厂液氨泄漏") for _ in range(16)]
    with ThreadPoolExecutor(8) as pool:
        results = list(
            pool.map(lambda b: client.post("/api/v1/reports", json=b, headers=duty), bodies)
        )
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    assert len({r.json()["incident_id"] for r in results}) == 1
    _retire(demo, [results[0].json()["incident_id"]])
