"""A report's or a re-location's ``crs`` is taken in any case ("WGS84", "GCJ02", "BD09"), as
people type it, while the spec and the answers keep the lower-case names; a system not offered
is refused with the allowed ones named in Chinese as in English (review D3)."""

from __future__ import annotations

import pytest

from yingji.geo.transform import from_wgs84

from .conftest import report_body

pytestmark = pytest.mark.usefixtures("retire_new_incidents")


def _position(client, duty, incident_id):  # type: ignore[no-untyped-def]
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=duty)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("crs", ["WGS84", "wgs84", "GCJ02", "Gcj02", "BD09", "bd09"])
def test_a_report_in_any_case_of_a_crs_lands_where_it_is(  # type: ignore[no-untyped-def]
    client, token_for, quiet_spot, crs
):
    duty = token_for("duty_officer")
    code, lon, lat = quiet_spot()
    sent = from_wgs84(lon, lat, crs.lower())
    body = report_body(*sent)
    body["location"]["crs"] = crs
    r = client.post("/api/v1/reports", json=body, headers=duty)
    assert r.status_code == 201, r.text
    detail = _position(client, duty, r.json()["incident_id"])
    assert detail["subdistrict"]["code"] == code
    assert abs(detail["lon"] - lon) < 1e-5 and abs(detail["lat"] - lat) < 1e-5


def test_relocating_in_upper_case_crs(client, token_for, quiet_spot):  # type: ignore[no-untyped-def]
    duty = token_for("duty_officer")
    _, lon, lat = quiet_spot()
    r = client.post("/api/v1/reports", json=report_body(lon, lat), headers=duty)
    assert r.status_code == 201, r.text
    incident_id = r.json()["incident_id"]
    code2, lon2, lat2 = quiet_spot()
    blon, blat = from_wgs84(lon2, lat2, "bd09")
    r = client.post(
        f"/api/v1/incidents/{incident_id}/location",
        json={"lon": blon, "lat": blat, "crs": "BD09", "reason": "百度地图上点的"},
        headers=duty,
    )
    assert r.status_code == 200, r.text
    detail = _position(client, duty, incident_id)
    assert abs(detail["lon"] - lon2) < 1e-5 and detail["subdistrict"]["code"] == code2


def test_an_unknown_crs_names_the_allowed_ones_in_both_languages(client, token_for, spot):  # type: ignore[no-untyped-def]
    duty = token_for("duty_officer")
    _, lon, lat = spot()
    body = report_body(lon, lat)
    body["location"]["crs"] = "utm"
    r = client.post("/api/v1/reports", json=body, headers=duty)
    assert r.status_code == 422, r.text
    item = r.json()["errors"][0]
    assert item["field"] == "location.crs"
    for name in ("'wgs84'", "'gcj02'", "'bd09'"):
        assert name in item["message"] and name in item["message_en"]
    assert "或" in item["message"] and "取值不在允许范围内" in item["message"]


def test_the_spec_keeps_the_lower_case_names(client):  # type: ignore[no-untyped-def]
    spec = client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["Crs"]["enum"] == ["wgs84", "gcj02", "bd09"]
