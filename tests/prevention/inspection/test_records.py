"""Inspection plans, tasks, records (one and batch) and the completion rollup."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE
from yingji.prevention.inspection import rules, service
from yingji.prevention.inspection.models import InspectionRecord, InspectionTask
from yingji.prevention.risk import directory as risk

DAY = date(2024, 3, 12)  # far back: back-filled records need no proof of the spot
MONTH = "2024-03"
URL = "/api/v1/prevention/inspections"


def _setup(session):  # type: ignore[no-untyped-def]
    codes = [DEMO_ENTERPRISE_CODE]
    service.sync_plans(session, on=DAY, enterprise_codes=codes)
    first = service.generate_tasks(session, day=DAY, now=datetime.now(UTC), enterprise_codes=codes)
    again = service.generate_tasks(session, day=DAY, now=datetime.now(UTC), enterprise_codes=codes)
    session.commit()
    return first, again


def _record(point, **kw):  # type: ignore[no-untyped-def]
    body = {
        "enterprise_code": point.enterprise_code,
        "source_id": uuid.uuid4().hex,
        "risk_point_id": point.id,
        "inspector": "张三",
        "checked_at": datetime(2024, 3, 12, 2, 30, tzinfo=UTC).isoformat(),
        "result": "ok",
    }
    body.update(kw)
    return body


def _other_point(session):  # type: ignore[no-untyped-def]
    row = session.execute(
        select(InspectionTask.risk_point_id).where(
            InspectionTask.enterprise_code != DEMO_ENTERPRISE_CODE
        )
    ).first()
    from yingji.prevention.risk.models import RiskPoint

    p = session.scalars(
        select(RiskPoint).where(RiskPoint.enterprise_code != DEMO_ENTERPRISE_CODE).limit(1)
    ).one()
    del row
    return risk.points(session, [p.id])[p.id]


def test_generation_is_idempotent_and_follows_the_table(session):  # type: ignore[no-untyped-def]
    first, again = _setup(session)
    assert again == 0
    n = session.scalar(
        select(func.count())
        .select_from(InspectionTask)
        .where(
            InspectionTask.enterprise_code == DEMO_ENTERPRISE_CODE,
            InspectionTask.window_start >= rules._at(DAY),
            InspectionTask.window_start < rules._at(DAY + timedelta(days=1)),
        )
    )
    assert n >= first > 0


def test_windows_by_the_guide():
    post = rules.HAZCHEM_TABLE["levels"]["post"][0]
    assert len(rules.windows(post, DAY, major=False, holidays=[])) == 12  # every 2 h
    assert len(rules.windows(post, DAY, major=True, holidays=[])) == 24  # 两重点一重大: 1 h
    team = rules.HAZCHEM_TABLE["levels"]["team"][0]
    assert len(rules.windows(team, DAY, major=False, holidays=[])) == 2  # twice a day
    weekly = rules.HAZCHEM_TABLE["levels"]["workshop"][0]
    assert rules.windows(weekly, date(2024, 3, 11), major=False, holidays=[])  # a Monday
    assert not rules.windows(weekly, DAY, major=False, holidays=[])
    holiday = rules.HAZCHEM_TABLE["levels"]["company"][2]
    w = rules.windows(holiday, date(2026, 9, 28), major=False, holidays=["2026-10-01"])
    assert len(w) == 1 and rules.local_day(w[0].end) == date(2026, 10, 1)


def test_batch_idempotent_refusals_and_rollup(client, session, token_for):  # type: ignore[no-untyped-def]
    _setup(session)
    ent = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    task = session.scalars(
        select(InspectionTask)
        .where(
            InspectionTask.enterprise_code == DEMO_ENTERPRISE_CODE,
            InspectionTask.window_start >= rules._at(DAY),
            InspectionTask.record_id.is_(None),
        )
        .limit(1)
    ).one()
    point = risk.points(session, [task.risk_point_id])[task.risk_point_id]
    at = (task.window_start + timedelta(minutes=5)).isoformat()
    good = [_record(point, checked_at=at), _record(point, checked_at=at)]
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    r = client.post(f"{URL}:batch", json={"records": good}, headers=ent)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["created"] == 2 and all(i["backfilled"] for i in body["items"])
    assert body["items"][0]["task_id"] == task.id  # the first takes the task, the second none
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits + 1
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert entry.after["records"] == [i["id"] for i in body["items"]]
    # the same body again: 200, nothing written
    r = client.post(f"{URL}:batch", json={"records": good}, headers=ent)
    assert r.status_code == 200 and r.json()["replayed"] == 2
    # another body under a used source_id: 409
    changed = [{**good[0], "inspector": "李四"}]
    assert client.post(f"{URL}:batch", json={"records": changed}, headers=ent).status_code == 409
    other = _other_point(session)
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    bad = [
        _record(other),  # another enterprise's record by an enterprise user
        _record(point, checked_at=future),
        _record(point, risk_point_id=other.id),  # a point of another enterprise
    ]
    r = client.post(f"{URL}:batch", json={"records": bad}, headers=ent)
    codes = [(i["status"], i["error"]["code"]) for i in r.json()["items"]]
    assert codes == [(403, "forbidden"), (422, "future_date"), (422, "risk_point_other_enterprise")]
    too_many = {"records": [_record(point)] * 5001}
    r = client.post(f"{URL}:batch", json=too_many, headers=ent)
    assert r.status_code == 413 and r.json()["code"] == "batch_size"
    session.expire_all()
    assert service.rollup_rows(session, month=MONTH) == {
        k: {n: v for n, v in c.items() if v}
        for k, c in service.recount(session, month=MONTH).items()
    }
    # a correction: the record voided, its task open again, the rollup still a recount
    first_id = body["items"][0]["id"]
    r = client.post(f"{URL}/{first_id}:void", json={"reason": "录错风险点"}, headers=ent)
    assert r.status_code == 200, r.text
    assert (
        client.post(f"{URL}/{first_id}:void", json={"reason": "again"}, headers=ent).status_code
        == 409
    )
    session.expire_all()
    assert session.get(InspectionTask, task.id).record_id is None
    assert service.rollup_rows(session, month=MONTH) == {
        k: {n: v for n, v in c.items() if v}
        for k, c in service.recount(session, month=MONTH).items()
    }
    c = client.get(f"{URL}/completion", params={"month": MONTH}, headers=ent).json()
    (row,) = c["rows"]
    assert row["key"] == DEMO_ENTERPRISE_CODE and row["due"] > row["done"]
    assert row["missed"] == row["due"] - row["done"]  # the month is over
    for g in ("subdistrict", "industry"):
        r = client.get(
            f"{URL}/completion", params={"month": MONTH, "group_by": g}, headers=token_for("admin")
        )
        assert sum(x["done"] for x in r.json()["rows"]) >= row["done"]


def test_one_record_proof_hazard_and_key(client, session, token_for):  # type: ignore[no-untyped-def]
    ent = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    point = risk.points_of(session, DEMO_ENTERPRISE_CODE)[0]
    now = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    body = _record(point, checked_at=now)
    del body["source_id"]
    r = client.post(URL, json=body, headers=ent)
    assert r.status_code == 422 and r.json()["code"] == "validation_error"
    key = {"Idempotency-Key": uuid.uuid4().hex, **ent}
    r = client.post(URL, json=body, headers=key)
    assert r.status_code == 422 and r.json()["code"] == "proof_required"
    r = client.post(URL, json={**body, "tag": "wrong"}, headers=key)
    assert r.status_code == 422 and r.json()["code"] == "tag_mismatch"
    hazard = {**body, "tag": point.tag, "result": "hazard", "description": "消防通道堵塞"}
    r = client.post(URL, json=hazard, headers=key)
    assert r.status_code == 201, r.text
    assert r.json()["hazard_id"] and not r.json()["backfilled"]
    again = client.post(URL, json=hazard, headers=key)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    session.expire_all()
    rec = session.get(InspectionRecord, r.json()["id"])
    assert rec.proof == "tag" and rec.hazard_id == r.json()["hazard_id"]


def test_enterprise_scoped_integration_token(client, session, admin_headers):  # type: ignore[no-untyped-def]
    r = client.post(
        "/api/v1/integration-tokens",
        headers=admin_headers,
        json={
            "name": "ent-system",
            "channels": ["inspections"],
            "scope_type": "enterprise",
            "scope_code": "91370100MA3C0000X0",
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "unknown_scope"
    r = client.post(
        "/api/v1/integration-tokens",
        headers=admin_headers,
        json={
            "name": "ent-system",
            "channels": ["inspections"],
            "scope_type": "enterprise",
            "scope_code": DEMO_ENTERPRISE_CODE,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["scope_type"] == "enterprise"
    headers = {"Authorization": f"Bearer {r.json()['token']}"}
    other = _other_point(session)
    r = client.post(f"{URL}:batch", json={"records": [_record(other)]}, headers=headers)
    assert r.status_code == 403 and r.json()["items"][0]["error"]["code"] == "forbidden"
