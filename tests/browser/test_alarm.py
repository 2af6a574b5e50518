"""The one-key alarm in a phone: the citizen holds the button (geolocation granted, Chromium's
fake camera and microphone recording real sound and video), the alarm and its media reach the
centre; the station accepts, sets out and arrives on its own phone page; the caller's page
follows; the duty officer sees it at the top of the queue and in the incident room."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, screenshot
from yingji.bench import live

pytestmark = pytest.mark.browser

GANSHIQIAO = "370103003"
PHONE = {"width": 390, "height": 844}  # a common phone's CSS viewport
# what the outbox holds, when a test fails (IndexedDB read in the page)
OUTBOX_DUMP = """new Promise(ok => { const r = indexedDB.open('yingji-outbox');
  r.onsuccess = () => {
  const q = r.result.transaction('items').objectStore('items').getAll();
  q.onsuccess = () => ok(JSON.stringify(q.result.map(i => ({url: i.url, lastError: i.lastError,
    failed: i.failed, response: i.response, sent: i.sentAt})))) } })"""


@pytest.fixture(scope="module")
def phone_browser(chromium: Any) -> Iterator[Any]:
    """A second chromium of the session's Playwright (one Playwright per process), with
    the fake camera and microphone: real recordings of a test pattern and a tone."""
    browser = chromium.browser_type.launch(
        executable_path=live.CHROMIUM,
        args=[*live.CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream"],
        headless=True,
    )  # fmt: skip
    yield browser
    browser.close()


def _station(server: LiveServer) -> dict[str, Any]:
    token = server.token("duty")
    page = server.call(f"/api/v1/resources/stations?subdistrict={GANSHIQIAO}", token)
    return dict(page["items"][0])


def _phone(browser: Any, server: LiveServer, *, lon: float, lat: float, token: str | None = None):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
        geolocation={"longitude": lon, "latitude": lat, "accuracy": 30},
        permissions=["geolocation", "camera", "microphone"], locale="zh-CN",
    )  # fmt: skip
    if token:
        context.add_init_script(f"localStorage.setItem('yingji.token', '{token}')")
    return context, context.new_page()


def _wait(fn: Any, timeout_s: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError("timed out")


def _get(server: LiveServer, path: str, token: str) -> Any:
    req = urllib.request.Request(
        f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)


def test_the_citizen_holds_the_button_and_the_station_comes(phone_browser, live_server):
    st = _station(live_server)
    lon, lat = st["lon"] + 0.0012, st["lat"] + 0.0009
    context, page = _phone(phone_browser, live_server, lon=lon, lat=lat)
    page.goto(live_server.url + "/alarm")
    expect(page.locator("h1")).to_have_text("一键报警")
    for n in ("110", "119", "120"):
        expect(page.locator(f"[data-test=tel-{n}]")).to_have_attribute("href", f"tel:{n}")
    # installable: a manifest and a service worker for /alarm
    expect(page.locator("link[rel=manifest]")).to_have_attribute("href", "/alarm.webmanifest")
    manifest = page.evaluate("fetch('/alarm.webmanifest').then(r => r.json())")
    assert manifest["start_url"] == "/alarm" and manifest["display"] == "standalone"
    page.wait_for_function("navigator.serviceWorker.getRegistration('/alarm').then(r => !!r)")
    page.locator("[data-test=phone]").fill("13912345678")
    page.locator("[data-test=add-contact]").click()
    page.locator("[data-test=contact-phone]").fill("13800001111")
    page.locator("[data-test=contact-phone]").blur()
    page.locator("[data-test=kind-fire]").click()
    screenshot(page, "alarm-phone-ready")

    # a short press is not an alarm
    button = page.locator("[data-test=hold]")
    box = button.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_timeout(600)
    page.mouse.up()
    expect(page.locator("[data-test=alarm-state]")).to_have_count(0)
    # the countdown can be cancelled
    page.locator("[data-test=countdown-start]").click()
    expect(page.locator("[data-test=countdown]")).to_contain_text("秒后发出报警")
    page.locator("[data-test=cancel]").click()
    expect(page.locator("[data-test=notes]")).to_contain_text("已取消")
    page.wait_for_timeout(5500)
    expect(page.locator("[data-test=alarm-state]")).to_have_count(0)

    # held for 2 s: the alarm goes
    page.mouse.down()
    page.wait_for_timeout(2300)
    page.mouse.up()
    state = page.locator("[data-test=alarm-state]")
    try:
        expect(state).to_have_attribute("data-phase", "received")
    except AssertionError:
        print(page.evaluate(OUTBOX_DUMP))
        raise
    expect(page.locator("[data-test=fix]")).to_contain_text("精度约 30 米")
    expect(page.locator("[data-test=told]")).to_contain_text(st["name"])
    expect(page.locator("[data-test=station]")).to_contain_text("待接警")
    # sound, a photo and a video recorded from the fake devices, uploaded in chunks
    media = page.locator("[data-test=media] li")
    expect(media).to_have_count(3, timeout=30_000)
    try:
        for i in range(3):
            expect(media.nth(i)).to_have_attribute("data-state", "complete", timeout=40_000)
    except AssertionError:
        print(page.evaluate(OUTBOX_DUMP))
        raise
    screenshot(page, "alarm-phone-received")

    duty = live_server.token("duty")
    alarm = _get(live_server, "/api/v1/alarms?limit=1", duty)["items"][0]
    assert alarm["phone"] == "13912345678" and alarm["kind"] == "fire"
    assert alarm["station_name"] == st["name"] and alarm["accuracy_m"] == 30
    detail = _get(live_server, f"/api/v1/alarms/{alarm['id']}", duty)
    kinds = {m["declared_kind"]: m for m in detail["media"]}
    assert kinds["audio"]["status"] == "complete" and kinds["audio"]["mime"] in (
        "audio/webm", "audio/mp4",
    )  # fmt: skip
    assert kinds["video"]["mime"] in ("video/webm", "video/mp4")
    assert kinds["image"]["mime"] == "image/jpeg"
    assert any(d["kind"] == "紧急联系人" for d in detail["deliveries"])

    # the station's own phone page: accept, set out, arrive
    crew = live_server.token("gsq_station")
    s_context, s_page = _phone(phone_browser, live_server, lon=st["lon"], lat=st["lat"], token=crew)
    s_page.goto(live_server.url + "/station")
    card = s_page.locator(f"[data-test=station-alarm-{alarm['id']}]")
    expect(card).to_contain_text("火警")
    expect(card.locator("a[href^='tel:']")).to_have_attribute("href", "tel:13912345678")
    card.locator("[data-test=step-accepted]").click()
    expect(card).to_contain_text("已接警")
    card.locator("[data-test=step-on_the_way]").click()
    expect(card).to_contain_text("在途")
    screenshot(s_page, "alarm-station-phone")
    # the caller's page follows, live
    expect(page.locator("[data-test=station]")).to_contain_text("在途", timeout=20_000)
    screenshot(page, "alarm-phone-on-the-way")
    card.locator("[data-test=step-arrived]").click()
    expect(card).to_contain_text("已到达")
    expect(page.locator("[data-test=station]")).to_contain_text("已到达", timeout=20_000)
    s_context.close()
    context.close()


def test_without_permissions_the_page_says_so_and_still_sends(phone_browser, live_server):
    context = phone_browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                        locale="zh-CN", permissions=[])  # fmt: skip
    context.add_init_script(
        "navigator.geolocation.getCurrentPosition ="
        " (ok, err) => err({code: 1, PERMISSION_DENIED: 1});"
        "navigator.geolocation.watchPosition = () => 0;"
        "navigator.mediaDevices.getUserMedia ="
        " () => Promise.reject(new DOMException('no', 'NotAllowedError'));"
    )
    page = context.new_page()
    page.goto(live_server.url + "/alarm")
    page.locator("[data-test=countdown-start]").click()
    expect(page.locator("[data-test=alarm-state]")).to_have_attribute(
        "data-phase", "received", timeout=20_000
    )
    notes = page.locator("[data-test=notes]")
    expect(notes).to_contain_text("未获得位置权限")
    expect(notes).to_contain_text("未获得摄像头或麦克风权限")
    screenshot(page, "alarm-phone-no-permissions")
    duty = live_server.token("duty")
    alarm = _get(live_server, "/api/v1/alarms?limit=1", duty)["items"][0]
    assert alarm["lon"] is None and alarm["position_note"] == "未提供位置"
    context.close()


def test_offline_the_alarm_waits_in_the_outbox_and_goes_on_reconnect(phone_browser, live_server):
    st = _station(live_server)
    context, page = _phone(phone_browser, live_server, lon=st["lon"] + 0.002, lat=st["lat"])
    page.goto(live_server.url + "/alarm")
    context.set_offline(True)
    page.locator("[data-test=countdown-start]").click()
    expect(page.locator("[data-test=alarm-state]")).to_have_attribute(
        "data-phase", "queued", timeout=20_000
    )
    screenshot(page, "alarm-phone-offline")
    context.set_offline(False)
    expect(page.locator("[data-test=alarm-state]")).to_have_attribute(
        "data-phase", "received", timeout=30_000
    )
    context.close()


def test_the_alarm_is_at_the_top_of_the_queue_and_in_the_room(new_page, live_server):
    from tests.browser.test_dashboard import login

    st = _station(live_server)
    body = {
        "idempotency_key": f"queue-{time.time_ns()}", "device_id": f"dev-{time.time_ns()}",
        "kind": "medical", "phone": "13912345678", "text": "老人晕倒了",
        "location": {"lon": st["lon"] - 0.0015, "lat": st["lat"] + 0.001, "accuracy_m": 15},
    }  # fmt: skip
    req = urllib.request.Request(f"{live_server.url}/api/v1/alarms", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 201
    duty = live_server.token("duty")
    alarm = _get(live_server, "/api/v1/alarms?limit=1", duty)["items"][0]
    page = new_page()
    login(page, live_server, "duty")
    page.goto(live_server.url + "/queue")
    first = page.locator("[data-test=queue] .el-table__body tr").first
    expect(first.locator("[data-test=alarm-tag]")).to_be_visible()
    screenshot(page, "alarm-queue")
    page.goto(live_server.url + f"/incidents/{alarm['incident_id']}")
    panel = page.locator("[data-test=alarm-panel]")
    expect(panel).to_contain_text("一键报警")
    expect(panel.locator("[data-test=deliveries] li").first).to_be_visible()
    expect(panel.locator("[data-test=call-back]").first).to_have_attribute(
        "href", "tel:13912345678"
    )
    screenshot(page, "alarm-incident-room")
