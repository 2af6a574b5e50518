"""Command's notices go out through the notification seam: warnings to every warning webhook
(the CAP 1.2 message, signed) and to the sub-district's duty room by SMS; task notices to
each party's duty phone."""

from __future__ import annotations

import time

from lxml import etree
from sqlalchemy import func, select

from tests.notify.conftest import providers, receiver  # noqa: F401  (fixtures)
from yingji.notify.config import get_notify_settings
from yingji.notify.models import NotifyMessage
from yingji.org.models import Subdistrict

WARNING = {
    "colour": "yellow", "event": "城市内涝", "headline": "经十路下穿隧道积水，请绕行",
    "description": "积水约 40 厘米。", "instruction": "车辆绕行，行人勿近。",
    "area_desc": "隧道周边 500 米", "area": {"circle": {"radius_m": 500}},
}  # fmt: skip


def _messages(demo, source_type: str, source_id: str) -> list[NotifyMessage]:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return list(s.scalars(
            select(NotifyMessage).where(NotifyMessage.source_type == source_type,
                                        NotifyMessage.source_id == source_id)
            .order_by(NotifyMessage.id)
        ))  # fmt: skip


def test_a_warning_reaches_its_webhooks_and_the_subdistrict(client, token_for, make_incident,
                                                            demo, receiver, providers,  # noqa: F811
                                                            monkeypatch):  # fmt: skip
    providers()
    monkeypatch.setattr(get_notify_settings(), "warning_webhooks", [f"{receiver.url}/cap"])
    inc = make_incident(text="经十路下穿隧道积水严重，车辆熄火", category_code=None)
    duty = token_for("duty_officer")
    w = client.post(f"/api/v1/incidents/{inc['id']}/warnings", json=WARNING, headers=duty).json()
    client.post(f"/api/v1/warnings/{w['id']}/lift", json={"reason": "积水已排除"}, headers=duty)
    got = receiver.wait_for(2)
    # in order: the Cancel waits for its Alert to be out
    assert [g["json"]["data"]["msg_type"] for g in got] == ["Alert", "Cancel"]
    assert all(g["valid"] and g["path"] == "/cap" for g in got)
    cap = etree.fromstring(got[0]["json"]["data"]["cap"].encode())
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert cap.findtext("cap:info/cap:headline", namespaces=ns) == WARNING["headline"]
    rows = _messages(demo, "warning", str(w["id"]))
    with demo.session() as s:
        duty_phone = s.scalar(select(Subdistrict.duty_phone).where(
            Subdistrict.code == inc["subdistrict"]))  # fmt: skip
    sms = [m for m in rows if m.channel == "sms"]
    assert [m.source_kind for m in sms] == ["warning_issued", "warning_lifted"]
    assert all(m.recipient == duty_phone for m in sms) and duty_phone
    assert "黄色周边预警" in sms[0].text and "车辆绕行" in sms[0].text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        m.status == "pending" for m in _messages(demo, "warning", str(w["id"]))
    ):
        time.sleep(0.05)
    assert {m.status for m in _messages(demo, "warning", str(w["id"]))} == {"sent"}


def test_a_refused_warning_sends_nothing(client, token_for, make_incident, demo):
    inc = make_incident()
    duty = token_for("duty_officer")
    with demo.session() as s:
        before = s.scalar(select(func.count()).select_from(NotifyMessage))
    body = WARNING | {"area": {"circle": {"radius_m": 0}}}
    bad = client.post(f"/api/v1/incidents/{inc['id']}/warnings", json=body, headers=duty)
    assert bad.status_code == 422
    with demo.session() as s:
        assert s.scalar(select(func.count()).select_from(NotifyMessage)) == before
