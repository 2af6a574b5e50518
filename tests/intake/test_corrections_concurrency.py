"""Corrections under concurrency (PostgreSQL, where requests run in parallel transactions):
a merge of A into B racing a merge of B into A — one wins, no cycle, no report lost or
counted twice; a merge while the intake writer folds new reports into the lead loses none."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.conftest import ON_POSTGRES
from yingji.intake.models import Incident, Report

from .conftest import report_body

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL"),
    pytest.mark.usefixtures("retire_new_incidents"),
]


def _incident(client, duty, lon, lat, **over):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/reports", json=report_body(lon, lat, **over), headers=duty)
    assert r.status_code == 201, r.text
    return r.json()["incident_id"]


def _rows(demo, ids):  # type: ignore[no-untyped-def]
    with demo.session() as s:
        incidents = {i.id: i for i in s.scalars(select(Incident).where(Incident.id.in_(ids)))}
        reports = dict(
            s.execute(
                select(Report.incident_id, func.count(Report.id))
                .where(Report.incident_id.in_(ids))
                .group_by(Report.incident_id)
            ).all()
        )
        s.expunge_all()
    return incidents, reports


@pytest.mark.parametrize("round_", range(4))
def test_merge_a_into_b_racing_b_into_a(client, token_for, quiet_spot, demo, round_):  # type: ignore[no-untyped-def]
    duty = token_for("duty_officer")
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _incident(client, duty, lon1, lat1)
    _incident(client, duty, lon1 + 0.0003, lat1)  # A holds two reports
    b = _incident(client, duty, lon2, lat2, casualties={"injuries": 4})
    assert a != b
    barrier = threading.Barrier(2)

    def merge(lead: int):  # type: ignore[no-untyped-def]
        barrier.wait()
        return client.post(
            "/api/v1/incidents/merge",
            json={"incident_ids": [a, b], "lead_id": lead, "reason": f"并发合并 {round_}"},
            headers=duty,
        )

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(merge, [b, a]))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 409).json()
    assert loser["code"] == "incident_merged"
    winner = next(r for r in results if r.status_code == 200).json()
    lead = winner["incident"]["id"]
    other = b if lead == a else a
    incidents, reports = _rows(demo, [a, b])
    assert incidents[other].status == "merged" and incidents[other].merged_into_id == lead
    assert incidents[lead].status != "merged" and incidents[lead].merged_into_id is None  # no cycle
    assert reports == {lead: 3}  # every report, once
    assert incidents[lead].report_count == 3 and incidents[other].report_count == 0
    assert incidents[lead].injuries == 4


def test_a_merge_racing_the_writer_loses_no_report(client, token_for, quiet_spot, demo):  # type: ignore[no-untyped-def]
    """Reports merging into the lead through the writer while an officer merges another
    incident into it: the lead's count is the reports it holds, none lost, none twice."""
    duty = token_for("duty_officer")
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    a = _incident(client, duty, lon1, lat1)
    b = _incident(client, duty, lon2, lat2)
    _incident(client, duty, lon2 + 0.0003, lat2)
    bodies = [report_body(lon1 + k * 2e-5, lat1) for k in range(12)]

    def post(body):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/reports", json=body, headers=duty)

    with ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(post, body) for body in bodies[:6]]
        merged = pool.submit(
            client.post,
            "/api/v1/incidents/merge",
            json={"incident_ids": [a, b], "lead_id": a, "reason": "同一起"},
            headers=duty,
        )
        futures += [pool.submit(post, body) for body in bodies[6:]]
        answers = [f.result() for f in futures]
    assert merged.result().status_code == 200, merged.result().text
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers]
    assert {r.json()["incident_id"] for r in answers} == {a}
    incidents, reports = _rows(demo, [a, b])
    assert reports == {a: 1 + 2 + 12}
    assert incidents[a].report_count == 15
    assert incidents[b].report_count == 0 and incidents[b].status == "merged"
