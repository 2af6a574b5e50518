"""The notification seam end to end: queued in the caller's transaction, delivered by the
shared scheduler, every try stored, retried after the backoff, receipts accepted."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from tests.notify.conftest import SECRET
from yingji.notify import signing
from yingji.notify.config import get_notify_settings
from yingji.scheduling.models import Timer

URL = "/api/v1/notify/messages"


def _wait(client, headers, message_id, status, timeout_s=15.0):  # type: ignore[no-untyped-def]
    """The app's own scheduler loop delivers; wait until the message reaches ``status``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        m = client.get(f"{URL}/{message_id}", headers=headers).json()
        if m["status"] == status:
            return m
        time.sleep(0.05)
    raise AssertionError(f"message {message_id} stayed {m['status']}: {m}")


def test_the_dev_provider_records_and_the_record_lists_it(client, admin_headers):
    r = client.post(URL, headers=admin_headers, json={
        "channel": "sms", "to": "13900000001", "to_name": "王五", "text": "演练通知：请于 9 时到岗",
    })  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending"
    m = _wait(client, admin_headers, r.json()["id"], "sent")
    assert m["provider"] == "dev" and m["provider_ref"].startswith("dev-")
    assert [(t["attempt"], t["outcome"]) for t in m["tries"]] == [(1, "sent")]
    listed = client.get(URL, headers=admin_headers, params={"channel": "sms"}).json()
    assert any(i["id"] == m["id"] for i in listed["items"])


def test_a_signed_webhook_retried_after_its_backoff(client, admin_headers, receiver, providers):
    providers(base_s=0.5, attempts=3)
    receiver.script = [503]  # the receiver is down for the first try
    r = client.post(URL, headers=admin_headers, json={
        "channel": "webhook", "to": f"{receiver.url}/hook", "text": "积水路段：经十路",
    })  # fmt: skip
    m = _wait(client, admin_headers, r.json()["id"], "sent")
    got = receiver.wait_for(2)
    assert [g["status"] for g in got] == [503, 200]
    assert all(g["valid"] for g in got)  # both tries signed with the shared secret
    assert {g["message_id"] for g in got} == {str(m["id"])}  # one idempotency key
    assert [g["json"]["attempt"] for g in got] == [1, 2]
    assert got[0]["json"]["text"] == "积水路段：经十路"
    assert got[0]["content_type"].startswith("application/json")
    first, second = m["tries"]
    assert (first["outcome"], first["http_status"]) == ("failed", 503)
    assert second["outcome"] == "sent" and m["provider_ref"] == "gw-2"
    from datetime import datetime

    at, nxt = datetime.fromisoformat(first["at"]), datetime.fromisoformat(first["next_try_at"])
    assert nxt - at == timedelta(seconds=0.5)  # the policy's first delay, exactly


def test_a_refusal_is_not_retried_and_running_out_gives_up(client, admin_headers, receiver,
                                                           providers):  # fmt: skip
    providers(base_s=0.2, attempts=2)
    receiver.script = [400]
    bad = client.post(URL, headers=admin_headers, json={
        "channel": "webhook", "to": f"{receiver.url}/x", "text": "a"}).json()  # fmt: skip
    m = _wait(client, admin_headers, bad["id"], "failed")
    assert [(t["outcome"], t["http_status"]) for t in m["tries"]] == [("gave_up", 400)]
    receiver.script = [500, 502]
    down = client.post(URL, headers=admin_headers, json={
        "channel": "webhook", "to": f"{receiver.url}/y", "text": "b"}).json()  # fmt: skip
    m = _wait(client, admin_headers, down["id"], "failed")
    assert [t["outcome"] for t in m["tries"]] == ["failed", "gave_up"]
    assert m["last_error"] == "HTTP 502"


def test_an_sms_gateway_over_the_webhook_provider(client, admin_headers, receiver, providers):
    providers(sms_gateway=True)
    r = client.post(URL, headers=admin_headers, json={
        "channel": "sms", "to": "13900000002", "text": "测试短信"}).json()  # fmt: skip
    _wait(client, admin_headers, r["id"], "sent")
    (got,) = receiver.wait_for(1)
    assert got["path"] == "/sms" and got["valid"]
    assert (got["json"]["channel"], got["json"]["to"]) == ("sms", "13900000002")


