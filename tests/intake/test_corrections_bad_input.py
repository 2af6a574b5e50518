"""A duty officer's corrections refused: each a clear error in the platform's one shape, and
nothing changed (no row anywhere, the incidents as they were)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.intake.models import Correction, IncidentReport, Routing

from .conftest import counts, report_body

pytestmark = pytest.mark.usefixtures("retire_new_incidents")


@pytest.fixture
def duty(token_for):  # type: ignore[no-untyped-def]
    return token_for("duty_officer")


def _incident(client, duty, lon, lat, **over):  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/reports", json=report_body(lon, lat, **over), headers=duty)
    assert r.status_code == 201, r.text
    return r.json()


def _state(client, demo, duty, ids):  # type: ignore[no-untyped-def]
    """Everything a correction could change: row counts and the incidents as the API shows."""
    with demo.session() as s:
        extra = {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Correction, Routing, IncidentReport)
        }
        # the app's scheduler audits notice deliveries queued by earlier tests meanwhile
        # (actor system); what a refused correction must not add is a person's audit row
        extra["audit_log"] = int(
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.actor_type != "system")
            )
            or 0
        )
    details = {}
    for i in ids:
        d = client.get(f"/api/v1/incidents/{i}", headers=duty).json()
        details[i] = {k: d[k] for k in d if k != "timeline"} | {"timeline": len(d["timeline"])}
    return counts(demo), extra, details


def _refused(client, demo, duty, ids, method_url, body, status, code, field=None):  # type: ignore[no-untyped-def]
    before = _state(client, demo, duty, ids)
    r = client.post(method_url, json=body, headers=duty)
    assert r.status_code == status, r.text
    out = r.json()
    assert out["code"] == code, out
    assert out["message"] and out["message_en"]
    assert set(out) >= {"code", "message", "message_en", "field", "errors"}
    if field:
        assert out["field"] == field, out
    if status == 422:  # every 422 lists what is at fault in ``errors`` (review D6)
        assert out["errors"], out
    assert _state(client, demo, duty, ids) == before
    return out


@pytest.fixture
def two(client, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon1, lat1 = quiet_spot()
    _, lon2, lat2 = quiet_spot()
    return _incident(client, duty, lon1, lat1)["incident_id"], _incident(client, duty, lon2, lat2)[
        "incident_id"
    ]


MERGE = "/api/v1/incidents/merge"


def test_merging_an_incident_into_itself(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, _ = two
    out = _refused(
        client,
        demo,
        duty,
        [a],
        MERGE,
        {"incident_ids": [a, a], "lead_id": a, "reason": "x"},
        422,
        "merge_into_self",
    )
    assert "自身" in out["message"]


def test_a_list_with_one_id(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, _ = two
    _refused(
        client,
        demo,
        duty,
        [a],
        MERGE,
        {"incident_ids": [a], "lead_id": a, "reason": "x"},
        422,
        "merge_too_few",
        "incident_ids",
    )


def test_the_lead_must_be_listed(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, b = two
    _refused(
        client,
        demo,
        duty,
        [a, b],
        MERGE,
        {"incident_ids": [a, b], "lead_id": 999999, "reason": "x"},
        422,
        "lead_not_listed",
    )


@pytest.mark.parametrize("status", ["false_alarm", "closed"])
def test_merging_into_a_closed_or_false_alarm_incident(client, demo, duty, two, status):  # type: ignore[no-untyped-def]
    a, b = two
    path = ["false_alarm"] if status == "false_alarm" else ["verified", "closed"]
    for to in path:
        r = client.post(
            f"/api/v1/incidents/{b}/transitions", json={"to": to, "reason": "核"}, headers=duty
        )
        assert r.status_code == 200, r.text
    _refused(
        client,
        demo,
        duty,
        [a, b],
        MERGE,
        {"incident_ids": [a, b], "lead_id": b, "reason": "x"},
        409,
        "incident_closed",
        "lead_id",
    )
    _refused(
        client,
        demo,
        duty,
        [a, b],
        MERGE,
        {"incident_ids": [a, b], "lead_id": a, "reason": "x"},
        409,
        "incident_closed",
    )


def test_an_unknown_incident(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, _ = two
    _refused(
        client,
        demo,
        duty,
        [a],
        MERGE,
        {"incident_ids": [a, 987654321], "lead_id": a, "reason": "x"},
        404,
        "not_found",
    )


def test_a_reason_is_required(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, b = two
    _refused(
        client,
        demo,
        duty,
        [a, b],
        MERGE,
        {"incident_ids": [a, b], "lead_id": a, "reason": ""},
        422,
        "validation_error",
        "reason",
    )
    _refused(
        client,
        demo,
        duty,
        [a, b],
        MERGE,
        {"incident_ids": [a, b], "lead_id": a, "reason": "   "},
        422,
        "reason_required",
    )


@pytest.mark.parametrize(
    ("role", "scope"),
    [("hq_commander", "HQ-FLOOD"), ("viewer", None), ("department_operator", "DEPT-FIRE")],
)
def test_only_the_roles_that_screen_correct(client, demo, duty, two, token_for, role, scope):  # type: ignore[no-untyped-def]
    a, b = two
    headers = token_for(role, scope)  # creating the user is audited: before the count
    before = _state(client, demo, duty, [a, b])
    r = client.post(
        MERGE, json={"incident_ids": [a, b], "lead_id": a, "reason": "x"}, headers=headers
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert _state(client, demo, duty, [a, b]) == before


def test_splitting_out_an_incidents_only_report(client, demo, duty, quiet_spot):  # type: ignore[no-untyped-def]
    _, lon, lat = quiet_spot()
    only = _incident(client, duty, lon, lat)
    a = only["incident_id"]
    _refused(
        client,
        demo,
        duty,
        [a],
        f"/api/v1/incidents/{a}/reports/{only['report_id']}/split",
        {"reason": "x"},
        409,
        "only_report",
        "report_id",
    )


def test_moving_an_incidents_only_report_or_into_itself(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, b = two
    with demo.session() as s:
        from yingji.intake.models import Report

        rid = s.scalar(select(Report.id).where(Report.incident_id == a))
    url = f"/api/v1/incidents/{a}/reports/{rid}/move"
    _refused(
        client, demo, duty, [a, b], url, {"to_incident_id": b, "reason": "x"}, 409, "only_report"
    )
    _refused(
        client, demo, duty, [a, b], url, {"to_incident_id": a, "reason": "x"}, 422, "same_incident"
    )


def test_a_report_of_another_incident(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, b = two
    with demo.session() as s:
        from yingji.intake.models import Report

        rid = s.scalar(select(Report.id).where(Report.incident_id == b))
    _refused(
        client,
        demo,
        duty,
        [a, b],
        f"/api/v1/incidents/{a}/reports/{rid}/split",
        {"reason": "x"},
        404,
        "not_found",
        "report_id",
    )


@pytest.mark.parametrize("code", ["99Z99", "21X01", "abc"])
def test_reclassifying_to_an_unknown_code(client, demo, duty, two, code):  # type: ignore[no-untyped-def]
    a, _ = two
    _refused(
        client,
        demo,
        duty,
        [a],
        f"/api/v1/incidents/{a}/category",
        {"category_code": code, "reason": "x"},
        422,
        "unknown_category",
        "category_code",
    )


def test_relocating_outside_the_district(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, _ = two
    _refused(
        client,
        demo,
        duty,
        [a],
        f"/api/v1/incidents/{a}/location",
        {"lon": 121.47, "lat": 31.23, "reason": "x"},
        422,
        "outside_district",
    )


def test_relocating_with_swapped_coordinates(client, demo, duty, two, spots):  # type: ignore[no-untyped-def]
    a, _ = two
    _, lon, lat = spots[5]
    out = _refused(
        client,
        demo,
        duty,
        [a],
        f"/api/v1/incidents/{a}/location",
        {"lon": lat, "lat": lon, "reason": "x"},
        422,
        "swapped_coordinates",
    )
    assert "填反" in out["message"]


def test_relocating_to_an_unknown_address_or_half_a_point(client, demo, duty, two):  # type: ignore[no-untyped-def]
    a, _ = two
    url = f"/api/v1/incidents/{a}/location"
    _refused(
        client,
        demo,
        duty,
        [a],
        url,
        {"address": "火星基地一号", "reason": "x"},
        422,
        "address_not_found",
        "address",
    )
    _refused(client, demo, duty, [a], url, {"lon": 117.0, "reason": "x"}, 422, "validation_error")
