"""The alarm API: taken without login, committed, a report on intake's alarm channel, fanned
out; every bad input of issue 17 answered as the issue says."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from tests.media.conftest import jpeg, wav
from yingji.alarm.models import Alarm, AlarmLimited
from yingji.audit.models import AuditEntry
from yingji.intake.models import Report


def _post(client, body):
    return client.post("/api/v1/alarms", json=body)


def test_an_alarm_is_committed_located_reported_and_fanned_out(
    client, alarm_body, configured, token_for, demo, station
):
    body = alarm_body()
    r = _post(client, body)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "received" and got["id"] and len(got["secret"]) == 40
    assert [n["number"] for n in got["numbers"]] == ["110", "119", "120"]
    with demo.session() as s:
        a = s.get(Alarm, got["id"])
        assert a is not None and a.report_id and a.incident_id
        report = s.get(Report, a.report_id)
        assert report.channel == "alarm" and report.source_id == f"alarm:{body['idempotency_key']}"
        assert report.subdistrict_code == a.subdistrict_code is not None
        assert report.category_code == "21C00"
    duty = token_for("duty_officer")
    d = client.get(f"/api/v1/alarms/{got['id']}", headers=duty).json()
    assert d["station_name"] == station["name"] and d["station_status"] == "notified"
    kinds = sorted(x["kind"] for x in d["deliveries"])
    assert kinds == sorted(["119", "公益救援平台", "救援站", "紧急联系人"]) or kinds == sorted(
        ["119", "公益救援平台", "紧急联系人"]
    )  # the demo station may have no duty phone
    assert d["phone"] == "13912345678" and d["call_back"] == "tel:13912345678"
    # the alarm is in the duty officer's list, at the top (newest first)
    top = client.get("/api/v1/alarms", headers=duty).json()["items"][0]
    assert top["id"] == got["id"]
    # and its incident is on intake's alarm channel
    inc = client.get(f"/api/v1/incidents/{d['incident_id']}", headers=duty).json()
    assert "alarm" in inc["channels"]


def test_the_same_key_again_answers_the_same_alarm_another_body_409(client, alarm_body):
    body = alarm_body()
    first = _post(client, body)
    again = _post(client, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    assert again.json()["secret"] == first.json()["secret"]
    other = _post(client, {**body, "text": "另一条"})
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert other.json()["field"] == "idempotency_key"


def test_missing_or_garbage_positions_are_taken_and_flagged(client, alarm_body, token_for):
    duty = token_for("duty_officer")
    for location, note in (
        (None, "未提供位置"),
        ("here", "位置格式无效"),
        ({"lon": "abc", "lat": 36.6}, "位置坐标无效"),
        ({"lon": None, "lat": 36.6}, "位置坐标无效"),
        ({"lat": 36.6}, "位置坐标无效"),
        ({"lon": 117.0, "lat": 95.0}, "位置坐标超出范围"),
        ({"lon": 117.0, "lat": 36.6, "crs": "utm"}, "不支持的坐标系"),
    ):
        body = alarm_body(location=location)
        raw = _post(client, body)
        assert raw.status_code == 201, (location, raw.text)
        assert raw.json()["position_note"].startswith(note), raw.json()
        d = client.get(f"/api/v1/alarms/{raw.json()['id']}", headers=duty).json()
        assert d["subdistrict_code"] is None and d["station_id"] is None
        assert d["incident_id"] is not None  # routed to the centre, never refused


def test_a_position_outside_the_district_is_taken_flagged_and_goes_to_the_centre(
    client, alarm_body, token_for
):
    r = _post(client, alarm_body(location={"lon": 121.47, "lat": 31.23, "accuracy_m": 10}))
    assert r.status_code == 201, r.text
    assert r.json()["outside_district"] is True
    d = client.get(f"/api/v1/alarms/{r.json()['id']}", headers=token_for("duty_officer")).json()
    assert d["outside_district"] and d["subdistrict_code"] is None and d["station_id"] is None
    assert (d["lon"], d["lat"]) == (121.47, 31.23)  # kept as sent, for the officer
    inc = client.get(f"/api/v1/incidents/{d['incident_id']}", headers=token_for("duty_officer"))
    located = [s for s in inc.json()["timeline"] if s["kind"] == "located"]
    assert located and located[0]["result"] == "flagged"


def test_an_unconfigured_linkage_is_a_note_for_the_officer(client, alarm_body, token_for):
    r = _post(client, alarm_body(kind="medical"))
    d = client.get(f"/api/v1/alarms/{r.json()['id']}", headers=token_for("duty_officer")).json()
    assert any("120 联动未配置" in n for n in d["fanout_notes"]), d["fanout_notes"]


def test_bad_bodies_are_refused_field_by_field(client, alarm_body):
    assert client.post("/api/v1/alarms", content=b"{not json",
                       headers={"Content-Type": "application/json"}).status_code == 400  # fmt: skip
    for over, field in (
        ({"idempotency_key": "short"}, "idempotency_key"),
        ({"idempotency_key": "bad key with spaces"}, "idempotency_key"),
        ({"device_id": ""}, "device_id"),
        ({"kind": "flood"}, "kind"),
        ({"phone": "12345"}, "phone"),
        ({"contacts": [{"name": "x", "phone": "nope"}]}, "contacts.0.phone"),
        ({"extra": 1}, "extra"),
    ):
        r = _post(client, alarm_body(**over))
        assert r.status_code == 422, (over, r.text)
        assert r.json()["errors"][0]["field"] == field, r.json()


def test_a_flood_from_one_device_is_limited_recorded_and_names_the_numbers(
    client, alarm_body, app, token_for, demo
):
    runtime = app.state.alarm
    before = runtime.settings
    runtime.settings = before.model_copy(update={"device_max": 3})
    try:
        device = alarm_body()["device_id"]
        codes = [_post(client, alarm_body(device_id=device)).status_code for _ in range(6)]
        assert codes == [201, 201, 201, 429, 429, 429]
        r = _post(client, alarm_body(device_id=device))
        assert r.status_code == 429 and r.headers["Retry-After"]
        msg = r.json()["message"]
        assert all(n in msg for n in ("110", "119", "120")) and "已记录" in msg
        with demo.session() as s:
            n = s.scalar(select(func.count()).select_from(AlarmLimited)
                         .where(AlarmLimited.device_id == device))  # fmt: skip
            assert n == 4
            audited = (
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "alarm:limited", AuditEntry.actor_id == device)
            )
            assert s.scalar(audited) == 4
        listed = client.get("/api/v1/alarms/limited", headers=token_for("duty_officer")).json()
        assert any(x["device_id"] == device for x in listed["items"])
        # another device is not held back by this one
        assert _post(client, alarm_body()).status_code == 201
    finally:
        runtime.settings = before


def test_a_devices_first_alarm_is_never_limited(client, alarm_body, app):
    runtime = app.state.alarm
    before = runtime.settings
    runtime.settings = before.model_copy(update={"device_max": 1, "address_max": 1})
    try:
        assert _post(client, alarm_body()).status_code == 201
        assert _post(client, alarm_body()).status_code == 201  # a new device, the same address
    finally:
        runtime.settings = before


def _put(client, alarm, n, data, *, offset=0, kind="image", secret=None, first=True):
    headers = {"X-Media-Kind": kind, "Upload-Offset": str(offset),
               "Content-Type": "application/octet-stream"}  # fmt: skip
    if secret is not None:
        headers["X-Alarm-Secret"] = secret
    if first:
        headers["Upload-Length"] = str(first if isinstance(first, int) and first > 1 else len(data))
        headers["Upload-Checksum"] = "sha256 " + hashlib.sha256(data).hexdigest()
    return client.put(f"/api/v1/alarms/{alarm}/media/{n}", content=data, headers=headers)


def test_media_chunks_need_the_secret_in_order_within_limits_of_the_declared_kind(
    client, alarm_body, token_for
):
    got = _post(client, alarm_body()).json()
    aid, secret = got["id"], got["secret"]
    photo = jpeg(640, 480)
    assert _put(client, aid, 1, photo).status_code == 403  # no secret
    assert _put(client, aid, 1, photo, secret="0" * 40).status_code == 403  # wrong secret
    half = len(photo) // 2
    whole = hashlib.sha256(photo).hexdigest()
    headers = {"X-Media-Kind": "image", "Upload-Offset": "0", "X-Alarm-Secret": secret,
               "Upload-Length": str(len(photo)), "Upload-Checksum": f"sha256 {whole}",
               "Content-Type": "application/octet-stream"}  # fmt: skip
    r = client.put(f"/api/v1/alarms/{aid}/media/1", content=photo[:half], headers=headers)
    assert r.status_code == 200 and r.json()["offset"] == half, r.text
    # out of order: a chunk at the wrong offset is a 409 naming where to resume
    r = client.put(f"/api/v1/alarms/{aid}/media/1", content=photo[half + 10 :],
                   headers={**headers, "Upload-Offset": str(half + 10)})  # fmt: skip
    assert r.status_code == 409 and r.headers["Upload-Offset"] == str(half)
    state = client.get(f"/api/v1/alarms/{aid}/media/1", headers={"X-Alarm-Secret": secret})
    assert state.json()["offset"] == half
    r = client.put(f"/api/v1/alarms/{aid}/media/1", content=photo[half:],
                   headers={**headers, "Upload-Offset": str(half)})  # fmt: skip
    assert r.status_code == 200 and r.json()["status"] == "complete", r.text
    # over the limit: a declared size beyond every kind's limit
    r = _put(client, aid, 2, b"x" * 10, secret=secret, first=10**10)
    assert r.status_code == 413
    # not the declared kind: a sound clip declared a video
    clip = wav(1.0)
    r = _put(client, aid, 3, clip, kind="video", secret=secret)
    assert r.status_code == 415 and r.json()["code"] == "media_kind_mismatch", r.text
    # a sound clip declared as sound is kept
    assert _put(client, aid, 4, clip, kind="audio", secret=secret).json()["status"] == "complete"
    d = client.get(f"/api/v1/alarms/{aid}", headers=token_for("duty_officer")).json()
    by_n = {m["n"]: m for m in d["media"]}
    assert by_n[1]["status"] == "complete" and by_n[1]["mime"] == "image/jpeg"
    assert by_n[3]["status"] == "refused" and by_n[4]["mime"] == "audio/x-wav"
    assert client.get(by_n[1]["content_url"], headers=token_for("duty_officer")).content == photo


def test_phone_numbers_are_masked_for_roles_that_do_not_call_back(client, alarm_body, token_for):
    aid = _post(client, alarm_body(phone="13912345678")).json()["id"]
    viewer = client.get(f"/api/v1/alarms/{aid}", headers=token_for("viewer")).json()
    assert viewer["phone"] == "139****5678" and viewer["phone_masked"] and not viewer["call_back"]
    row = next(x for x in client.get("/api/v1/alarms", headers=token_for("viewer")).json()["items"]
               if x["id"] == aid)  # fmt: skip
    assert row["phone"] == "139****5678"
    assert client.get("/api/v1/alarms").status_code == 401


def test_the_station_accepts_sets_out_arrives_and_the_caller_sees_it(
    client, alarm_body, token_for, station
):
    got = _post(client, alarm_body()).json()
    aid, secret = got["id"], got["secret"]
    crew = token_for("station", station["subdistrict_code"])
    mine = client.get("/api/v1/alarms", headers=crew).json()["items"]
    assert any(a["id"] == aid for a in mine) and mine[0]["phone"] == "13912345678"
    other = token_for("station", "000000000000")
    assert client.post(f"/api/v1/alarms/{aid}/station", json={"status": "accepted"},
                       headers=other).status_code == 403  # fmt: skip
    status = client.get(f"/api/v1/alarms/{aid}/status", headers={"X-Alarm-Secret": secret})
    assert status.json()["station"]["status"] == "notified"
    assert client.get(f"/api/v1/alarms/{aid}/status").status_code == 403
    for step in ("accepted", "on_the_way"):
        r = client.post(f"/api/v1/alarms/{aid}/station", json={"status": step}, headers=crew)
        assert r.status_code == 200 and r.json()["station_status"] == step, r.text
    view = client.get(f"/api/v1/alarms/{aid}/status?secret={secret}").json()
    assert view["station"]["status_name"] == "救援站正在赶来"
    assert any(station["name"] in s["text"] for s in view["steps"])
    back = client.post(f"/api/v1/alarms/{aid}/station", json={"status": "accepted"}, headers=crew)
    assert back.status_code == 409
    assert client.post(f"/api/v1/alarms/{aid}/station", json={"status": "arrived"},
                       headers=crew).status_code == 200  # fmt: skip
    # the live view: the state now, and the stream ends once the station has arrived
    with client.stream("GET", f"/api/v1/alarms/{aid}/status?secret={secret}",
                       headers={"Accept": "text/event-stream"}) as s:  # fmt: skip
        text = b"".join(s.iter_bytes()).decode()
    assert text.startswith("event: status") and '"status":"arrived"' in text


def test_a_later_fix_refines_the_position(client, alarm_body, token_for, station):
    got = _post(client, alarm_body()).json()
    lon, lat = station["lon"] + 0.0012, station["lat"] + 0.0008
    r = client.post(f"/api/v1/alarms/{got['id']}/positions",
                    json={"lon": lon, "lat": lat, "accuracy_m": 8},
                    headers={"X-Alarm-Secret": got["secret"]})  # fmt: skip
    assert r.status_code == 201, r.text
    d = client.get(f"/api/v1/alarms/{got['id']}", headers=token_for("duty_officer")).json()
    assert (d["lon"], d["lat"], d["accuracy_m"]) == (lon, lat, 8) and len(d["positions"]) == 1
    assert client.post(f"/api/v1/alarms/{got['id']}/positions", json={"lon": lon, "lat": lat},
                       headers={"X-Alarm-Secret": "x"}).status_code == 403  # fmt: skip
