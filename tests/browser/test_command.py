"""The command flow in the browser (issue 6): a duty officer activates the hazardous-chemicals
plan on an incident posted through the API; a department operator accepts and completes its
task on its board while the commander's room follows live; a warning is issued and shows on
the map; the incident is closed with its aftermath and the review shows the measured times;
plans are edited (with the API's faults by line), compared and exported; joint duty."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, screenshot
from tests.browser.test_dashboard import login
from tests.browser.test_incidents import inside

pytestmark = pytest.mark.browser

DUTY = "duty"  # the demo accounts the issue names
DEPT_EM = "dept_em"
HQ_SAFETY = "hq_safety"
# Sub-districts of 市中区, one per test: reports of one kind close together would merge.
SUBDISTRICTS = ["370103004", "370103006", "370103009", "370103010", "370103015"]


def post(server: LiveServer, path: str, token: str, body: object, method: str = "POST") -> Any:
    import json
    import urllib.request

    req = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(req) as resp:
        return json.load(resp)


def ammonia_leak(server: LiveServer, code: str, *, activate: bool = False) -> tuple[int, str]:
    """An ammonia-water leak reported to the hotline, verified (and the plan activated)."""
    token = server.token(DUTY)
    lon, lat = inside(server, token, code)
    now = datetime.now(UTC).isoformat()
    title = f"氨水罐车泄漏 {uuid.uuid4().hex[:6]}"
    report = post(
        server,
        "/api/v1/reports",
        token,
        {
            "channel": "public",
            "source_id": f"browser-{uuid.uuid4().hex}",
            "occurred_at": now,
            "reported_at": now,
            "title": title,
            "text": "一辆运输氨水的罐车发生泄漏，危化品，有刺激性气味",
            "location": {"lon": lon, "lat": lat},
            "reporter": {"name": "李师傅", "phone": "13900000000"},
        },
    )
    assert not report["merged"], "each test needs an incident of its own"
    incident_id = int(report["incident_id"])
    post(server, f"/api/v1/incidents/{incident_id}/transitions", token, {"to": "verified"})
    if activate:
        post(
            server,
            f"/api/v1/incidents/{incident_id}/activations",
            token,
            {"plan_id": plan_id(server, "PLAN-HAZCHEM")},
        )
    return incident_id, title


def plan_id(server: LiveServer, code: str) -> int:
    plans = server.call("/api/v1/plans?limit=200", server.token(DUTY))["items"]
    return next(p["id"] for p in plans if p["code"] == code)


def tasks_of(server: LiveServer, incident_id: int) -> list[dict[str, Any]]:
    return server.call(f"/api/v1/tasks?incident_id={incident_id}&limit=500", server.token(DUTY))[
        "items"
    ]


def complete_all(server: LiveServer, incident_id: int) -> None:
    token = server.token(DUTY)
    for task in tasks_of(server, incident_id):
        if task["status"] not in ("completed", "refused", "reassigned"):
            post(server, f"/api/v1/tasks/{task['id']}/status", token, {"to": "on_scene"})
            post(server, f"/api/v1/tasks/{task['id']}/status", token, {"to": "completed"})


def command_tab(page: Page, name: str) -> None:
    room = page.locator("[data-test=command-room]")
    room.locator(".el-tabs__item", has_text=name).click()
    room.scroll_into_view_if_needed()


def test_duty_officer_activates_the_hazchem_plan_consults_and_warns(new_page, live_server):
    incident_id, title = ammonia_leak(live_server, SUBDISTRICTS[0])
    page = new_page()
    login(page, live_server, DUTY)
    page.goto(f"{live_server.url}/incidents/{incident_id}")
    expect(page.locator("[data-test=incident-title]")).to_have_text(title)

    # 预案启动: the hazardous-chemicals plan is suggested, with the conditions it meets.
    suggestion = page.locator("[data-test=suggested-plan][data-code=PLAN-HAZCHEM]")
    expect(suggestion).to_contain_text("危险化学品生产安全事故应急预案")
    expect(suggestion).to_contain_text("危险化学品泄漏")
    suggestion.locator("[data-test=response-level]").click()
    page.locator(".el-select-dropdown__item:visible", has_text="Ⅲ级响应").click()
    suggestion.locator("[data-test=activate]").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    active = page.locator("[data-test=active-plan]")
    expect(active).to_contain_text("危险化学品生产安全事故应急预案")
    expect(active).to_contain_text("Ⅲ级响应")
    expect(page.locator("[data-test=incident-status]")).to_have_text("处置中")
    page.locator("[data-test=command-room]").scroll_into_view_if_needed()
    screenshot(page, "command-activation")

    # 任务看板: every party's task, with deadline; none late yet.
    command_tab(page, "任务看板")
    rows = page.locator("[data-test=command-room] [data-test=task-table] tbody tr")
    expected = len(tasks_of(live_server, incident_id))
    assert expected >= 13
    expect(rows).to_have_count(expected)
    expect(page.locator("[data-test=command-room]")).to_contain_text("区消防救援大队")

    # A party moves its task elsewhere: the board follows without a reload.
    fire = next(t for t in tasks_of(live_server, incident_id) if t["party"]["code"] == "DEPT-FIRE")
    post(
        live_server,
        f"/api/v1/tasks/{fire['id']}/status",
        live_server.token(DUTY),
        {"to": "on_scene"},
    )
    row = page.locator("[data-test=command-room] tbody tr", has_text=fire["title"])
    expect(row.locator("[data-test=task-status]")).to_have_attribute("data-status", "on_scene")

    # Recommendations: attach the nearest micro station to the fire brigade's task.
    row.locator("[data-test=recommend]").click()
    dialog = page.locator(".el-dialog", has_text="推荐资源")
    dialog.locator(".el-tabs__item", has_text="微型站").click()
    dialog.locator("[data-test=rec-stations] tbody tr").first.locator(".el-checkbox").click()
    dialog.locator("[data-test=attach]").click()
    expect(row.locator("[data-test=attached]")).to_contain_text("微型站")
    page.locator("[data-test=command-room]").scroll_into_view_if_needed()
    screenshot(page, "command-tasks")

    # 会商研判: a decision from the room, and a message from a party arriving live.
    command_tab(page, "会商研判")
    consult = page.locator("[data-test=consult]")
    consult.locator("[data-test=message-kind] label", has_text="决定").click()
    consult.locator("[data-test=message-text]").fill("立即疏散事发地周边 500 米内群众")
    consult.locator("[data-test=send]").click()
    expect(consult.locator("[data-test=message][data-kind=decision]")).to_contain_text("疏散")
    post(
        live_server,
        f"/api/v1/incidents/{incident_id}/messages",
        live_server.token(DEPT_EM),
        {"text": "无人机已升空，现场画面回传正常"},
    )
    expect(consult.locator("[data-test=message]", has_text="无人机已升空")).to_be_visible()
    screenshot(page, "command-consult")

    # 周边预警: an orange circle of 800 m around the incident; its CAP message.
    command_tab(page, "周边预警")
    form = page.locator("[data-test=warning-form]")
    form.locator("[data-test=warning-colour] label", has_text="橙色").click()
    form.locator("[data-test=warning-headline]").fill("氨水泄漏，周边群众请关闭门窗")
    form.locator("[data-test=warning-description]").fill("京台高速殷家林立交附近一辆氨水罐车泄漏。")
    form.locator("[data-test=warning-radius] input").fill("800")
    form.locator("[data-test=warning-radius] input").press("Tab")
    form.locator("[data-test=issue-warning]").click()
    warning = page.locator("[data-test=warning][data-status=active]")
    expect(warning).to_contain_text("橙色预警")
    expect(warning).to_contain_text("800")
    expect(page.locator("[data-test=warning-map] path.yj-warning-orange")).not_to_have_count(0)
    screenshot(page, "command-warning")
    warning.locator("[data-test=cap]").click()
    expect(page.locator("[data-test=cap-xml]")).to_contain_text(
        "urn:oasis:names:tc:emergency:cap:1.2"
    )
    page.keyboard.press("Escape")

    # ... and it shows on the main map, in its colour.
    page.locator("[data-test=nav-map]").click()
    expect(page.locator("[data-test=map]")).to_have_attribute("data-ready", "true")
    layer = page.locator("[data-test=warnings-layer]")
    expect(layer).not_to_have_attribute("data-warnings", "0")
    expect(page.locator("[data-test=map] path.yj-warning-orange")).not_to_have_count(0)
    screenshot(page, "map-warnings")


def test_a_department_operator_accepts_and_completes_its_task(new_page, live_server):
    incident_id, title = ammonia_leak(live_server, SUBDISTRICTS[1], activate=True)
    ours = [t for t in tasks_of(live_server, incident_id) if t["scope"]["code"] == "DEPT-EM"]
    assert ours, "the plan gives the emergency bureau tasks (its own, experts', teams')"
    task = ours[0]

    page = new_page()
    login(page, live_server, DEPT_EM)
    page.locator("[data-test=nav-tasks]").click()
    board = page.locator("[data-test=my-tasks]")
    row = board.locator("tbody tr", has=page.locator(f"[data-test=task-{task['id']}]"))
    expect(row).to_contain_text(task["title"])
    expect(row).to_contain_text(title)  # which incident
    # Only its own unit's tasks: none of the fire brigade's.
    expect(board.locator("[data-test=task-table]")).not_to_contain_text("区消防救援大队")

    row.locator("[data-test=move-accepted]").click()
    expect(row.locator("[data-test=task-status]")).to_have_attribute("data-status", "accepted")
    row.locator("[data-test=move-en_route]").click()
    expect(row.locator("[data-test=task-status]")).to_have_attribute("data-status", "en_route")
    screenshot(page, "my-tasks")
    row.locator("[data-test=move-completed]").click()
    page.locator(".el-message-box__input input").fill("专家已到指挥部会商")
    page.locator(".el-message-box__btns .el-button--primary").click()
    board.locator("[data-test=status-filter] label", has_text="已结束").click()
    done = board.locator("tbody tr", has=page.locator(f"[data-test=task-{task['id']}]"))
    expect(done.locator("[data-test=task-status]")).to_have_attribute("data-status", "completed")
    expect(done).to_contain_text("专家已到指挥部会商")

    # A task the commander assigns by hand reaches the board live.
    board.locator("[data-test=status-filter] label", has_text="未完成").click()
    extra = post(
        live_server,
        f"/api/v1/incidents/{incident_id}/tasks",
        live_server.token(DUTY),
        {
            "phase": "response",
            "party_type": "department",
            "party_code": "DEPT-EM",
            "title": "调运应急物资至现场",
            "deadline_min": 30,
        },
    )
    expect(board.locator(f"[data-test=task-{extra['id']}]")).to_be_visible()
    # Refusing needs a reason.
    row = board.locator("tbody tr", has=page.locator(f"[data-test=task-{extra['id']}]"))
    row.locator("[data-test=move-refused]").click()
    page.locator(".el-message-box__input input").fill("物资由街道储备点就近调运")
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(board.locator(f"[data-test=task-{extra['id']}]")).to_have_count(0)  # no longer open
    assert (
        live_server.call(f"/api/v1/tasks/{extra['id']}", live_server.token(DUTY))["status"]
        == "refused"
    )


def test_the_incident_is_closed_with_aftermath_and_reviewed(new_page, live_server, tmp_path):
    incident_id, _ = ammonia_leak(live_server, SUBDISTRICTS[2], activate=True)
    complete_all(live_server, incident_id)

    page = new_page()
    login(page, live_server, HQ_SAFETY)
    page.goto(f"{live_server.url}/incidents/{incident_id}?tab=review")
    review = page.locator("[data-test=review]")
    expect(review.locator("[data-test=close-incident]")).to_be_disabled()  # controlled first
    page.locator("[data-test=to-controlled]").click()
    expect(page.locator("[data-test=incident-status]")).to_have_text("已控制")
    review.locator("[data-test=close-incident]").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.locator(".el-message--error")).to_contain_text("善后")  # aftermath first

    review.locator("[data-test=list-aftermath]").click()
    expect(review.locator("[data-test=close-needs]")).not_to_contain_text("善后 0 项")
    aftermath = [t for t in tasks_of(live_server, incident_id) if t["phase"] == "aftermath"]
    assert aftermath
    complete_all(live_server, incident_id)
    review.locator("[data-test=close-incident]").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(review.locator("[data-test=closed]")).to_be_visible()
    expect(page.locator("[data-test=incident-status]")).to_have_text("已结束")

    # Measured times: every step has a figure.
    for key in (
        "report_to_verified_s",
        "verified_to_activated_s",
        "activated_to_first_on_scene_s",
        "total_s",
    ):
        value = review.locator(f"[data-test=measure-{key}] .value")
        expect(value).to_have_text(re.compile(r"\d+ (秒|分|小时)"))
    expect(review.locator("[data-test=per-party]")).to_contain_text("区消防救援大队")

    # Summary and a lesson that opens a revision of the plan.
    review.locator("[data-test=review-summary]").fill("3 小时内处置完毕，无人员伤亡。")
    review.locator("[data-test=add-lesson]").click()
    review.locator("[data-test=lesson-text]").fill("罐车驾驶员应随车携带堵漏器材")
    review.locator("[data-test=lesson-plan]").click()
    page.locator(
        ".el-select-dropdown__item:visible", has_text="危险化学品生产安全事故应急预案"
    ).click()
    review.locator("[data-test=save-review]").click()
    review.locator("[data-test=open-revision]").click()
    expect(review.locator("[data-test=revision]")).to_contain_text("修订中")
    page.locator("[data-test=command-room]").scroll_into_view_if_needed()
    screenshot(page, "command-review")

    with page.expect_download() as info:
        review.locator("[data-test=report-pdf]").click()
    path = tmp_path / "report.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")


def test_plans_are_edited_with_faults_by_line_compared_and_exported(new_page, live_server):
    page = new_page()
    login(page, live_server, DUTY)
    page.locator("[data-test=nav-plans]").click()
    page.locator("[data-test=plan-item][data-code=PLAN-URBAN-FIRE]").click()
    expect(page.locator("[data-test=plan-name]")).to_have_text("城市火灾应急预案")
    expect(page.locator("[data-test=plan-level]").first).to_contain_text("响应")
    screenshot(page, "plans")

    page.locator(".el-tabs__item", has_text="编辑").click()
    editor = page.locator("[data-test=plan-yaml]")
    original = editor.input_value()
    first_party = re.search(r"code: (DEPT-[A-Z]+)", original)
    assert first_party
    broken = original.replace(first_party.group(0), "code: DEPT-NOWHERE", 1)
    editor.fill(broken)
    page.locator("[data-test=plan-note]").fill("测试：错误的部门编码")
    page.locator("[data-test=plan-save]").click()
    fault = page.locator("[data-test=plan-error]").first
    expect(fault).to_contain_text("DEPT-NOWHERE")
    line = (
        broken.splitlines().index(next(x for x in broken.splitlines() if "DEPT-NOWHERE" in x)) + 1
    )
    expect(fault).to_have_attribute("data-line", str(line))
    expect(page.locator(".gutter .bad")).to_have_text(str(line))
    screenshot(page, "plan-editor")

    fixed = original.replace("deadline_min: 10", "deadline_min: 12", 1)
    assert fixed != original, "the demo urban-fire plan has a 10-minute deadline to change"
    editor.fill(fixed)
    page.locator("[data-test=plan-note]").fill("到场时限调整为 12 分钟")
    page.locator("[data-test=plan-save]").click()
    expect(page.locator("[data-test=plan-version]")).to_have_text(re.compile(r"v[2-9]"))

    page.locator(".el-tabs__item", has_text="版本历史").click()
    diff = page.locator("[data-test=plan-diff]")
    expect(diff.locator(".add")).to_contain_text("deadline_min: 12")
    expect(diff.locator(".del")).to_contain_text("deadline_min: 10")
    screenshot(page, "plan-diff")

    with page.expect_download() as info:
        page.locator("[data-test=plan-export]").click()
    assert info.value.suggested_filename.endswith(".yaml")


def test_joint_duty_roster_handover_and_session_log(new_page, live_server):
    page = new_page()
    login(page, live_server, DUTY)
    page.locator("[data-test=nav-duty]").click()
    duty = page.locator("[data-test=duty]")
    person = f"值班{uuid.uuid4().hex[:4]}"

    duty.locator(".el-tabs__item", has_text="排班表").click()
    form = duty.locator("[data-test=shift-form]")
    form.locator("[data-test=shift-department]").click()
    page.locator(".yj-shift-department li", has_text="区水务局").click()
    form.locator("[data-test=shift-person]").fill(person)
    form.locator("[data-test=shift-phone]").fill("13700000000")
    form.locator("[data-test=add-shift]").click()  # the default: this hour for 12 hours
    expect(duty.locator("[data-test=shifts]")).to_contain_text(person)
    duty.locator(".el-tabs__item", has_text="当前在岗").click()
    expect(duty.locator("[data-test=on-duty-dept][data-code=DEPT-WATER]")).to_contain_text(person)

    duty.locator(".el-tabs__item", has_text="交接班").click()
    hand = duty.locator("[data-test=handover-form]")
    hand.locator(".el-select").click()
    page.locator(".yj-handover-department li", has_text="区水务局").click()
    hand.locator("[data-test=handover-from]").fill(person)
    hand.locator("[data-test=handover-to]").fill("张伟")
    hand.locator("[data-test=handover-notes]").fill("泵站运行正常，雨情平稳")
    hand.locator("[data-test=add-handover]").click()
    expect(duty.locator("[data-test=handovers]")).to_contain_text("泵站运行正常")

    duty.locator(".el-tabs__item", has_text="联合值守").click()
    duty.locator("[data-test=session-title]").fill("汛期联合值守")
    departments = duty.locator("[data-test=session-departments]")
    departments.click()
    for name in ("区水务局", "区应急管理局"):
        page.locator(".yj-session-departments li", has_text=name).click()
    page.keyboard.press("Escape")
    expect(departments).to_contain_text("区应急管理局")
    duty.locator("[data-test=start-session]").click()
    session = duty.locator("[data-test=session]")
    expect(session).to_contain_text("汛期联合值守")
    session.locator("[data-test=log-text]").fill("21:00 会商雨情，各部门到岗")
    session.locator("[data-test=add-log]").click()
    expect(session.locator("[data-test=session-log]")).to_contain_text("会商雨情")
    screenshot(page, "duty-session")
