"""Warnings to the surroundings: CAP 1.2 that validates against the OASIS schema (the
shared copy), GB/T 35965.1 identifiers, Update/Cancel with references, the Atom feed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import SHARED
from yingji.command.warnings import cap

NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
ID_FORM = re.compile(r"^\d{14}_\d{14}(_\d)?$")  # GB/T 35965.1 as reproduced (uncertain)


@pytest.fixture(scope="module")
def oasis_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "data" / "cap" / "cap12.xsd")))


def _xml(text: str) -> etree._Element:
    return etree.fromstring(text.encode(), etree.XMLParser(resolve_entities=False))


def _warning_body(**over):  # type: ignore[no-untyped-def]
    body = {
        "colour": "orange",
        "event": "危险化学品泄漏",
        "headline": "京台高速殷家林立交氨水泄漏，周边 1 公里注意防护",
        "description": "氨水罐车泄漏，消防正在稀释处置。",
        "instruction": "周边村民关闭门窗，不要靠近现场，听从街道工作人员指挥。",
        "area_desc": "殷家林立交周边 1 公里",
        "area": {"circle": {"radius_m": 1000}},
    }
    body.update(over)
    return body


def test_issue_update_lift_each_a_valid_cap(client, token_for, make_incident, oasis_schema) -> None:
    inc = make_incident()
    duty = token_for("duty_officer")
    r = client.post(f"/api/v1/incidents/{inc['id']}/warnings", json=_warning_body(), headers=duty)
    assert r.status_code == 201, r.text
    w = r.json()
    assert w["status"] == "active" and w["colour_name"] == "橙色" and w["level"] == "II"
    assert w["area"]["circle"]["lon"] == pytest.approx(inc["lon"], abs=1e-6)
    alert_xml = client.get(f"/api/v1/warnings/{w['id']}/cap", headers=duty)
    assert alert_xml.headers["content-type"].startswith("application/cap+xml")
    alert = _xml(alert_xml.text)
    oasis_schema.assertValid(alert)
    ident = alert.findtext("cap:identifier", namespaces=NS)
    assert ID_FORM.match(ident) and ident.startswith("37010300000000_")
    assert alert.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert alert.findtext("cap:info/cap:severity", namespaces=NS) == "Severe"
    assert alert.findtext("cap:info/cap:category", namespaces=NS) == "CBRNE"
    assert alert.findtext("cap:sent", namespaces=NS).endswith("+08:00")
    circle = alert.findtext("cap:info/cap:area/cap:circle", namespaces=NS)
    assert circle.endswith(" 1.000") and circle.startswith(f"{inc['lat']:.6f},")

    up = client.patch(
        f"/api/v1/warnings/{w['id']}", json={"colour": "red", "area_desc": "周边 2 公里",
        "area": {"circle": {"radius_m": 2000}}}, headers=duty,
    )  # fmt: skip
    assert up.status_code == 200, up.text
    update = _xml(client.get(f"/api/v1/warnings/{w['id']}/cap", headers=duty).text)
    oasis_schema.assertValid(update)
    assert update.findtext("cap:msgType", namespaces=NS) == "Update"
    refs = update.findtext("cap:references", namespaces=NS)
    assert f",{ident}," in refs
    assert update.findtext("cap:identifier", namespaces=NS) != ident

    lifted = client.post(f"/api/v1/warnings/{w['id']}/lift", json={"reason": "泄漏已处置完毕"},
                         headers=duty)  # fmt: skip
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"
    assert [m["msg_type"] for m in lifted.json()["messages"]] == ["Alert", "Update", "Cancel"]
    cancel = _xml(client.get(f"/api/v1/warnings/{w['id']}/cap", headers=duty).text)
    oasis_schema.assertValid(cancel)
    assert cancel.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert len(cancel.findtext("cap:references", namespaces=NS).split()) == 2
    again = client.post(f"/api/v1/warnings/{w['id']}/lift", json={}, headers=duty)
    assert again.status_code == 409
    first = client.get(f"/api/v1/warnings/{w['id']}/cap", params={"identifier": ident},
                       headers=duty)  # fmt: skip
    assert _xml(first.text).findtext("cap:msgType", namespaces=NS) == "Alert"
    kinds = [e["kind"] for e in client.get(f"/api/v1/incidents/{inc['id']}",
                                           headers=duty).json()["timeline"]]  # fmt: skip
    assert {"warning_issued", "warning_updated", "warning_lifted"} <= set(kinds)


def test_polygon_warning_and_feed(client, token_for, make_incident, oasis_schema) -> None:
    inc = make_incident()
    lon, lat = inc["lon"], inc["lat"]
    ring = [[lon - 0.01, lat - 0.01], [lon + 0.01, lat - 0.01], [lon + 0.01, lat + 0.01],
            [lon - 0.01, lat + 0.01]]  # fmt: skip
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/warnings",
        json=_warning_body(colour="yellow", area={"polygon": ring}),
        headers=token_for("duty_officer"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    xml = _xml(client.get(f"/api/v1/warnings/{r.json()['id']}/cap",
                          headers=token_for("viewer")).text)  # fmt: skip
    oasis_schema.assertValid(xml)
    pairs = xml.findtext("cap:info/cap:area/cap:polygon", namespaces=NS).split()
    assert len(pairs) == 5 and pairs[0] == pairs[-1]
    # CAP is lat,lon; the area is stored to 7 decimals and written to 6, so allow one in the 6th
    first_lat, first_lon = (float(v) for v in pairs[0].split(","))
    assert abs(first_lat - (lat - 0.01)) <= 1.01e-6 and abs(first_lon - (lon - 0.01)) <= 1.01e-6
    feed = client.get("/api/v1/warnings/feed", headers=token_for("viewer"))
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    root = _xml(feed.text)
    links = root.findall("a:entry/a:link", ATOM)
    assert any(ln.get("href").endswith(f"/api/v1/warnings/{r.json()['id']}/cap") for ln in links)
    assert all(ln.get("type") == "application/cap+xml" for ln in links)


def test_bad_areas_are_refused(client, token_for, make_incident) -> None:
    inc = make_incident()
    duty = token_for("duty_officer")
    url = f"/api/v1/incidents/{inc['id']}/warnings"
    bowtie = [[117.0, 36.6], [117.01, 36.61], [117.01, 36.6], [117.0, 36.61]]
    for area in (
        {"polygon": bowtie},
        {"circle": {"radius_m": 60_000}},
        {"circle": {"radius_m": 500}, "polygon": bowtie},
        {},
    ):
        r = client.post(url, json=_warning_body(area=area), headers=duty)
        assert r.status_code == 422, (area, r.text)
        assert r.json()["message"] and r.json()["message_en"]
    r = client.post(url, json=_warning_body(colour="purple"), headers=duty)
    assert r.status_code == 422
    r = client.post(url, json=_warning_body(), headers=token_for("department_operator",
                                                                  "DEPT-FIRE"))  # fmt: skip
    assert r.status_code == 403


def test_control_characters_in_a_warning_are_422(client, token_for, make_incident) -> None:
    """Issue 14: control characters reached lxml while the CAP was built (a 500)."""
    duty = token_for("duty_officer")
    url = f"/api/v1/incidents/{make_incident()['id']}/warnings"
    body = {
        "colour": "red",
        "event": "危险化学品泄漏",
        "headline": "氨水泄漏\x13",
        "description": "消防正在\x1e稀释处置",
        "area_desc": "周边 1 公里",
        "area": {"circle": {"radius_m": 1000}},
    }
    resp = client.post(url, json=body, headers=duty)
    assert resp.status_code == 422, resp.text
    assert {"headline", "description"} <= {e["field"] for e in resp.json()["errors"]}
    # Tab, newline and carriage return are text.
    body |= {"headline": "氨水泄漏\t注意", "description": "第一行\r\n第二行"}
    resp = client.post(url, json=body, headers=duty)
    assert resp.status_code == 201, resp.text
    cap = client.get(f"/api/v1/warnings/{resp.json()['id']}/cap", headers=duty)
    assert cap.status_code == 200
    assert "氨水泄漏\t注意" in _xml(cap.text).findtext("cap:info/cap:headline", namespaces=NS)


# Any text at all, control characters and lone surrogates too: rows written before the input
# rules, or by sources that never passed them, must still build a valid CAP (xml_safe).
_text = st.text(min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(
    colour=st.sampled_from(cap.COLOURS),
    msg_type=st.sampled_from(["Alert", "Update", "Cancel"]),
    headline=_text,
    description=_text,
    lon=st.floats(116.8, 117.2),
    lat=st.floats(36.4, 36.8),
    radius_m=st.floats(1, 50_000),
    code=st.sampled_from([None, "21A03", "11B03", "12B02", "31A00", "43A00"]),
    seconds=st.integers(0, 10**8),
)
def test_built_cap_always_validates(
    colour, msg_type, headline, description, lon, lat, radius_m, code, seconds
) -> None:  # type: ignore[no-untyped-def]
    sent = datetime(2026, 8, 18, 6, 0, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=7)
    xml = cap.build(
        cap.CapInput(
            identifier=cap.identifier("37010300000000", sent), sender="s@x", sender_name="区应急局",
            sent=sent, msg_type=msg_type, colour=colour, event="事件", headline=headline,
            description=description, instruction="", area_desc="周边",
            area={"circle": {"lon": lon, "lat": lat, "radius_m": radius_m}},
            category_code=code, division_code="370103", effective=sent,
            references=[] if msg_type == "Alert" else [("s@x", "37010300000000_20260818140000",
                                                        sent)],
        )
    )  # fmt: skip
    assert cap.validate(xml) == []
    schema = etree.XMLSchema(etree.parse(str(SHARED / "data" / "cap" / "cap12.xsd")))
    assert schema.validate(etree.fromstring(xml))
