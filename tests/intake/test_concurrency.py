"""Merging under concurrency: writers in parallel transactions (as two server processes would
be) given reports of one event found exactly one incident. PostgreSQL only: there several
processes write at once; SQLite runs one writer per database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.conftest import ON_POSTGRES
from yingji.intake import service
from yingji.intake.config import IntakeSettings
from yingji.intake.models import Report
from yingji.intake.prepare import Sender, prepare
from yingji.intake.schemas import ReportIn

from .conftest import report_body

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL")


def test_parallel_writers_found_one_incident(demo, spots):
    _, lon, lat = spots[17]
    now = datetime.now(UTC)
    items = []
    with demo.session() as s:
        for k in range(8):
            body = report_body(lon + k * 1e-5, lat, text="仓库起火，火势很大")
            items.append(
                prepare(
                    s,
                    ReportIn.model_validate(body),
                    raw_body=str(body),
                    payload=body,
                    sender=Sender("user", "1", "test"),
                    now=now,
                )
            )
    barrier = threading.Barrier(len(items))
    errors: list[BaseException] = []
    incident_ids: list[int] = []

    def write(p) -> None:  # type: ignore[no-untyped-def]
        try:
            with demo.session() as db:
                org = service.organisation(db)
                barrier.wait()
                outcomes, _ = service.write_batch(
                    db, [p], settings=IntakeSettings(), org=org, now=now
                )
                db.commit()
                incident_ids.append(outcomes[0].result.incident_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(set(incident_ids)) == 1
    with demo.session() as s:
        n = len(list(s.scalars(select(Report.id).where(Report.incident_id == incident_ids[0]))))
    assert n == len(items)


def test_parallel_http_requests_one_incident(client, token_for, spots):
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
