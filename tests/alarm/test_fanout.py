"""The fan-out's deliveries per alarm: each try visible, a failure visible to the duty officer
at once (the list's ``delivery_failed``), the retries on the shared scheduler."""

from __future__ import annotations

import time
from datetime import timedelta

from yingji.alarm import service as alarm_service
from yingji.core.db import utcnow
from yingji.notify import service as notify
from yingji.notify.providers import Channel, DevProvider, Outgoing, SendResult
from yingji.scheduling.backoff import Backoff


class Refusing:
    """A linkage platform that answers 503 to every try."""

    name = "refusing"

    def __init__(self) -> None:
        self.tries: list[int] = []

    def send(self, message: Outgoing) -> SendResult:
        self.tries.append(message.message_id)
        return SendResult("failed", retryable=True, http_status=503, error="HTTP 503")


def test_a_failed_delivery_is_visible_with_its_tries_and_retried(
    client, alarm_body, configured, token_for
):
    before = notify.registry()
    refusing = Refusing()
    notify.use(notify.Registry(
        {Channel.webhook: refusing, Channel.sms: DevProvider(), Channel.voice: DevProvider()},
        Backoff(base_s=0.3, max_s=0.3, max_attempts=2),
    ))  # fmt: skip
    try:
        aid = client.post("/api/v1/alarms", json=alarm_body(kind="fire")).json()["id"]
        duty = token_for("duty_officer")
        deadline = time.monotonic() + 20
        detail = {}
        while time.monotonic() < deadline:
            detail = client.get(f"/api/v1/alarms/{aid}", headers=duty).json()
            linkage = [d for d in detail["deliveries"] if d["kind"] == "119"]
            if linkage and linkage[0]["status"] == "failed":
                break
            time.sleep(0.2)
        linkage = [d for d in detail["deliveries"] if d["kind"] == "119"]
        assert linkage and linkage[0]["status"] == "failed", detail["deliveries"]
        assert [t["outcome"] for t in linkage[0]["tries"]] == ["failed", "gave_up"]
        assert linkage[0]["tries"][0]["http_status"] == 503 and linkage[0]["failed"]
        assert detail["delivery_failed"] is True
        contacts = [d for d in detail["deliveries"] if d["kind"] == "紧急联系人"]
        assert contacts and contacts[0]["status"] == "sent"
        assert contacts[0]["recipient"] == "13800001111"
        row = next(a for a in client.get("/api/v1/alarms", headers=duty).json()["items"]
                   if a["id"] == aid)  # fmt: skip
        assert row["delivery_failed"] is True
    finally:
        notify.use(before)


def test_the_purge_drops_media_and_positions_past_retention(
    client, alarm_body, token_for, demo, app
):
    from tests.alarm.test_api import _put
    from tests.media.conftest import jpeg
    from yingji.alarm.models import Alarm

    got = client.post("/api/v1/alarms", json=alarm_body()).json()
    assert _put(client, got["id"], 1, jpeg(320, 240), secret=got["secret"]).status_code == 200
    client.post(f"/api/v1/alarms/{got['id']}/positions", json={"lon": 117.0, "lat": 36.65},
                headers={"X-Alarm-Secret": got["secret"]})  # fmt: skip
    duty = token_for("duty_officer")
    media_url = client.get(f"/api/v1/alarms/{got['id']}", headers=duty).json()["media"][0]
    with demo.session() as s:
        a = s.get(Alarm, got["id"])
        a.received_at = utcnow() - timedelta(days=200)
        s.commit()
        n = alarm_service.purge(s, app.state.media_store, now=utcnow(), retention_days=180)
        s.commit()
    assert n >= 1
    d = client.get(f"/api/v1/alarms/{got['id']}", headers=duty).json()
    assert d["lon"] is None and d["positions"] == [] and d["media"][0]["status"] == "purged"
    assert client.get(media_url["content_url"], headers=duty).status_code == 404
    assert d["incident_id"] and d["report_id"]  # the record of what happened stays
    # a newer alarm is untouched
    fresh = client.post("/api/v1/alarms", json=alarm_body()).json()
    with demo.session() as s:
        alarm_service.purge(s, app.state.media_store, now=utcnow(), retention_days=180)
        s.commit()
    assert client.get(f"/api/v1/alarms/{fresh['id']}", headers=duty).json()["lon"] is not None
