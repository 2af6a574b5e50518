"""Who did each step, as the timeline tells it: the report's receipt is its sender's; what the
machine did with it (locating, classifying, grading, the merge decision, screening, routing,
pushing) is the system's, so an audit reader tells the machine's inference from a person's word
(review D9). The officer's corrections are kept as labelled evidence against exactly these."""

from __future__ import annotations

import pytest

from .conftest import report_body

pytestmark = pytest.mark.usefixtures("retire_new_incidents")

MACHINE_STEPS = {"located", "classified", "graded", "merge_checked", "merged", "routed", "pushed"}


def _timeline(client, duty, incident_id):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=duty)
    assert r.status_code == 200, r.text
    return r.json()["timeline"]


def test_machine_steps_are_the_systems_and_the_receipt_the_senders(  # type: ignore[no-untyped-def]
    client, token_for, quiet_spot
):
    duty = token_for("duty_officer")
    me = client.get("/api/v1/auth/me", headers=duty).json()
    _, lon, lat = quiet_spot()
    first = client.post("/api/v1/reports", json=report_body(lon, lat), headers=duty)
    assert first.status_code == 201, first.text
    incident_id = first.json()["incident_id"]
    second = client.post(
        "/api/v1/reports", json=report_body(lon + 0.0002, lat), headers=duty
    )  # the same fire again: merged by the machine
    assert second.status_code == 201 and second.json()["incident_id"] == incident_id

    timeline = _timeline(client, duty, incident_id)
    received = [t for t in timeline if t["kind"] == "report_received"]
    assert len(received) == 2
    for t in received:
        assert t["actor"]["type"] != "system"
        assert t["actor"]["name"] == me["display_name"]
    machine = [t for t in timeline if t["kind"] in MACHINE_STEPS]
    assert {t["kind"] for t in machine} >= {"located", "classified", "graded", "merged", "routed"}
    for t in machine:
        assert t["actor"]["type"] == "system", t
        assert t["actor"]["name"] == "系统", t
        assert t["actor"]["name"] != me["display_name"]
