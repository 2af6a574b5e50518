"""Incidents in the browser: a report posted to the API appears live on the map and in the
duty queue, is verified in the incident room, and stays inside its sub-district."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import shape

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_dashboard import GANSHIQIAO, demo_user, login

pytestmark = pytest.mark.browser

SHUNYULU = "370103012"


def inside(server: LiveServer, token: str, code: str) -> tuple[float, float]:
    """A position well inside a sub-district."""
    sub = server.call(f"/api/v1/subdistricts/{code}", token)
    point = shape(sub["geometry"]).representative_point()
    return point.x, point.y


def post_report(server: LiveServer, token: str, code: str, title: str, **extra: object) -> dict:
    lon, lat = inside(server, token, code)
    now = datetime.now(UTC).isoformat()
    body = {
        "channel": "public",
        "source_id": f"browser-{uuid.uuid4().hex}",
        "occurred_at": now,
        "reported_at": now,
        "title": title,
        "text": title,
        "location": {"lon": lon, "lat": lat},
        "reporter": {"name": "王先生", "phone": "13800000000"},
        **extra,
    }
    return server.call("/api/v1/reports", token, body)


def queue_row(page: Page, title: str):  # type: ignore[no-untyped-def]
    return page.locator("[data-test=queue] tr", has_text=title)


def test_a_report_appears_live_and_is_verified_in_the_incident_room(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    expect(page.locator("[data-test=live-state]")).to_have_attribute("data-state", "live")
    the_map = page.locator("[data-test=map]")
    before = int(the_map.get_attribute("data-incidents") or 0)

    token = live_server.token(demo_user("duty_officer"))
    title = f"杆石桥某商铺起火 {uuid.uuid4().hex[:6]}"
    accepted = post_report(
        live_server, token, GANSHIQIAO, title, casualties={"trapped": 2, "injuries": 1}
    )
    expect(the_map).to_have_attribute("data-incidents", str(before + 1))  # on the map, live
    page.locator("[data-test=nav-queue]").click()
    expect(page).to_have_url(re.compile(r"/queue$"))
    row = queue_row(page, title)
    expect(row).to_be_visible()  # no reload: the stream brought it
    expect(row.locator("[data-test=age]")).to_contain_text("秒")
    expect(row).to_contain_text("社会反映")  # its channel, read once the stream announced it
    screenshot(page, "queue")

    row.click()
    expect(page).to_have_url(re.compile(rf"/incidents/{accepted['incident_id']}$"))
    room = page.locator("[data-test=incident-room]")
    expect(room.locator("[data-test=incident-title]")).to_have_text(title)
    expect(room.locator("[data-test=incident-status]")).to_have_text("待甄别")
    expect(room.locator("[data-test=reports]")).to_contain_text("王先生")
    entries = room.locator("[data-test=timeline] .el-timeline-item")
    expect(entries).not_to_have_count(0)
    before = entries.count()
    room.locator("[data-test=to-verified]").click()
    expect(room.locator("[data-test=incident-status]")).to_have_text("已核实")
    expect(entries).to_have_count(before + 1)
    # settled before the picture: the room's buttons done, the applicable plans matched
    expect(room.locator("[data-test=actions] .is-loading")).to_have_count(0)
    expect(room.locator("[data-test=suggested-plan]").first).to_be_visible()
    screenshot(page, "incident-room")

    # Verified: it leaves the queue, and stays on the map.
    page.locator("[data-test=nav-queue]").click()
    expect(queue_row(page, title)).to_have_count(0)
    page.locator("[data-test=nav-map]").click()
    expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
    assert int(page.locator("[data-test=map]").get_attribute("data-incidents") or 0) >= 1


def test_a_subdistrict_operator_sees_only_their_incidents(new_page, live_server):
    duty = live_server.token(demo_user("duty_officer"))
    own = f"杆石桥路面塌陷 {uuid.uuid4().hex[:6]}"
    other = f"舜玉路路面塌陷 {uuid.uuid4().hex[:6]}"
    post_report(live_server, duty, GANSHIQIAO, own)
    post_report(live_server, duty, SHUNYULU, other)

    page = new_page()
    login(page, live_server, demo_user("subdistrict_operator", GANSHIQIAO))
    page.locator("[data-test=nav-queue]").click()
    expect(queue_row(page, own)).to_be_visible()
    expect(queue_row(page, other)).to_have_count(0)
    page.locator("[data-test=nav-incidents]").click()
    table = page.locator("[data-test=incidents]")
    expect(table).to_contain_text(own)
    expect(table).not_to_contain_text(other)
    screenshot(page, "incidents")


def test_statistics_big_screen_and_excel_export(new_page, live_server, tmp_path):
    duty = live_server.token(demo_user("duty_officer"))
    post_report(live_server, duty, SHUNYULU, f"舜玉路燃气泄漏 {uuid.uuid4().hex[:6]}")
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))

    page.locator("[data-test=nav-stats]").click()
    for chart in ("category", "level", "subdistrict", "channel", "hour", "day"):
        expect(page.locator(f"[data-test=chart-{chart}] canvas")).to_have_count(1)
    total = int(page.locator("[data-test=stat-total] b").inner_text())
    assert total >= 1
    page.wait_for_timeout(600)  # let the charts' entry animation finish for the picture
    screenshot(page, "stats")

    page.locator("[data-test=to-big-screen]").click()
    big = page.locator("[data-test=big-screen]")
    expect(big).to_be_visible()
    expect(big.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
    expect(big.locator("[data-test=chart-level] canvas")).to_have_count(1)
    page.wait_for_timeout(600)
    screenshot(page, "big-screen")

    page.goto(live_server.url + "/incidents?subdistrict=" + SHUNYULU)
    expect(page.locator("[data-test=incidents]")).to_contain_text("舜玉路燃气泄漏")
    with page.expect_download() as info:
        page.locator("[data-test=export]").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    from openpyxl import load_workbook

    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("编号", "事件")
    assert any("舜玉路燃气泄漏" in str(r[1]) for r in rows[1:])
    assert {r[6] for r in rows[1:]} == {"舜玉路街道"}  # the filter on screen went along


def test_after_a_network_drop_the_queue_catches_up(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    page.locator("[data-test=nav-queue]").click()
    live_state = page.locator("[data-test=live-state]")
    expect(live_state).to_have_attribute("data-state", "live")

    page.context.set_offline(True)
    expect(live_state).to_have_attribute("data-state", "reconnecting", timeout=30_000)
    title = f"断网期间的报告 {uuid.uuid4().hex[:6]}"
    post_report(live_server, live_server.token(demo_user("duty_officer")), SHUNYULU, title)
    page.wait_for_timeout(1000)
    expect(queue_row(page, title)).to_have_count(0)  # offline: it cannot have arrived

    page.context.set_offline(False)
    expect(live_state).to_have_attribute("data-state", "live", timeout=30_000)
    expect(queue_row(page, title)).to_be_visible()  # caught up: Last-Event-ID replay + reload


def test_the_incident_list_sorts_on_the_server_and_keeps_it_in_the_url(new_page, live_server):
    duty = live_server.token(demo_user("duty_officer"))
    tag = uuid.uuid4().hex[:6]
    post_report(live_server, duty, SHUNYULU, f"车间爆炸 {tag}", casualties={"deaths": 12})
    post_report(live_server, duty, GANSHIQIAO, f"商铺起火 {tag}")
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    page.goto(live_server.url + "/incidents")
    table = page.locator("[data-test=incidents]")
    expect(table).to_contain_text(tag)

    level_header = table.locator("th", has_text=re.compile("级别"))
    with page.expect_response(re.compile(r"/api/v1/incidents\?.*sort=level")):
        level_header.locator(".cell").click()
    expect(page).to_have_url(re.compile(r"sort=level"))
    expect(table.locator("tbody [data-level]").first).to_have_attribute("data-level", "II")
    levels = table.locator("tbody [data-level]").evaluate_all(
        "els => els.map(e => e.dataset.level)"
    )
    order = {"I": 0, "II": 1, "III": 2, "IV": 3}
    ranks = [order[level] for level in levels]
    assert ranks == sorted(ranks) and len(ranks) >= 2
    screenshot(page, "incidents-sorted")

    with page.expect_response(re.compile(r"/api/v1/incidents\?.*sort=-level")):
        level_header.locator(".cell").click()
    expect(page).to_have_url(re.compile(r"sort=-level"))
    page.reload()
    expect(level_header).to_have_class(re.compile("descending"))
    expect(table.locator("tbody [data-level]").first).to_have_attribute("data-level", "IV")
