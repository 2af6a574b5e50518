"""POST /api/v1/reports/cap with an alert over the demo district."""

from __future__ import annotations

from tests.conftest import SHARED

CAP_URL = "/api/v1/reports/cap"


def _alert(lon: float, lat: float, identifier: str, severity: str = "Severe") -> bytes:
    d = 0.002
    ring = [(lat - d, lon - d), (lat - d, lon + d), (lat + d, lon + d), (lat + d, lon - d)]
    ring.append(ring[0])
    polygon = " ".join(f"{a:.6f},{b:.6f}" for a, b in ring)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>37010041600000</sender>
  <sent>2026-07-18T14:00:00+08:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Immediate</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>GB/T 35561</valueName><value>11B03</value></eventCode>
    <senderName>济南市气象台</senderName>
    <headline>济南市气象台发布暴雨橙色预警信号</headline>
    <description>预计未来3小时内市中区降雨量将达50毫米以上，请注意防范。</description>
    <area><areaDesc>市中区</areaDesc><polygon>{polygon}</polygon></area>
  </info>
</alert>""".encode()


def test_cap_alert_over_the_district_becomes_an_incident(client, token_for, spots):
    sub, lon, lat = spots[5]
    duty = token_for("duty_officer")
    r = client.post(
        CAP_URL,
        content=_alert(lon, lat, "CAP-TEST-1"),
        headers={**duty, "Content-Type": "application/xml"},
    )
    assert r.status_code == 201, r.text
    item = r.json()["items"][0]
    assert item["status"] == 201
    res = item["result"]
    assert res["level"] == "II"  # Severe → II (orange)
    assert res["category_code"]["code"] == "11B03"
    assert res["category_code"]["names"][-1] == "暴雨"
    assert res["headquarters"]["code"] == "HQ-FLOOD"
    assert res["subdistrict"]["code"] == sub
    again = client.post(
        CAP_URL,
        content=_alert(lon, lat, "CAP-TEST-1"),
        headers={**duty, "Content-Type": "application/xml"},
    )
    assert again.status_code == 200 and again.json()["items"][0]["result"]["replayed"]
    detail = client.get(f"/api/v1/incidents/{res['incident_id']}", headers=duty).json()
    assert detail["reports"][0]["raw_body"].startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert any(x["target_type"] == "committee" for x in detail["routing"])


def test_cap_needs_the_cap_channel(client, admin_headers, spots):
    _, lon, lat = spots[6]
    token = client.post(
        "/api/v1/integration-tokens",
        json={"name": "预警中心", "channels": ["public"]},
        headers=admin_headers,
    ).json()["token"]
    r = client.post(
        CAP_URL,
        content=_alert(lon, lat, "CAP-TEST-2"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403
    good = client.post(
        "/api/v1/integration-tokens",
        json={"name": "预警中心 CAP", "channels": ["cap"]},
        headers=admin_headers,
    ).json()["token"]
    r = client.post(
        CAP_URL, content=_alert(lon, lat, "CAP-TEST-2"), headers={"Authorization": f"Bearer {good}"}
    )
    assert r.status_code == 201, r.text


def test_real_alerts_elsewhere_are_refused_as_outside(client, token_for):
    duty = token_for("duty_officer")
    r = client.post(
        CAP_URL,
        content=(SHARED / "data" / "cap" / "testdata_australia.cap").read_bytes(),
        headers=duty,
    )
    assert r.status_code == 422 and r.json()["code"] == "outside_district"
