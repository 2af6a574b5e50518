"""The dashboard in a real browser: login, the shell, the grid map, languages and scope.

Screenshots land in docs/user-guide/img/ for the user guide.
"""

from __future__ import annotations

import re
import statistics

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, demo_password, record_result, screenshot

pytestmark = pytest.mark.browser

GANSHIQIAO = "370103003"  # 杆石桥街道: 8 areas, 40 lines, 663 points in the seed


def demo_user(role: str, scope: str | None = None) -> str:
    """The username of the demo account with this role (and scope)."""
    from yingji.demo.load import DEMO_ACCOUNTS

    for account in DEMO_ACCOUNTS:
        if account.role == role and (scope is None or account.scope_code == scope):
            return account.username
    raise LookupError(f"no demo account for {role} {scope}")


def login(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(demo_password())
    page.locator("[data-test=login-submit]").click()
    expect(page).to_have_url(re.compile(r"/map$"))
    expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")


def test_wrong_password_is_refused_in_the_chosen_language(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + "/login")
    expect(page.locator("h1")).to_have_text("应急指挥平台")
    page.locator("input[name=username]").fill(demo_user("duty_officer"))
    page.locator("input[name=password]").fill("not-the-password")
    page.locator("[data-test=login-submit]").click()
    error = page.locator("[data-test=login-error]")
    expect(error).to_contain_text("用户名或密码错误")
    screenshot(page, "login")
    page.get_by_text("English", exact=True).click()
    expect(error).to_contain_text("Wrong username or password")
    expect(page.locator("h1")).to_have_text("Emergency Command Platform")


def test_duty_officer_sees_the_district_and_its_grid(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    header_role = page.locator("[data-test=role]")
    expect(header_role).to_have_text("值班员")
    # Only pages that exist are in the menu; 资源 opens the list of the resources pages.
    names = ["地图", "值班队列", "事件列表", "统计", "资源", "预案", "我的任务", "值班", "通知记录"]
    names.append("企业")  # enterprises and dual prevention (issue 15)
    expect(page.locator("[data-test=nav] .nav-link")).to_have_text([re.compile(n) for n in names])

    the_map = page.locator("[data-test=map]")
    expect(the_map).to_have_attribute("data-subdistricts", "17")
    expect(the_map).to_have_attribute("data-areas", "127")
    expect(the_map).to_have_attribute("data-lines", "322")
    expect(the_map).to_have_attribute("data-points", "4758")
    expect(page.locator("path.yj-subdistrict")).to_have_count(17)
    expect(page.locator("path.yj-area")).to_have_count(127)
    expect(page.locator("path.yj-line")).to_have_count(322)
    expect(page.locator("path.yj-outline")).not_to_have_count(0)
    expect(page.locator(".yj-label", has_text="杆石桥街道")).to_be_visible()
    # 4,758 points, clustered: the clusters and the lone points add up to all of them.
    clustered = sum(int(n) for n in page.locator(".yj-cluster").all_inner_texts())
    assert clustered + page.locator("path.yj-point").count() == 4758
    assert page.locator(".yj-cluster").count() > 10

    # Layers switch off and on again.
    page.locator("[data-test=layer-areas]").click()
    expect(page.locator("path.yj-area")).to_have_count(0)
    page.locator("[data-test=layer-points]").click()
    expect(page.locator(".yj-cluster")).to_have_count(0)
    page.locator("[data-test=layer-points]").click()
    page.locator("[data-test=layer-areas]").click()
    expect(page.locator("path.yj-area")).to_have_count(127)

    # A click on a grid area shows its summary: name, responsible person, phone.
    page.locator("path.yj-area").nth(5).dispatch_event("click")
    summary = page.locator("[data-test=summary]")
    expect(summary).to_be_visible()
    expect(page.locator("[data-test=summary-type]")).to_have_text("网格面")
    expect(summary).to_contain_text("责任人")
    expect(summary).to_contain_text("电话")
    expect(summary).to_contain_text(re.compile(r"1\d{10}|\d{3,4}-?\d{7,8}"))
    screenshot(page, "map-area")

    # A sub-district's summary names its local response force.
    page.locator("path.yj-subdistrict").first.dispatch_event("click")
    expect(summary).to_contain_text("属地应急力量")
    screenshot(page, "map")


def test_english_is_remembered_and_chinese_comes_back(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    page.locator("[data-test=locale]").get_by_text("EN", exact=True).click()
    expect(page.locator("[data-test=nav] a").first).to_have_text("Map")
    expect(page.locator("[data-test=role]")).to_have_text("Duty officer")
    expect(page.locator("[data-test=layer-areas]")).to_contain_text("Grid areas")
    page.reload()
    expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-test=nav] a").first).to_have_text("Map")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("path.yj-subdistrict").nth(2).dispatch_event("click")
    expect(page.locator("[data-test=summary]")).to_contain_text("Local response force")
    screenshot(page, "map-en")
    page.locator("[data-test=locale]").get_by_text("中文", exact=True).click()
    expect(page.locator("[data-test=nav] a").first).to_have_text("地图")
    expect(page.locator("[data-test=summary]")).to_contain_text("属地应急力量")


def test_a_subdistrict_operator_sees_only_their_subdistrict(new_page, live_server):
    page = new_page()
    login(page, live_server, demo_user("subdistrict_operator", GANSHIQIAO))
    expect(page.locator("[data-test=role]")).to_have_text("街道操作员")
    the_map = page.locator("[data-test=map]")
    expect(the_map).to_have_attribute("data-subdistricts", "1")
    expect(the_map).to_have_attribute("data-areas", "8")
    expect(the_map).to_have_attribute("data-lines", "40")
    expect(the_map).to_have_attribute("data-points", "663")
    expect(page.locator(".yj-label")).to_have_text(["杆石桥街道"])
    screenshot(page, "map-subdistrict")


def test_an_expired_session_returns_to_the_login(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + "/login")
    page.evaluate("localStorage.setItem('yingji.token', 'expired.or.forged')")
    page.goto(live_server.url + "/map")
    expect(page).to_have_url(re.compile(r"/login\?.*expired=1"))
    expect(page.get_by_text("登录已过期，请重新登录")).to_be_visible()


def test_first_page_usable_time_with_the_whole_district(new_page, live_server):
    """Time from navigation to the map with every layer drawn, cold cache, signed in.

    Recorded (test-results/dashboard.json and the test output), not asserted: the figure
    for docs/benchmarks.md comes from ``yingji bench dashboard``.
    """
    token = live_server.token(demo_user("duty_officer"))
    timings_ms = []
    for _ in range(3):
        page = new_page()
        page.goto(live_server.url + "/login")
        page.evaluate(f"localStorage.setItem('yingji.token', '{token}')")
        page.goto(live_server.url + "/map")
        expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
        ready = page.evaluate("performance.getEntriesByName('yingji:map-ready')[0].startTime")
        timings_ms.append(round(float(ready)))
        page.context.close()
    record_result("map_usable_ms", timings_ms)
    print(f"\nfirst page usable (ms): {timings_ms}, median {statistics.median(timings_ms)}")
    assert all(t > 0 for t in timings_ms)


def test_the_map_shifts_to_gcj02_exactly_as_the_server_does(new_page, live_server):
    """AMap/Tencent tiles are GCJ-02: the browser's edge transform must agree with
    ``yingji.geo.transform`` (the one the locate API uses) to well under a metre."""
    from yingji.geo.transform import wgs84_to_gcj02

    page = new_page()
    page.goto(live_server.url + "/login")
    positions = [(116.98, 36.62), (116.885683, 36.504283), (117.075352, 36.667626), (2.35, 48.85)]
    shifted = page.evaluate(
        "ps => ps.map(([lon, lat]) => window.yingji.geo.wgs84ToGcj02(lon, lat))", positions
    )
    for (lon, lat), (glon, glat) in zip(positions, shifted, strict=True):
        elon, elat = wgs84_to_gcj02(lon, lat)
        assert abs(glon - elon) < 1e-8 and abs(glat - elat) < 1e-8, (lon, lat)
    assert shifted[-1] == [2.35, 48.85]  # outside China: unchanged
    assert abs(shifted[0][0] - 116.98) > 1e-3  # inside: the offset is hundreds of metres


def test_a_real_click_reaches_the_grid_under_the_incidents(new_page, live_server):
    """Incidents are drawn on a canvas above the grid: a click that hits no incident must
    still reach the area under it (``dispatch_event`` above skips hit-testing; this does not)."""
    from tests.browser.test_incidents import post_report

    duty = live_server.token(demo_user("duty_officer"))
    # 陡沟 (370103022): no other browser test reports there, so nothing merges with this
    post_report(live_server, duty, "370103022", "陡沟某仓库燃气泄漏 click-through")
    page = new_page()
    login(page, live_server, demo_user("duty_officer"))
    expect(page.locator("[data-test=map]")).not_to_have_attribute("data-incidents", "0")
    page.locator(
        "[data-test=layer-points]"
    ).click()  # the clusters are markers: off, for a clear shot
    # A spot where the incidents' canvas lies on top and the area is right under it.
    spot = (
        page.locator("path.yj-area")
        .nth(40)
        .evaluate(
            """(area) => {
            const canvas = document.querySelector('.leaflet-yj-incidents-pane canvas')
            const box = area.getBoundingClientRect()
            for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {
                const x = box.left + (box.width * i) / 10, y = box.top + (box.height * j) / 10
                if (document.elementFromPoint(x, y) !== canvas) continue
                canvas.style.pointerEvents = 'none'
                const under = document.elementFromPoint(x, y)
                canvas.style.pointerEvents = ''
                if (under === area) return [x, y]
            }
            return null
        }"""
        )
    )
    assert spot is not None, "no spot of the area lies under the incidents' canvas"
    page.mouse.click(*spot)
    expect(page.locator("[data-test=summary]")).to_be_visible()
    expect(page.locator("[data-test=summary-type]")).to_have_text("网格面")
    # ...and a click on an incident's marker still opens the incident, not what is under it.
    marker = page.evaluate(
        """() => {
            const canvas = document.querySelector('.leaflet-yj-incidents-pane canvas')
            const [w, h] = [canvas.width, canvas.height]
            const rect = canvas.getBoundingClientRect()
            const data = canvas.getContext('2d').getImageData(0, 0, w, h).data
            for (let py = 0; py < h; py += 2) for (let px = 0; px < w; px += 2) {
                if (data[(py * w + px) * 4 + 3] < 250) continue  // not on a marker
                const x = rect.left + (px * rect.width) / w
                const y = rect.top + ((py + 3) * rect.height) / h  // inside the circle's top
                if (x < 0 || y < 60 || x > innerWidth || y > innerHeight) continue
                if (document.elementFromPoint(x, y) === canvas) return [x, y]
            }
            return null
        }"""
    )
    assert marker is not None, "no incident marker drawn in view"
    page.mouse.click(*marker)
    expect(page.locator("[data-test=summary-type]")).to_have_text(
        re.compile("^(待甄别|已核实|处置中|已控制)$")
    )
