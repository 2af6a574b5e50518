"""The notification record (通知记录): what the development provider would have sent — a
warning's SMS to the sub-district's duty room, a notice sent by hand — with each try."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_command import DUTY, ammonia_leak, post
from tests.browser.test_dashboard import login

pytestmark = pytest.mark.browser


def test_the_record_shows_what_was_sent_and_each_try(new_page, live_server):
    incident_id, _title = ammonia_leak(live_server, "370103017")
    post(live_server, f"/api/v1/incidents/{incident_id}/warnings", live_server.token(DUTY), {
        "colour": "orange", "event": "危险化学品泄漏",
        "headline": "氨水罐车泄漏，周边 1 公里注意防护",
        "description": "消防正在稀释处置。", "instruction": "关闭门窗，不要靠近现场。",
        "area_desc": "周边 1 公里", "area": {"circle": {"radius_m": 1000}},
    })  # fmt: skip
    page = new_page()
    login(page, live_server, "admin")
    page.locator("[data-test=nav-notify]").click()
    view = page.locator("[data-test=notify]")
    messages = view.locator("[data-test=notify-messages]")
    expect(messages).to_contain_text("发布预警")
    expect(messages).to_contain_text("氨水罐车泄漏")

    send = view.locator("[data-test=notify-send]")
    send.locator("[data-test=notify-send-to]").fill("13900000099")
    send.locator("[data-test=notify-send-text]").fill("通道自检：收到请忽略")
    send.locator("[data-test=notify-send-button]").click()
    detail = view.locator("[data-test=notify-detail]")
    expect(detail).to_contain_text("通道自检")
    view.locator("[data-test=notify-refresh]").click()
    row = messages.locator("tr", has_text="通道自检").first
    expect(row.locator("[data-test=notify-row-status]")).to_have_text("已发出")
    row.click()
    expect(detail.locator("[data-test=notify-tries]")).to_contain_text("#1 已发出 · dev")
    screenshot(page, "notify-record")

    view.locator("[data-test=notify-channel]").click()
    page.locator(".yj-notify-channel li", has_text="短信").click()
    expect(messages).not_to_contain_text("Webhook")
    expect(messages).to_contain_text("13900000099")