def _sent(client, admin_headers):  # type: ignore[no-untyped-def]
    r = client.post(URL, headers=admin_headers, json={
        "channel": "voice", "to": "053186000000", "text": "语音通知"}).json()  # fmt: skip
    return _wait(client, admin_headers, r["id"], "sent")


def test_a_receipt_signed_by_the_provider(client, admin_headers, monkeypatch):
    m = _sent(client, admin_headers)
    monkeypatch.setattr(get_notify_settings(), "receipt_secret", SecretStr(SECRET))
    body = json.dumps({"provider_ref": m["provider_ref"], "status": "delivered",
                       "detail": "用户已接听"}).encode()  # fmt: skip
    ts = int(time.time())
    headers = {signing.TIMESTAMP_HEADER: str(ts), "Content-Type": "application/json",
               signing.SIGNATURE_HEADER: signing.sign(SECRET, ts, body)}  # fmt: skip
    r = client.post("/api/v1/notify/receipts", content=body, headers=headers)
    assert r.status_code == 201, r.text
    after = client.get(f"{URL}/{m['id']}", headers=admin_headers).json()
    assert after["status"] == "delivered" and after["delivered_at"]
    assert [x["detail"] for x in after["receipts"]] == ["用户已接听"]
    # the same body with another signature, or an old timestamp, is refused
    forged = {**headers, signing.SIGNATURE_HEADER: signing.sign("other", ts, body)}
    assert client.post("/api/v1/notify/receipts", content=body, headers=forged).status_code == 401
    old = {**headers, signing.TIMESTAMP_HEADER: str(ts - 3600),
           signing.SIGNATURE_HEADER: signing.sign(SECRET, ts - 3600, body)}  # fmt: skip
    assert client.post("/api/v1/notify/receipts", content=body, headers=old).status_code == 401


def test_a_receipt_with_an_integration_token(client, admin_headers, token_for):
    m = _sent(client, admin_headers)
    made = {"name": "短信平台回执", "channels": ["receipts"]}
    tok = client.post("/api/v1/integration-tokens", headers=admin_headers, json=made).json()
    tok = tok["token"]
    machine = {"Authorization": f"Bearer {tok}"}
    r = client.post("/api/v1/notify/receipts", headers=machine,
                    json={"message_id": m["id"], "status": "failed", "detail": "空号"})  # fmt: skip
    assert r.status_code == 201, r.text
    assert client.get(f"{URL}/{m['id']}", headers=admin_headers).json()["status"] == "failed"
    other = client.post("/api/v1/integration-tokens", headers=admin_headers,
                        json={"name": "x", "channels": ["sensor"]}).json()["token"]  # fmt: skip
    wrong = client.post("/api/v1/notify/receipts", headers={"Authorization": f"Bearer {other}"},
                        json={"message_id": m["id"], "status": "delivered"})  # fmt: skip
    assert wrong.status_code == 403
    user = client.post("/api/v1/notify/receipts", headers=token_for("duty_officer"),
                       json={"message_id": m["id"], "status": "delivered"})  # fmt: skip
    assert user.status_code == 403
    anonymous = client.post(
        "/api/v1/notify/receipts", json={"message_id": m["id"], "status": "delivered"}
    )
    assert anonymous.status_code == 401
    unknown = client.post("/api/v1/notify/receipts", headers=machine,
                          json={"message_id": 10**12, "status": "delivered"})  # fmt: skip
    assert unknown.status_code == 404


def test_the_record_is_for_the_command_roles(client, token_for):
    assert client.get(URL, headers=token_for("duty_officer")).status_code == 200
    assert client.get(URL, headers=token_for("grid_worker", "370103001")).status_code == 403
    body = {"channel": "sms", "to": "1", "text": "x"}
    assert client.post(URL, headers=token_for("duty_officer"), json=body).status_code == 403


@pytest.mark.parametrize("body", [
    {"channel": "fax", "to": "1", "text": "x"},
    {"channel": "sms", "to": "1", "text": ""},
    {"channel": "sms", "to": "1\x00", "text": "x"},
    {"channel": "webhook", "to": "ftp://x", "text": "x"},
])  # fmt: skip
def test_bad_input_is_refused_and_queues_nothing(client, admin_headers, demo, body):
    with demo.session() as s:
        before = s.scalar(select(Timer.id).order_by(Timer.id.desc()).limit(1))
    assert client.post(URL, headers=admin_headers, json=body).status_code == 422
    with demo.session() as s:
        assert s.scalar(select(Timer.id).order_by(Timer.id.desc()).limit(1)) == before
