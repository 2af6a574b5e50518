"""Durable timers: deadlines escalate to the office then the committee; a restart loses none;
two workers never fire one timer twice (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from yingji.command import timers
from yingji.command.models import Task, Timer
from yingji.core.db import utcnow

FIRED: list[tuple[str, int]] = []
_lock = threading.Lock()


@timers.handler("test_count")
def _count(db, timer, now):  # type: ignore[no-untyped-def]
    with _lock:
        FIRED.append((timer.payload.get("batch", ""), timer.id))
    return "counted", []


def _schedule(demo, n: int, batch: str, due) -> list[int]:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        rows = [timers.schedule(s, kind="test_count", ref_id=i, due_at=due,
                                payload={"batch": batch}) for i in range(n)]  # fmt: skip
        s.commit()
        return [r.id for r in rows]


def _fired(batch: str) -> list[int]:
    return [i for b, i in FIRED if b == batch]


def test_two_workers_never_fire_one_timer_twice(demo) -> None:
    due = utcnow() - timedelta(seconds=1)
    ids = _schedule(demo, 400, "race", due)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            for _ in range(20):
                timers.run_due(demo, worker=name, now=utcnow(), limit=25)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{k}",)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # The app's own timer loop (the session's server runs in this process) is a fourth worker:
    # what it claimed it fires a moment later, so wait for the last of them.
    deadline = time.monotonic() + 10.0
    while len(_fired("race")) < len(ids) and time.monotonic() < deadline:
        timers.run_due(demo, worker="w-last", now=utcnow(), limit=25)
        time.sleep(0.05)
    fired = _fired("race")
    assert sorted(fired) == sorted(ids)  # every one, exactly once
    with demo.session() as s:
        rows = list(s.scalars(select(Timer).where(Timer.id.in_(ids))))
    assert all(r.fired_at is not None and r.outcome == "counted" for r in rows)


def test_a_restart_loses_no_timer(demo) -> None:
    """A worker that claimed timers and died: after the lease they fire elsewhere, once."""
    # an hour ahead of the clock, so the app's own timer loop (real time) never takes them
    now = utcnow() + timedelta(hours=1)
    ids = _schedule(demo, 5, "restart", now - timedelta(seconds=1))
    with demo.session() as s:
        claimed = timers.claim(s, worker="dead-worker", now=now, limit=1000)
    assert set(ids) <= set(claimed)
    # within the lease nobody else takes them
    timers.run_due(demo, worker="alive", now=now + timedelta(seconds=5), lease_s=60)
    assert _fired("restart") == []
    # after the lease they are taken over and fired
    timers.run_due(demo, worker="alive", now=now + timedelta(seconds=61), lease_s=60)
    assert sorted(_fired("restart")) == sorted(ids)
    # the dead worker coming back cannot fire them again
    n, _ = timers.fire(demo, ids, worker="dead-worker", now=now + timedelta(seconds=62))
    assert n == 0 and sorted(_fired("restart")) == sorted(ids)


def test_future_timers_wait(demo) -> None:
    now = utcnow()
    ids = _schedule(demo, 3, "future", now + timedelta(hours=1))
    timers.run_due(demo, worker="w", now=now)
    assert _fired("future") == []
    timers.run_due(demo, worker="w", now=now + timedelta(hours=1, seconds=1))
    assert sorted(_fired("future")) == sorted(ids)


@pytest.fixture
def one_task(client, token_for, make_incident, plan_id):  # type: ignore[no-untyped-def]
    inc = make_incident(text="城区一处住宅楼起火，浓烟很大", category_code="21C01")
    r = client.post(
        f"/api/v1/incidents/{inc['id']}/activations",
        json={"plan_id": plan_id("PLAN-URBAN-FIRE")}, headers=token_for("duty_officer"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return inc, r.json()["tasks"]


def test_overdue_task_escalates_to_office_then_committee(client, token_for, one_task, demo):  # type: ignore[no-untyped-def]
    inc, tasks = one_task
    task = next(t for t in tasks if t["party"]["code"] == "DEPT-FIRE")
    other = next(t for t in tasks if t["party"]["code"] == "DEPT-HEALTH")
    duty = token_for("duty_officer")
    # the health bureau arrives in time: its deadline timer must not escalate it
    assert client.post(f"/api/v1/tasks/{other['id']}/status", json={"to": "on_scene"},
                       headers=duty).status_code == 200  # fmt: skip
    with demo.session() as s:
        due = s.scalar(select(Task.deadline_at).where(Task.id == task["id"]))
    timers.run_due(demo, worker="t", now=due + timedelta(seconds=1))
    first = client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()
    assert first["escalation_stage"] == 1
    assert client.get(f"/api/v1/tasks/{other['id']}", headers=duty).json()[
        "escalation_stage"] == 0  # fmt: skip
    timers.run_due(demo, worker="t", now=due + timedelta(minutes=31))
    second = client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()
    assert second["escalation_stage"] == 2
    timeline = client.get(f"/api/v1/incidents/{inc['id']}", headers=duty).json()["timeline"]
    esc = [e for e in timeline if e["kind"] == "task_escalated"
           and e["data"]["task_id"] == task["id"]]  # fmt: skip
    assert [e["data"]["stage"] for e in esc] == [1, 2]
    assert "城市消防指挥部办公室" in esc[0]["message"] and "应急管理委员会" in esc[1]["message"]
    assert all(e["result"] == "overdue" for e in esc)
    # firing again changes nothing: each timer fired once
    timers.run_due(demo, worker="t2", now=due + timedelta(hours=5))
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=duty).json()[
        "escalation_stage"] == 2  # fmt: skip


def test_completed_task_cancels_its_timers(client, token_for, one_task, demo):  # type: ignore[no-untyped-def]
    _inc, tasks = one_task
    task = tasks[-1]
    duty = token_for("duty_officer")
    client.post(f"/api/v1/tasks/{task['id']}/status", json={"to": "completed"}, headers=duty)
    with demo.session() as s:
        rows = list(s.scalars(select(Timer).where(Timer.ref_id == task["id"],
                                                  Timer.kind.like("task_%"))))  # fmt: skip
    assert rows and all(r.outcome == "cancelled" and r.fired_at is not None for r in rows)


def test_a_failing_handler_does_not_block_the_others(demo) -> None:
    @timers.handler("test_boom")
    def _boom(db, timer, now):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    now = utcnow()
    ok_ids = _schedule(demo, 3, "beside-boom", now - timedelta(seconds=1))
    with demo.session() as s:
        bad = timers.schedule(s, kind="test_boom", ref_id=1, due_at=now - timedelta(seconds=1))
        s.commit()
        bad_id = bad.id
    timers.run_due(demo, worker="w", now=now)
    # The app's own timer loop (the session's server runs in this process) may have claimed
    # some of them: what it claimed it fires a moment later, so wait for it.
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline:
        with demo.session() as s:
            pending = s.scalar(
                select(func.count()).where(Timer.id.in_(ok_ids), Timer.fired_at.is_(None))
            )
            bad_seen = s.scalar(select(Timer.last_error).where(Timer.id == bad_id))
        if not pending and bad_seen:
            break
        time.sleep(0.05)
    with demo.session() as s:
        ok_rows = list(s.scalars(select(Timer).where(Timer.id.in_(ok_ids))))
        # (the handler's own list saw the first, rolled-back batch too; the database did not)
        assert all(r.outcome == "counted" and r.fired_at is not None for r in ok_rows)
        row = s.get(Timer, bad_id)
        assert row.fired_at is None and "boom" in row.last_error
        s.execute(update(Timer).where(Timer.id == bad_id).values(fired_at=now, outcome="test"))
        s.commit()
