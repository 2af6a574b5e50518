"""Resources in the browser: supplies (stock, ledger, share requests, alerts), teams, experts,
micro stations, video feeds with an HLS stream playing, the map layers, and the incident
room's location facts and nearby panel."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_dashboard import GANSHIQIAO, demo_user, login
from tests.browser.test_incidents import post_report

pytestmark = pytest.mark.browser

DATA = Path(__file__).parent / "data"
RES = "/api/v1/resources"
BEIJING = ZoneInfo("Asia/Shanghai")
SILICUN = "370103004"  # 四里村街道: no other browser test reports there, so nothing merges


def open_resource_page(page: Page, name: str) -> None:
    """Through the menu: 资源 opens its list of pages."""
    page.locator("[data-test=nav-resources]").click()
    page.locator(f"li[data-test=nav-{name}]").click()
    expect(page).to_have_url(re.compile(rf"/resources/{name}"))


def warehouse(server: LiveServer, token: str, code: str) -> dict:
    found = server.call(f"{RES}/supplies/warehouses?limit=500&with_stock=true", token)["items"]
    return next(w for w in found if w["code"] == code)


def test_resource_pages_and_map_layers(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    the_map = page.locator("[data-test=map]")
    token = live_server.token(demo_user("duty_officer"))
    layers = live_server.call(f"{RES}/map?kinds=warehouses,teams,stations,videos", token)
    expect(the_map).to_have_attribute("data-resources", str(len(layers["features"])))
    expect(page.locator(".yj-res-warehouses")).not_to_have_count(0)
    # Each layer switches like the grid's.
    page.locator("[data-test=layer-points]").click()
    page.locator("[data-test=layer-lines]").click()
    page.locator("[data-test=layer-videos]").click()
    expect(page.locator(".yj-res-videos")).to_have_count(0)
    page.locator("[data-test=layer-videos]").click()
    expect(page.locator(".yj-res-videos")).not_to_have_count(0)
    page.locator("[data-test=layer-teams]").click()  # teams sit close to the stations
    page.locator(".yj-res-stations").first.click()
    page.locator("[data-test=layer-teams]").click()
    summary = page.locator("[data-test=summary]")
    expect(summary.locator("[data-test=summary-type]")).to_have_text("微型应急救援站")
    expect(summary).to_contain_text("巡逻车")
    screenshot(page, "map-resources")

    open_resource_page(page, "supplies")
    rows = page.locator("[data-test=warehouses] .el-table__body-wrapper tr.el-table__row")
    expect(rows).to_have_count(
        live_server.call(f"{RES}/supplies/warehouses", token)["total"], timeout=20_000
    )
    first = page.locator("[data-test=warehouses] tr.el-table__row", has_text="区应急物资储备库")
    first.locator(".el-table__expand-icon").click()
    em = warehouse(live_server, token, "WH-EM-01")
    stock = page.locator("[data-test=stock-WH-EM-01]")
    expect(stock).to_contain_text(em["stock"][0]["item_name"])
    screenshot(page, "supplies")

    page.locator("#tab-movements").click()
    expect(page.locator("[data-test=movements] tr.el-table__row")).not_to_have_count(0)
    expect(page.locator("[data-test=movements]")).to_contain_text("入库")
    page.locator("#tab-alerts").click()
    alerts = live_server.call(f"{RES}/supplies/alerts?within_days=30", token)
    expect(page.locator("[data-test=low-stock]")).to_contain_text(f"（{len(alerts['low_stock'])}）")
    expect(page.locator("[data-test=expiring]")).to_contain_text(f"（{len(alerts['expiring'])}）")
    screenshot(page, "supplies-alerts")

    open_resource_page(page, "teams")
    teams = page.locator("[data-test=teams] tr.el-table__row")
    expect(teams).to_have_count(20)  # the first page of 44
    expect(page.locator("[data-test=teams-page]")).to_contain_text("共 44 条")
    page.locator("[data-test=team-kind] label", has_text="防汛抢险队").click()
    expect(page.locator("[data-test=teams-page]")).to_contain_text("共 28 条")
    teams.first.click()
    drawer = page.locator("[data-test=team-drawer]")
    expect(drawer.locator("[data-test=members] tr.el-table__row")).not_to_have_count(0)
    expect(drawer).to_contain_text("防汛抢险队")
    screenshot(page, "teams")
    page.keyboard.press("Escape")

    open_resource_page(page, "experts")
    page.locator("[data-test=expert-specialty] label", has_text="危化").click()
    experts = page.locator("[data-test=experts] tr.el-table__row")
    expect(experts).not_to_have_count(0)
    expect(page.locator("[data-test=experts-page]")).to_contain_text("共 10 条")
    for i in range(experts.count()):
        expect(experts.nth(i)).to_contain_text("危化")
    screenshot(page, "experts")

    open_resource_page(page, "stations")
    stations = page.locator("[data-test=stations] tr.el-table__row")
    expect(stations).to_have_count(17)
    stations.first.click()
    expect(page.locator("[data-test=station-drawer] [data-test=sessions]")).to_contain_text("演练")
    screenshot(page, "stations")


def test_a_department_operator_approves_a_share_request(new_page, live_server):
    """A sub-district asks the emergency bureau's warehouse for stock; the bureau's operator
    approves it on the supplies page and the stock moves."""
    gsq = live_server.token(demo_user("subdistrict_operator", GANSHIQIAO))
    source = warehouse(live_server, gsq, "WH-EM-01")
    own = warehouse(live_server, gsq, f"WH-{GANSHIQIAO}")
    line = next(s for s in source["stock"] if s["usable_quantity"] >= 10)
    before = next((s["quantity"] for s in own["stock"] if s["item_code"] == line["item_code"]), 0.0)
    asked = live_server.call(
        f"{RES}/supplies/requests",
        gsq,
        {
            "from_warehouse_id": source["id"],
            "to_warehouse_id": own["id"],
            "item_code": line["item_code"],
            "quantity": 5,
            "reason": f"防汛备勤 {uuid.uuid4().hex[:4]}",
        },
    )

    page = new_page()
    login(page, live_server, demo_user("department_operator", "DEPT-EM"))
    open_resource_page(page, "supplies")
    page.locator("#tab-requests").click()
    row = page.locator("[data-test=requests] tr.el-table__row", has_text=asked["reason"])
    expect(row.locator("[data-test=request-status-tag]")).to_have_text("待审批")
    expect(row).to_contain_text(line["item_name"])
    screenshot(page, "supplies-requests")
    row.locator(f"[data-test=approve-{asked['id']}]").click()
    box = page.locator(".el-message-box")
    box.locator("input").fill("同意调用")
    box.locator(".el-message-box__btns button", has_text="批准").click()
    expect(row.locator("[data-test=request-status-tag]")).to_have_text("已批准")
    expect(row).to_contain_text("同意调用")

    after = warehouse(live_server, gsq, f"WH-{GANSHIQIAO}")
    held = next(s["quantity"] for s in after["stock"] if s["item_code"] == line["item_code"])
    assert held == before + 5
    page.locator("#tab-movements").click()
    expect(page.locator("[data-test=movements]")).to_contain_text("调出")


def _serve_hls(route: Route) -> None:
    name = route.request.url.rsplit("/", 1)[-1]
    kind = "application/vnd.apple.mpegurl" if name.endswith(".m3u8") else "video/mp2t"
    route.fulfill(status=200, body=(DATA / name).read_bytes(), headers={"Content-Type": kind})


def test_the_video_page_plays_an_hls_stream(new_page, live_server):
    em = live_server.token(demo_user("department_operator", "DEPT-EM"))
    one = live_server.call(f"{RES}/videos?limit=1", em)["items"][0]
    feed = live_server.call(
        f"{RES}/videos",
        em,
        {
            "code": f"CAM-T{uuid.uuid4().hex[:6]}",
            "name": "测试 HLS 信号",
            "owner_department_code": "DEPT-EM",
            "lon": one["lon"],
            "lat": one["lat"],
            "stream_kind": "hls",
            "stream_url": f"{live_server.url}/test-hls/cam.m3u8",
        },
    )
    page = new_page()
    # The stream comes from the test (a 2-second clip made for it), under the server's origin.
    page.route(f"{live_server.url}/test-hls/**", _serve_hls)
    login(page, live_server, demo_user("department_operator", "DEPT-EM"))
    open_resource_page(page, "videos")
    expect(page.locator("[data-test=videos] tr.el-table__row")).to_have_count(
        live_server.call(f"{RES}/videos", em)["total"]
    )
    rtsp = page.locator("[data-test=videos] tr.el-table__row", has_text="RTSP").first
    rtsp.click()
    expect(page.locator("[data-test=rtsp-note]")).to_be_visible()
    expect(page.locator("[data-test=stream-url]")).to_have_text(re.compile(r"^rtsp://"))
    page.locator("[data-test=videos] tr.el-table__row", has_text="测试 HLS 信号").click()
    expect(page).to_have_url(re.compile(rf"feed={feed['id']}"))
    page.locator("[data-test=play]").click()
    player = page.locator("[data-test=hls-player]")
    expect(player).to_have_attribute("data-state", "playing")
    assert page.locator("video").evaluate("v => v.videoWidth") == 160
    page.locator("video").evaluate("v => v.pause()")
    screenshot(page, "videos")


def test_incident_room_shows_the_location_and_nearby_resources(new_page, live_server):
    duty = live_server.token(demo_user("duty_officer"))
    title = f"四里村某工厂车间起火 {uuid.uuid4().hex[:6]}"
    # On a grid line of the sub-district: the area, the line and a point all lie near.
    line = live_server.call(f"/api/v1/grid/lines?subdistrict={SILICUN}&limit=1", duty)["items"][0]
    coords = line["geometry"]["coordinates"]
    lon, lat = coords[len(coords) // 2]
    location = {"lon": lon, "lat": lat}
    # Four days ago, beyond every merge window (at most 72 h): the report founds its own
    # incident whatever earlier tests left open near this line.
    occurred = (datetime.now(UTC) - timedelta(days=4)).isoformat()
    accepted = post_report(
        live_server, duty, SILICUN, title, location=location, occurred_at=occurred
    )
    assert not accepted["merged"]
    iid = accepted["incident_id"]
    detail = live_server.call(f"/api/v1/incidents/{iid}", duty)
    loc = detail["location"]
    near = live_server.call(f"{RES}/nearby?incident_id={iid}&limit=20", duty)

    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    page.goto(f"{live_server.url}/incidents/{iid}")
    room = page.locator("[data-test=incident-room]")
    expect(room.locator("[data-test=incident-title]")).to_have_text(title)
    # The place, area, nearest line and point with the responsible persons and phones.
    expect(room.locator("[data-test=place]")).to_contain_text(loc["point"]["name"])
    expect(room.locator("[data-test=location-area]")).to_contain_text(loc["area"]["name"])
    expect(room.locator("[data-test=location-area]")).to_contain_text(
        loc["area"]["responsible"]["phone"]
    )
    expect(room.locator("[data-test=location-line]")).to_contain_text(
        loc["line"]["responsible"]["phone"]
    )
    expect(room.locator("[data-test=location-point]")).to_contain_text(
        loc["point"]["responsible"]["name"]
    )
    expect(room.locator("[data-test=location-force]")).to_contain_text(loc["local_force"]["name"])
    # Times in Beijing time, whatever the browser's zone (this one runs on UTC).
    received = datetime.fromisoformat(detail["reports"][0]["received_at"]).astimezone(BEIJING)
    shown = f"{received.year}/{received.month}/{received.day} {received:%H:%M:%S}"
    expect(room.locator("[data-test=reports]")).to_contain_text(shown)
    timeline = room.locator("[data-test=timeline]")
    expect(timeline).to_contain_text("北京时间")
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", timeline.inner_text())

    # Nearby: every kind, nearest first, as the API ranks them.
    panel = room.locator("[data-test=nearby]")
    teams = panel.locator("[data-test=nearby-teams] tr.el-table__row")
    expect(teams).to_have_count(len(near["results"]["teams"]))
    expect(teams.first).to_contain_text(near["results"]["teams"][0]["name"])
    for kind in ("experts", "warehouses", "stations", "videos"):
        expect(panel.locator(f"[data-test=nearby-tab-{kind}]")).to_contain_text(
            str(near["totals"][kind])
        )
    # A skill narrows the teams to those that have it.
    skill = near["results"]["teams"][0]["skills"][0]
    panel.locator("input[data-test=nearby-skill]").fill(skill)
    panel.locator("[data-test=nearby-search]").click()
    skilled = live_server.call(
        f"{RES}/nearby?incident_id={iid}&limit=20&kinds=teams&skill={quote(skill)}", duty
    )["results"]["teams"]
    expect(teams).to_have_count(len(skilled))  # the table has been redrawn with the answer
    for i in range(len(skilled)):
        expect(teams.nth(i)).to_contain_text(skill)
    # An item and a quantity: the warehouses holding it, with their stock and whether it covers.
    panel.locator("input[data-test=nearby-skill]").fill("")
    panel.locator("[data-test=nearby-item]").click()
    page.keyboard.type("编织袋")
    page.locator(".el-select-dropdown__item", has_text="编织袋").locator("visible=true").click()
    expect(panel.locator("[data-test=nearby-item]")).to_contain_text("编织袋")
    panel.locator("[data-test=nearby-quantity] input").fill("500")
    panel.locator("[data-test=nearby-search]").click()
    panel.locator("[data-test=nearby-tab-warehouses]").click()
    stocked = live_server.call(
        f"{RES}/nearby?incident_id={iid}&kinds=warehouses&item=SANDBAG&quantity=500&limit=20",
        duty,
    )["results"]["warehouses"]
    rows = panel.locator("[data-test=nearby-warehouses] tr.el-table__row")
    expect(rows).to_have_count(len(stocked))
    expect(rows.first).to_contain_text(stocked[0]["name"])
    expect(rows.first.locator("[data-test=covers]")).to_have_text(
        "满足" if stocked[0]["stock"]["covers"] else "不足"
    )
    panel.scroll_into_view_if_needed()
    screenshot(page, "incident-room-nearby")
