"""The duty officer's tools in the browser: merge incidents from the queue, split and move a
report in the incident room, re-classify, and re-locate by picking the place on the map."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_dashboard import demo_user, login

pytestmark = pytest.mark.browser

# Sub-districts the other browser tests leave alone (they report in 杆石桥 and 舜玉路).
PLACES = ["370103002", "370103004", "370103006", "370103008", "370103009", "370103010"]


def _position(
    server: LiveServer, token: str, code: str, east_m: float = 0.0
) -> tuple[float, float]:
    sub = server.call(f"/api/v1/subdistricts/{code}", token)
    point = shape(sub["geometry"]).representative_point()
    return point.x + east_m / 94_000.0, point.y  # ~94 km per degree of longitude at 36° N


def _report(server: LiveServer, token: str, code: str, title: str, *, east_m: float = 0.0,
            **extra: object) -> dict:  # fmt: skip
    lon, lat = _position(server, token, code, east_m)
    now = datetime.now(UTC).isoformat()
    body = {
        "channel": "public",
        "source_id": f"screen-{uuid.uuid4().hex}",
        "occurred_at": now,
        "title": title,
        "text": title,
        "location": {"lon": lon, "lat": lat},
        "reporter": {"name": "赵女士", "phone": "13700000000"},
        **extra,
    }
    return server.call("/api/v1/reports", token, body)


def _reason(page: Page, text: str) -> None:
    page.locator("[data-test=correction-reason]:visible").fill(text)


def _open_room(page: Page, server: LiveServer, incident_id: int) -> None:
    page.goto(f"{server.url}/incidents/{incident_id}")
    expect(page.locator("[data-test=incident-room]")).to_be_visible()


def test_merge_two_incidents_from_the_queue(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    tag = uuid.uuid4().hex[:4]
    first = _report(  # the car caught fire: 119 classifies it apart (a second category)
        live_server, token, PLACES[0], f"二环南路车祸 120 来电 {tag}", category_code="21C02"
    )
    # 1.2 km apart, beyond any scene rule; in PLACES[0] so the merged fire is nowhere near
    # the reports other tests send (a fire-led scene takes in a gas leak nearby)
    second = _report(live_server, token, PLACES[0], f"二环南路车祸 122 来电 {tag}",
                     category_code="21B01", casualties={"injuries": 2}, east_m=1200)  # fmt: skip
    assert first["incident_id"] != second["incident_id"]
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    page.locator("[data-test=nav-queue]").click()
    expect(page).to_have_url(re.compile(r"/queue$"))
    for title in (f"120 来电 {tag}", f"122 来电 {tag}"):
        row = page.locator("[data-test=queue] tr", has_text=title)
        expect(row).to_be_visible()
        row.locator(".el-checkbox").click()
    expect(page.locator("[data-test=queue]")).to_be_visible()  # ticking did not open a room
    page.locator("[data-test=merge-selected]").click()
    dialog = page.locator("[data-test=merge-dialog]")
    expect(dialog).to_be_visible()
    dialog.locator(f"[data-test=merge-lead-{second['incident_id']}]").click()
    _reason(page, "同一起车祸，120 与 122 各报一次")
    screenshot(page, "screening-merge")
    dialog.locator("[data-test=merge-confirm]").click()
    expect(page).to_have_url(re.compile(rf"/incidents/{second['incident_id']}$"))
    room = page.locator("[data-test=incident-room]")
    expect(room.locator("[data-test=reports]")).to_contain_text(f"120 来电 {tag}")
    expect(room.locator("[data-test=reports]")).to_contain_text(f"122 来电 {tag}")
    expect(room.locator("[data-test=timeline]")).to_contain_text("并入本事件")
    # both categories stay (issue 13 item 1): the lead, the other as a secondary category,
    # with what decided the lead; each still routes to its department
    detail = live_server.call(f"/api/v1/incidents/{second['incident_id']}", token)
    (other,) = detail["secondary_categories"]
    assert {detail["category"]["code"], other["code"]} == {"21B01", "21C02"}
    category = room.locator("[data-test=category]")
    chip = category.locator(f"[data-test=secondary-{other['code']}]")
    expect(chip).to_have_text(other["names"][-1])  # the leaf name; the full path as its title
    expect(chip).to_have_attribute("title", f"{other['display']}（{other['code']}）")
    expect(category.locator("[data-test=category-why]")).to_contain_text("置信度")
    # the top cards show all they hold (review D8): no inner scroll cuts a line or the
    # timeline's last entry
    clipped = page.evaluate(
        """() => [...document.querySelectorAll('.columns > .el-card')]
              .filter((c) => c.scrollHeight > c.clientHeight + 1
                          || c.scrollWidth > c.clientWidth + 1).length"""
    )
    assert clipped == 0
    last = room.locator("[data-test=timeline] .el-timeline-item").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    screenshot(page, "screening-timeline-end")
    page.locator("[data-test=incident-room]").evaluate("(el) => el.scrollTo(0, 0)")
    screenshot(page, "screening-categories")
    # both gone from the queue but the lead; the merged one says where it went
    page.locator("[data-test=nav-queue]").click()
    expect(page.locator("[data-test=queue] tr", has_text=f"120 来电 {tag}")).to_have_count(0)
    lead_row = page.locator("[data-test=queue] tr", has_text=f"122 来电 {tag}")
    expect(lead_row.locator(f"[data-test=secondary-{other['code']}]")).to_be_visible()
    screenshot(page, "screening-queue-categories")
    _open_room(page, live_server, first["incident_id"])
    banner = page.locator("[data-test=merged-banner]")
    expect(banner).to_contain_text(f"已并入事件 #{second['incident_id']}")
    expect(page.locator("[data-test=incident-status]")).to_have_text("已合并")
    expect(page.locator("[data-test=correct]")).to_have_count(0)  # nothing to correct any more
    banner.locator("[data-test=open-lead]").click()
    expect(page).to_have_url(re.compile(rf"/incidents/{second['incident_id']}$"))


def test_split_and_move_a_report_in_the_room(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    tag = uuid.uuid4().hex[:4]
    a = _report(live_server, token, PLACES[2], f"建设路仓库起火 {tag}", category_code="21C01")
    b = _report(live_server, token, PLACES[2], f"建设路仓库隔壁楼也起火 {tag}",
                category_code="21C01", east_m=60)  # fmt: skip
    assert a["incident_id"] == b["incident_id"]  # the machine merged them
    other = _report(
        live_server, token, PLACES[3], f"英雄山路居民楼起火 {tag}", category_code="21C01"
    )
    # an earlier test may have left a fire open at this spot that both joined: count from it
    n = len(live_server.call(f"/api/v1/incidents/{a['incident_id']}", token)["reports"])
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    _open_room(page, live_server, a["incident_id"])
    room = page.locator("[data-test=incident-room]")
    reports = room.locator("[data-test=reports] .report")
    expect(reports).to_have_count(n)
    room.locator(f"[data-test=split-{b['report_id']}]").click()
    page.locator(".el-message-box__input input").fill("隔壁楼是另一起火情")
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(reports).to_have_count(n - 1)
    expect(room.locator("[data-test=timeline]")).to_contain_text("拆分为新事件")
    screenshot(page, "screening-split")

    # a third report joins A; move it to the other incident
    c = _report(live_server, token, PLACES[2], f"建设路仓库浓烟 {tag}", category_code="21C01",
                east_m=10)  # fmt: skip
    assert c["incident_id"] == a["incident_id"]
    _open_room(page, live_server, a["incident_id"])
    expect(reports).to_have_count(n)
    room.locator(f"[data-test=move-{c['report_id']}]").click()
    dialog = page.locator("[data-test=move-dialog]")
    dialog.locator("[data-test=move-target]").click()
    page.locator(".el-select-dropdown__item:visible", has_text=f"#{other['incident_id']} ").click()
    _reason(page, "报告人说的是英雄山路那一起")
    screenshot(page, "screening-move")
    dialog.locator("[data-test=move-confirm]").click()
    expect(reports).to_have_count(n - 1)
    _open_room(page, live_server, other["incident_id"])
    expect(room.locator("[data-test=reports]")).to_contain_text(f"建设路仓库浓烟 {tag}")
    expect(room.locator("[data-test=timeline]")).to_contain_text("移入")


def test_reclassify_and_relocate_on_the_map(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    tag = uuid.uuid4().hex[:4]
    inc = _report(
        live_server, token, PLACES[4], f"化工路异味，疑似泄漏 {tag}", category_code="21C01"
    )
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    _open_room(page, live_server, inc["incident_id"])
    room = page.locator("[data-test=incident-room]")
    before = room.locator("[data-test=routing]").inner_text()

    room.locator("[data-test=correct]").click()
    page.locator("[data-test=correct-reclassify]:visible").click()
    dialog = page.locator("[data-test=reclassify-dialog]")
    dialog.locator("[data-test=reclassify-select]").click()
    page.keyboard.type("21A03")
    page.locator(".el-select-dropdown__item:visible", has_text="21A03").first.click()
    _reason(page, "现场核实为危化品泄漏")
    screenshot(page, "screening-reclassify")
    dialog.locator("[data-test=reclassify-confirm]").click()
    expect(room).to_contain_text("21A03")
    expect(room.locator("[data-test=route-withdrawn]").first).to_be_visible()
    assert room.locator("[data-test=routing]").inner_text() != before
    expect(room.locator("[data-test=timeline]")).to_contain_text("将类别由")

    coords = room.locator("[data-test=location] dd").first
    old = coords.inner_text()
    room.locator("[data-test=correct]").click()
    page.locator("[data-test=correct-relocate]:visible").click()
    dialog = page.locator("[data-test=relocate-dialog]")
    the_map = dialog.locator("[data-test=relocate-map]")
    expect(the_map.locator(".leaflet-interactive").first).to_be_visible()  # the district drawn
    box = the_map.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2 + 70, box["y"] + box["height"] / 2 + 40)
    expect(dialog.locator("[data-test=relocate-picked]")).to_contain_text("已选")
    _reason(page, "报警人说错了路口，电话核实")
    screenshot(page, "screening-relocate")
    dialog.locator("[data-test=relocate-confirm]").click()
    expect(coords).not_to_have_text(old)
    expect(room.locator("[data-test=timeline]")).to_contain_text("重新定位至")
    detail = live_server.call(f"/api/v1/incidents/{inc['incident_id']}", token)
    assert detail["location"]["source"] == "manual"
    near = live_server.call(f"/api/v1/resources/nearby?incident_id={inc['incident_id']}", token)
    assert abs(near["center"]["lon"] - detail["lon"]) < 1e-6
    screenshot(page, "screening-room")


def test_the_tools_speak_english(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    inc = _report(live_server, token, PLACES[5], f"路灯倒伏 {uuid.uuid4().hex[:4]}")
    page = new_page(locale="en")
    login(page, live_server, demo_user("duty_officer"))
    _open_room(page, live_server, inc["incident_id"])
    room = page.locator("[data-test=incident-room]")
    room.locator("[data-test=correct]").click()
    expect(page.locator("[data-test=correct-merge]:visible")).to_have_text("Merge incidents")
    page.locator("[data-test=correct-relocate]:visible").click()
    dialog = page.locator("[data-test=relocate-dialog]")
    expect(dialog).to_contain_text("Pick the place on the map")
    dialog.locator("[data-test=relocate-address]").fill("no such place anywhere")
    _reason(page, "checking")
    dialog.locator("[data-test=relocate-confirm]").click()
    expect(page.locator(".el-message--error")).to_contain_text("matches no name in the grid")
    screenshot(page, "screening-en")


def test_a_viewer_gets_no_tools(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    inc = _report(live_server, token, PLACES[5], f"井盖缺失 {uuid.uuid4().hex[:4]}")
    page = new_page()
    login(page, live_server, demo_user("viewer"))
    _open_room(page, live_server, inc["incident_id"])
    expect(page.locator("[data-test=incident-title]")).to_be_visible()
    expect(page.locator("[data-test=correct]")).to_have_count(0)


def test_merge_from_the_incident_room(new_page, live_server):
    token = live_server.token(demo_user("duty_officer"))
    tag = uuid.uuid4().hex[:4]
    gas = {"category_code": "21D03"}
    here = _report(live_server, token, PLACES[1], f"燃气泄漏 12345 来电 {tag}", east_m=300, **gas)
    near = _report(live_server, token, PLACES[1], f"燃气泄漏 110 联动 {tag}", east_m=1500, **gas)
    assert here["incident_id"] != near["incident_id"]
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    _open_room(page, live_server, here["incident_id"])
    room = page.locator("[data-test=incident-room]")
    room.locator("[data-test=correct]").click()
    page.locator("[data-test=correct-merge]:visible").click()
    dialog = page.locator("[data-test=merge-dialog]")
    dialog.locator(f"[data-test=merge-choice-{near['incident_id']}]").click()
    expect(dialog.locator(f"[data-test=merge-lead-{here['incident_id']}] input")).to_be_checked()
    _reason(page, "同一处燃气泄漏，110 联动转来")
    dialog.locator("[data-test=merge-confirm]").click()
    expect(room.locator("[data-test=reports] .report")).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"/incidents/{here['incident_id']}$"))
    expect(room.locator("[data-test=timeline]")).to_contain_text(f"#{near['incident_id']}")
