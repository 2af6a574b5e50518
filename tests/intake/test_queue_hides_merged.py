"""The incident queue (GET /api/v1/incidents) shows each live incident once: an incident merged
away into another is left out, and out of the total, unless the status filter asks for
``merged`` by name (review D5)."""

from __future__ import annotations

import pytest

from yingji.intake import lifecycle

from .conftest import report_body

pytestmark = pytest.mark.usefixtures("retire_new_incidents")


def test_the_queue_leaves_out_merged_away_incidents_unless_asked(  # type: ignore[no-untyped-def]
    client, token_for, quiet_spot
):
    duty = token_for("duty_officer")
    ids = []
    for _ in range(2):
        _, lon, lat = quiet_spot()
        r = client.post("/api/v1/reports", json=report_body(lon, lat), headers=duty)
        assert r.status_code == 201, r.text
        ids.append(r.json()["incident_id"])
    lead, away = ids
    assert lead != away
    r = client.post(
        "/api/v1/incidents/merge",
        json={"incident_ids": [lead, away], "lead_id": lead, "reason": "同一火灾"},
        headers=duty,
    )
    assert r.status_code == 200, r.text

    queue = client.get("/api/v1/incidents", headers=duty).json()
    listed = [i["id"] for i in queue["items"]]
    assert lead in listed and away not in listed
    assert all(i["status"] != "merged" for i in queue["items"])
    live = [s for s in lifecycle.STATUSES if s != "merged"]
    every_live = client.get("/api/v1/incidents", params={"status": ",".join(live)}, headers=duty)
    assert queue["total"] == every_live.json()["total"]

    merged = client.get("/api/v1/incidents", params={"status": "merged"}, headers=duty).json()
    assert away in [i["id"] for i in merged["items"]]
    both = client.get(
        "/api/v1/incidents", params={"status": "merged,reported"}, headers=duty
    ).json()
    assert {lead, away} <= {i["id"] for i in both["items"]}
    assert (
        queue["total"] + merged["total"]
        == client.get(
            "/api/v1/incidents", params={"status": ",".join(lifecycle.STATUSES)}, headers=duty
        ).json()["total"]
    )
