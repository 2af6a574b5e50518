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


def test_task_notices_reach_each_partys_duty_phone_and_escalations_the_office(
    client, token_for, make_incident, plan_id, demo
):
    from datetime import timedelta

    from yingji.command import notices
    from yingji.command.models import Task
    from yingji.org.models import Department, Headquarters
    from yingji.scheduling import timers

    inc = make_incident(text="城区一处仓库起火，火势较大", category_code="21C01")
    duty = token_for("duty_officer")
    r = client.post(f"/api/v1/incidents/{inc['id']}/activations",
                    json={"plan_id": plan_id("PLAN-URBAN-FIRE")}, headers=duty)  # fmt: skip
    assert r.status_code == 201, r.text
    tasks = r.json()["tasks"]
    ids = {t["id"] for t in tasks}
    with demo.session() as s:
        phones = dict(s.execute(select(Department.code, Department.duty_phone)).all())
        assigned = select(NotifyMessage).where(NotifyMessage.source_kind == "task_assigned")
        sms = [m for m in s.scalars(assigned) if set(m.data["task_ids"]) <= ids]
    with demo.session() as s:
        book = notices.contacts(s)
    party_of = {t["id"]: (t["party"]["type"], t["party"]["code"]) for t in tasks}
    reachable = {p for p in party_of.values() if book.phone(*p)}
    assert reachable and len(sms) == len(reachable)  # one SMS per party with a phone
    assert {party_of[m.data["task_ids"][0]] for m in sms} == reachable
    by_party = {m.recipient_name: m for m in sms}
    fire = next(t for t in tasks if t["party"]["code"] == "DEPT-FIRE")
    m = by_party[fire["party"]["name"]]
    assert m.recipient == phones["DEPT-FIRE"] and m.channel == "sms"
    assert fire["title"] in m.text and m.text.startswith("【应急指挥】")
    assert sorted(m.data["task_ids"]) == sorted(
        t["id"] for t in tasks if t["party"]["code"] == "DEPT-FIRE"
    )
    # the deadline passes: the headquarters office is told by SMS
    with demo.session() as s:
        due = s.scalar(select(Task.deadline_at).where(Task.id == fire["id"]))
    timers.run_due(demo, worker="notices", now=due + timedelta(seconds=1))
    with demo.session() as s:
        escalated = select(NotifyMessage).where(NotifyMessage.source_kind == "task_escalated")
        told = [m for m in s.scalars(escalated) if fire["id"] in m.data["task_ids"]]
        office = dict(s.execute(select(Headquarters.code, Headquarters.office_phone)).all())
    assert len(told) == 1 and told[0].data["stage"] == 1  # one SMS for the burst
    assert told[0].recipient in office.values() and "任务超时" in told[0].text
