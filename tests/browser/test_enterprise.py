"""The enterprise pages (issue 15): the ledger filtered by colour, an enterprise's detail and
its four-colour risk map, and an LS assessment made in the page whose colour is shown.

The assessment is made on a risk point this test creates on an enterprise it creates, both
through the API, so the demo district's enterprises and points stay as they were.
"""

from __future__ import annotations

import random
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_dashboard import demo_user, login
from yingji.core.creditcode import with_check

BUREAU = ("department_operator", "DEPT-EM")
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def pick_option(page: Page, select: str, label: str) -> None:
    """Open an Element Plus select and click the option showing exactly ``label``."""
    page.locator(f"[data-test={select}]").click()
    option = page.locator(".el-select-dropdown__item:visible").filter(
        has_text=re.compile(f"^{re.escape(label)}$")
    )
    option.click()
    # Wait for the dropdown to close, so the next select's options are not confused with these.
    expect(page.locator(".el-select__popper:visible")).to_have_count(0)


def new_enterprise(server: LiveServer, token: str, near: dict) -> dict:
    """A fresh enterprise (a credit code no demo one has) with one unassessed risk point."""
    rng = random.Random()
    while True:
        code = with_check("91370103MA" + "".join(rng.choice(ALPHABET) for _ in range(7)))
        try:
            server.call(f"/api/v1/enterprises/{code}", token)
        except Exception:  # 404: nobody has it
            break
    ent = server.call(
        "/api/v1/enterprises",
        token,
        {
            "code": code,
            "name": f"浏览器测试化工有限公司{rng.randrange(10**6)}",
            "industry_code": "C2641",
            "kind": "危化品储存经营",
            "lon": near["lon"],
            "lat": near["lat"],
            "legal_rep_name": "王建国",
            "principal_name": "王建国",
            "principal_phone": "13905310001",
            "safety_manager_name": "李敏",
            "employees": 40,
            "standardisation_grade": "三级",
            "standardisation_expiry": "2028-06-30",
        },
    )
    point = server.call(
        "/api/v1/prevention/risk-points",
        token,
        {
            "enterprise_code": code,
            "code": "RP-T01",
            "name": "甲醇储罐区",
            "kind": "facility",
            "location": "罐区东侧",
            "lon": near["lon"] + 0.0004,
            "lat": near["lat"] + 0.0003,
            "responsible_name": "李敏",
        },
    )
    return {"enterprise": ent, "point": point}


def test_ledger_filter_detail_risk_map_and_an_ls_assessment(new_page, live_server):
    bureau = live_server.token(demo_user(*BUREAU))
    reds = live_server.call("/api/v1/enterprises?colour=red&limit=5", bureau)
    assert reds["total"] > 0, "the demo district has red enterprises"
    created = new_enterprise(live_server, bureau, reds["items"][0])
    ent, point = created["enterprise"], created["point"]

    page = new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, live_server, demo_user(*BUREAU))
    page.locator("[data-test=nav-enterprises]").click()
    expect(page).to_have_url(re.compile(r"/enterprises$"))
    table = page.locator("[data-test=enterprise-table]")
    expect(table.locator(".el-table__row").first).to_be_visible()
    all_total = int(table.get_attribute("data-total") or 0)
    assert all_total > reds["total"]
    screenshot(page, "enterprise-list")

    # Filter by red: only red rows, as many as the API counts.
    pick_option(page, "filter-colour", "重大风险")
    expect(table).to_have_attribute("data-total", str(reds["total"]))
    tags = table.locator(".el-table__row [data-test=colour-tag]")
    expect(tags.first).to_have_attribute("data-colour", "red")
    for colour in tags.evaluate_all("els => els.map(e => e.dataset.colour)"):
        assert colour == "red"
    screenshot(page, "enterprise-list-red")

    # Open the first red enterprise: overview, then its risk map with markers.
    first = table.locator(".el-table__row").first
    name = first.locator("[data-test=enterprise-link]").inner_text()
    first.locator("[data-test=enterprise-link]").click()
    expect(page).to_have_url(re.compile(r"/enterprises/[0-9A-Z]{18}$"))
    detail = page.locator("[data-test=enterprise-detail]")
    expect(detail.locator("h2")).to_contain_text(name)
    expect(
        detail.locator("[data-test=enterprise-colour] [data-test=colour-tag]")
    ).to_have_attribute("data-colour", "red")
    expect(page.locator("[data-test=enterprise-overview]")).to_contain_text("统一社会信用代码")
    screenshot(page, "enterprise-detail")
    page.locator(".el-tabs__item", has_text="证照").click()
    expect(page.locator("[data-test=licences]")).to_be_visible()
    page.locator(".el-tabs__item", has_text="风险四色图").click()
    risk_map = page.locator("[data-test=risk-map]")
    expect(risk_map).to_have_attribute("data-ready", "true")
    markers = int(risk_map.get_attribute("data-markers") or 0)
    assert markers > 0
    expect(risk_map.locator("path.yj-risk")).to_have_count(markers)
    expect(risk_map.locator("path.yj-risk-red").first).to_be_attached()
    page.locator("[data-test=risk-points] .el-table__row").first.click()
    expect(page.locator("[data-test=risk-point]")).to_be_visible()
    screenshot(page, "enterprise-risk-map")

    # The new enterprise: its one point is grey (未评估) until an LS assessment
    # of 5×4 = 20 makes it red.
    page.goto(f"{live_server.url}/enterprises/{ent['code']}?tab=risk")
    risk_map = page.locator("[data-test=risk-map]")
    expect(risk_map).to_have_attribute("data-markers", "1")
    expect(risk_map.locator("path.yj-risk-none")).to_have_count(1)
    risk_map.locator("path.yj-risk-none").click()
    box = page.locator("[data-test=risk-point]")
    expect(box).to_have_attribute("data-id", str(point["id"]))
    expect(box.locator("[data-test=point-colour] [data-test=colour-tag]")).to_have_attribute(
        "data-colour", "none"
    )
    page.locator("[data-test=method-LS]").click()
    pick_option(page, "ls-l", "5")
    pick_option(page, "ls-s", "4")
    page.locator("[data-test=assess-save]").click()
    result = page.locator("[data-test=assess-result]")
    expect(result).to_have_attribute("data-colour", "red")
    expect(result).to_contain_text("20")
    expect(box.locator("[data-test=point-colour] [data-test=colour-tag]")).to_have_attribute(
        "data-colour", "red"
    )
    expect(risk_map.locator("path.yj-risk-red")).to_have_count(1)
    expect(page.locator("[data-test=point-latest]")).to_contain_text("LS")
    expect(page.locator("[data-test=enterprise-colour] [data-test=colour-tag]")).to_have_attribute(
        "data-colour", "red"
    )
    screenshot(page, "enterprise-assessment")

    # The server kept it: the point and the enterprise are red.
    assert (
        live_server.call(f"/api/v1/prevention/risk-points/{point['id']}", bureau)["colour"] == "red"
    )
    assert live_server.call(f"/api/v1/enterprises/{ent['code']}", bureau)["risk_colour"] == "red"

    # The main map's enterprise layer: a dot per enterprise, with a popup linking to the page.
    page.goto(f"{live_server.url}/map")
    expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
    page.locator("[data-test=layer-enterprises]").click()
    layer = page.locator("[data-test=enterprises-layer]")
    expect(layer).not_to_have_attribute("data-enterprises", "0")
    count = int(layer.get_attribute("data-enterprises") or 0)
    assert count == all_total  # every enterprise on the register, the new one included
    expect(page.locator("path.yj-ent")).to_have_count(count)
    screenshot(page, "enterprise-map-layer")
