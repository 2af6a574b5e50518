"""The hidden-hazard closed loop through HTTP: 一般 and 重大 to closure, the refusals the
issue lists (each writes nothing), extensions, listed supervision, timers and statistics."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.enterprise.test_enterprises_api import BUREAU, body
from tests.media.conftest import png, wav
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE
from yingji.prevention.hazard.models import HazardEvent
from yingji.scheduling.models import Timer

H = "/api/v1/prevention/hazards"
TODAY = date.today()


@pytest.fixture
def ent(client, token_for):
    demo = client.get(f"/api/v1/enterprises/{DEMO_ENTERPRISE_CODE}", headers=token_for(*BUREAU))
    made = client.post("/api/v1/enterprises", json=body(demo.json()), headers=token_for(*BUREAU))
    assert made.status_code == 201
    return made.json()


def photo(upload, headers) -> int:
    resp = upload(png(), "整改后.png", headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def new_hazard(client, headers, code, **over):
    resp = client.post(
        H,
        json={"enterprise_code": code, "description": "消防通道堆放杂物", "location": "2号仓库东侧"}
        | over,
        headers=headers,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def events(session, hazard_id):
    session.expire_all()
    return [
        e.kind
        for e in session.scalars(
            select(HazardEvent).where(HazardEvent.hazard_id == hazard_id).order_by(HazardEvent.id)
        )
    ]


def test_a_general_hazard_goes_round_the_loop(client, token_for, ent, upload, session):
    own = token_for("enterprise_user", ent["code"])
    bureau = token_for(*BUREAU)
    h = new_hazard(client, own, ent["code"])
    assert (h["state"], h["grade"], h["source"]) == ("registered", "general", "manual")
    started = client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={
            "deadline": str(TODAY + timedelta(days=7)),
            "responsible_name": "李敏",
            "measures": "清理杂物，划定禁放区",
        },
    )
    assert started.status_code == 200 and started.json()["state"] == "rectifying"
    done = client.post(
        f"{H}/{h['id']}/rectified",
        headers=own,
        json={"note": "已清理", "media_ids": [photo(upload, own)]},
    )
    assert done.status_code == 200 and done.json()["state"] == "rectified"
    # the rectifier cannot verify their own work
    self_check = client.post(f"{H}/{h['id']}/verify", headers=own, json={"accept": True})
    assert self_check.status_code == 403 and self_check.json()["field"] == "verified_by"
    rejected = client.post(
        f"{H}/{h['id']}/verify", headers=bureau, json={"accept": False, "note": "仍有杂物"}
    )
    assert rejected.json()["state"] == "rectifying"
    client.post(f"{H}/{h['id']}/rectified", headers=own, json={"media_ids": [photo(upload, own)]})
    ok = client.post(f"{H}/{h['id']}/verify", headers=bureau, json={"accept": True})
    assert ok.json()["state"] == "verified"
    closed = client.post(f"{H}/{h['id']}/close", headers=own, json={"note": "销号"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    detail = client.get(f"{H}/{h['id']}", headers=own).json()
    assert [e["kind"] for e in detail["timeline"]] == [
        "registered",
        "rectifying",
        "rectified",
        "verification_rejected",
        "rectified",
        "verified",
        "closed",
    ]
    assert len(detail["photos"]) == 2 and detail["photos"][0]["thumbnail_url"]
    # reopened only by the bureau, with a reason
    assert (
        client.post(f"{H}/{h['id']}/reopen", headers=own, json={"reason": "复查"}).status_code
        == 403
    )
    again = client.post(f"{H}/{h['id']}/reopen", headers=bureau, json={"reason": "复查发现反弹"})
    assert again.json()["state"] == "rectifying"


def test_a_major_hazard_needs_its_plan_evaluation_and_the_bureau(client, token_for, ent, upload):
    own = token_for("enterprise_user", ent["code"])
    bureau = token_for(*BUREAU)
    h = new_hazard(
        client, own, ent["code"], criteria=["C20"], description="危化品超量储存、禁配物质混存"
    )
    assert h["grade"] == "major" and h["rule_kind"] == "major_criteria_chemical"
    no_plan = client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(TODAY + timedelta(days=30)), "responsible_name": "王"},
    )
    assert no_plan.status_code == 409 and no_plan.json()["code"] == "treatment_plan_required"
    assert client.get(f"{H}/{h['id']}", headers=own).json()["state"] == "registered"
    incomplete = client.post(
        f"{H}/{h['id']}/treatment-plan",
        headers=own,
        json={
            "measures": "清点转移",
            "responsibility": "王建国",
            "funds": "5万元",
            "deadline": "30日",
            "contingency": "",
        },
    )
    assert incomplete.status_code == 422
    plan = client.post(
        f"{H}/{h['id']}/treatment-plan",
        headers=own,
        json={
            "measures": "清点转移超量物料，分区分类储存",
            "responsibility": "主要负责人王建国",
            "funds": "5万元",
            "deadline": "30日内",
            "contingency": "仓库泄漏现场处置方案",
        },
    )
    assert plan.status_code == 200
    client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(TODAY + timedelta(days=30)), "responsible_name": "王建国"},
    )
    client.post(f"{H}/{h['id']}/rectified", headers=own, json={"media_ids": [photo(upload, own)]})
    client.post(f"{H}/{h['id']}/verify", headers=bureau, json={"accept": True})
    by_enterprise = client.post(f"{H}/{h['id']}/close", headers=own, json={})
    assert by_enterprise.status_code == 403
    not_evaluated = client.post(f"{H}/{h['id']}/close", headers=bureau, json={})
    assert (
        not_evaluated.status_code == 409 and not_evaluated.json()["code"] == "evaluation_required"
    )
    client.post(
        f"{H}/{h['id']}/evaluate",
        headers=own,
        json={"by": "企业技术负责人", "conclusion": "已消除"},
    )
    closed = client.post(f"{H}/{h['id']}/close", headers=bureau, json={})
    assert closed.json()["state"] == "closed"


def test_listed_supervision_closes_through_the_resume_review(client, token_for, ent, upload):
    own = token_for("enterprise_user", ent["code"])
    bureau = token_for(*BUREAU)
    h = new_hazard(client, own, ent["code"], criteria=["C12"], description="未设可燃气体报警")
    assert (
        client.post(f"{H}/{h['id']}/supervise", headers=own, json={"reason": "x"}).status_code
        == 403
    )
    listed = client.post(
        f"{H}/{h['id']}/supervise",
        headers=bureau,
        json={"reason": "重大隐患挂牌督办", "stop_ordered": True},
    )
    assert listed.json()["listed_supervision"] and listed.json()["stop_ordered"]
    supervised = client.get(
        H, params={"supervised": True, "enterprise_code": ent["code"]}, headers=bureau
    ).json()
    assert [x["id"] for x in supervised["items"]] == [h["id"]]
    client.post(
        f"{H}/{h['id']}/treatment-plan",
        headers=own,
        json={
            "measures": "安装报警",
            "responsibility": "王",
            "funds": "2万",
            "deadline": "15日",
            "contingency": "预案",
        },
    )
    client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(TODAY + timedelta(days=15)), "responsible_name": "王"},
    )
    client.post(f"{H}/{h['id']}/rectified", headers=own, json={"media_ids": [photo(upload, own)]})
    client.post(f"{H}/{h['id']}/verify", headers=bureau, json={"accept": True})
    client.post(f"{H}/{h['id']}/evaluate", headers=own, json={"by": "第三方", "conclusion": "合格"})
    direct = client.post(f"{H}/{h['id']}/close", headers=bureau, json={})
    assert direct.status_code == 409 and direct.json()["code"] == "resume_application_required"
    applied = client.post(
        f"{H}/{h['id']}/resume-application", headers=own, json={"application": "申请恢复生产"}
    )
    assert applied.json()["state"] == "resume_applied"
    assert (
        client.post(f"{H}/{h['id']}/resume-review", headers=own, json={"accept": True}).status_code
        == 403
    )
    done = client.post(f"{H}/{h['id']}/resume-review", headers=bureau, json={"accept": True})
    assert done.json()["state"] == "closed" and not done.json()["listed_supervision"]


def test_a_deadline_moves_only_by_an_approved_extension(client, token_for, ent, session):
    own = token_for("enterprise_user", ent["code"])
    bureau = token_for(*BUREAU)
    h = new_hazard(client, own, ent["code"])
    first = TODAY + timedelta(days=5)
    client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(first), "responsible_name": "李敏"},
    )
    before = events(session, h["id"])
    patched = client.patch(
        f"{H}/{h['id']}", headers=own, json={"deadline": str(first + timedelta(days=9))}
    )
    assert patched.status_code == 422 and patched.json()["code"] == "deadline_by_extension"
    assert events(session, h["id"]) == before
    assert client.get(f"{H}/{h['id']}", headers=own).json()["deadline"] == str(first)
    ask = client.post(
        f"{H}/{h['id']}/extensions",
        headers=own,
        json={"deadline": str(first + timedelta(days=10)), "reason": "设备到货延迟"},
    )
    assert ask.status_code == 201 and ask.json()["status"] == "pending"
    twice = client.post(
        f"{H}/{h['id']}/extensions",
        headers=own,
        json={"deadline": str(first + timedelta(days=11)), "reason": "x"},
    )
    assert twice.status_code == 409
    by_self = client.post(
        f"{H}/{h['id']}/extensions/{ask.json()['id']}/decision", headers=own, json={"approve": True}
    )
    assert by_self.status_code == 403
    ok = client.post(
        f"{H}/{h['id']}/extensions/{ask.json()['id']}/decision",
        headers=bureau,
        json={"approve": True, "note": "同意"},
    )
    assert ok.json()["status"] == "approved"
    assert client.get(f"{H}/{h['id']}", headers=own).json()["deadline"] == str(
        first + timedelta(days=10)
    )
    session.expire_all()
    due = session.scalars(
        select(Timer).where(Timer.kind == "hazard_deadline", Timer.ref_id == h["id"])
    ).all()
    assert len(due) == 2  # the first deadline's timer finds the deadline moved and does nothing


def test_a_photo_that_is_not_an_image_is_415_and_nothing_changes(
    client, token_for, ent, upload, session
):
    own = token_for("enterprise_user", ent["code"])
    h = new_hazard(client, own, ent["code"])
    client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(TODAY + timedelta(days=3)), "responsible_name": "李敏"},
    )
    sound = upload(wav(1.0), "录音.wav", headers=own)
    assert sound.status_code == 201, sound.text
    before = events(session, h["id"])
    resp = client.post(
        f"{H}/{h['id']}/rectified", headers=own, json={"media_ids": [sound.json()["id"]]}
    )
    assert resp.status_code == 415 and resp.json()["field"] == "media_ids"
    assert events(session, h["id"]) == before
    assert client.get(f"{H}/{h['id']}", headers=own).json()["state"] == "rectifying"
    missing = client.post(f"{H}/{h['id']}/rectified", headers=own, json={"media_ids": [2**40]})
    assert missing.status_code == 422


def test_scope_and_unknown_criteria(client, token_for, ent):
    own = token_for("enterprise_user", ent["code"])
    h = new_hazard(client, own, ent["code"])
    stranger = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    assert client.get(f"{H}/{h['id']}", headers=stranger).status_code == 403
    assert (
        client.post(
            f"{H}/{h['id']}/start",
            headers=stranger,
            json={"deadline": str(TODAY), "responsible_name": "x"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            H, headers=stranger, json={"enterprise_code": ent["code"], "description": "x"}
        ).status_code
        == 403
    )
    unknown = client.post(
        H,
        headers=own,
        json={"enterprise_code": ent["code"], "description": "x", "criteria": ["Z99"]},
    )
    assert unknown.status_code == 422 and unknown.json()["field"] == "criteria"
    mine = client.get(H, headers=stranger, params={"limit": 5000}).json()
    assert {x["enterprise_code"] for x in mine["items"]} <= {DEMO_ENTERPRISE_CODE}


def test_a_passed_deadline_makes_it_overdue_and_tells_the_principal(
    client, token_for, ent, session, demo
):
    from yingji.scheduling import timers

    own = token_for("enterprise_user", ent["code"])
    h = new_hazard(client, own, ent["code"])
    client.post(
        f"{H}/{h['id']}/start",
        headers=own,
        json={"deadline": str(TODAY), "responsible_name": "李敏"},
    )
    session.expire_all()
    timer = session.scalars(
        select(Timer).where(Timer.kind == "hazard_deadline", Timer.ref_id == h["id"])
    ).one()
    # fire it as the loop would, two days later (the deadline's day has ended)
    later = timer.due_at + timedelta(days=1)
    from yingji.scheduling import clock

    real = clock.local_date
    clock.local_date = lambda: (later + timedelta(hours=8)).date()  # type: ignore[assignment]
    timer.claimed_by, timer.claimed_at = "test", later  # claimed as the loop would, this one only
    session.commit()
    try:
        timers.fire(demo, [timer.id], worker="test", now=later)
    finally:
        clock.local_date = real  # type: ignore[assignment]
    got = client.get(f"{H}/{h['id']}", headers=own).json()
    assert got["overdue"] is True and got["timeline"][-1]["kind"] == "overdue"
    overdue = client.get(
        H, params={"overdue": True, "enterprise_code": ent["code"]}, headers=own
    ).json()
    assert [x["id"] for x in overdue["items"]] == [h["id"]]
    session.expire_all()
    escalation = session.scalar(
        select(func.count()).where(Timer.kind == "hazard_escalate", Timer.ref_id == h["id"])
    )
    assert escalation == 1


def test_statistics_count_what_was_found_and_rectified(client, token_for, ent, upload):
    own = token_for("enterprise_user", ent["code"])
    bureau = token_for(*BUREAU)
    a = new_hazard(client, own, ent["code"])
    new_hazard(client, own, ent["code"], criteria=["C01"])
    client.post(
        f"{H}/{a['id']}/start",
        headers=own,
        json={"deadline": str(TODAY + timedelta(days=2)), "responsible_name": "李"},
    )
    client.post(f"{H}/{a['id']}/rectified", headers=own, json={"media_ids": [photo(upload, own)]})
    client.post(f"{H}/{a['id']}/verify", headers=bureau, json={"accept": True})
    year = a["found_at"][:4]
    stats = client.get(
        f"{H}/stats", params={"year": year, "group_by": "enterprise"}, headers=own
    ).json()
    assert [r["key"] for r in stats["rows"]] == [ent["code"]]
    row = stats["rows"][0]
    assert (row["found"], row["major"], row["rectified"]) == (2, 1, 1)
    assert row["rectification_rate"] == 0.5 and stats["total"]["found"] == 2
