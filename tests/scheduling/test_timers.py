"""The shared scheduler's durable timers: a restart loses none; two workers never fire one
timer twice; a failing handler keeps its claim and blocks no other (SQLite and PostgreSQL).
Command's own use (deadlines escalating) is tested in tests/command/test_escalation.py."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func, select, update

from yingji.core.db import utcnow
from yingji.scheduling import timers
from yingji.scheduling.models import Timer

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


ATTEMPTS: list[tuple[int, int]] = []


@timers.handler("test_flaky")
def _flaky(db, timer, now):  # type: ignore[no-untyped-def]
    """Fails its first two tries, then succeeds: the shape of a provider that was down."""
    attempt = timers.attempt_of(timer)
    ATTEMPTS.append((timer.ref_id, attempt))
    if attempt < 3:
        outcome, _ = timers.retry(db, timer, now=now, policy=FLAKY_POLICY, error="down")
        return outcome, []
    return "delivered", []


FLAKY_POLICY = timers.Backoff(base_s=10, factor=2, max_s=60, max_attempts=3)


def test_a_retry_is_a_new_timer_due_after_the_backoff_and_each_fires_once(demo) -> None:
    # ahead of the real clock, so the app's own loop never takes them
    now = utcnow() + timedelta(hours=2)
    with demo.session() as s:
        first = timers.schedule(s, kind="test_flaky", ref_id=4242, due_at=now)
        s.commit()
        first_id = first.id
    timers.run_due(demo, worker="w", now=now)
    timers.run_due(demo, worker="w", now=now + timedelta(seconds=9))  # before the 10 s delay
    assert [a for r, a in ATTEMPTS if r == 4242] == [1]
    timers.run_due(demo, worker="w", now=now + timedelta(seconds=10))
    timers.run_due(demo, worker="w", now=now + timedelta(seconds=29))  # 10 + 20 − 1
    assert [a for r, a in ATTEMPTS if r == 4242] == [1, 2]
    timers.run_due(demo, worker="w", now=now + timedelta(seconds=30))
    timers.run_due(demo, worker="w", now=now + timedelta(hours=1))
    assert [a for r, a in ATTEMPTS if r == 4242] == [1, 2, 3]
    with demo.session() as s:
        rows = list(
            s.scalars(select(Timer).where(Timer.kind == "test_flaky", Timer.ref_id == 4242)
                      .order_by(Timer.id))
        )  # fmt: skip
    assert rows[0].id == first_id
    assert [r.outcome for r in rows] == ["retry_scheduled", "retry_scheduled", "delivered"]
    assert [r.due_at - now for r in rows] == [timedelta(0), timedelta(seconds=10),
                                              timedelta(seconds=30)]  # fmt: skip
    assert rows[1].payload["previous_error"] == "down"


def test_retries_stop_when_the_policy_is_spent(demo) -> None:
    now = utcnow() + timedelta(hours=3)
    with demo.session() as s:
        t = timers.schedule(s, kind="test_flaky", ref_id=1, due_at=now, payload={"attempt": 3})
        outcome, nxt = timers.retry(s, t, now=now, policy=FLAKY_POLICY)
        s.rollback()
    assert (outcome, nxt) == ("gave_up", None)


CALLS: list[int] = []


def _io_perform(database, batch):  # type: ignore[no-untyped-def]
    """Outside calls; each also writes in a session of its own, which would wait on the
    firing transaction's write lock (SQLite) if the calls were made inside it."""

    def call(timer):  # type: ignore[no-untyped-def]
        with database.session() as s:
            timers.schedule(s, kind="test_io_marker", ref_id=timer.ref_id,
                            due_at=utcnow() + timedelta(days=365))  # fmt: skip
            s.commit()
        with _lock:
            CALLS.append(timer.id)
        return f"called-{timer.ref_id}"

    return dict(zip([t.id for t in batch], timers.io_map(call, batch), strict=True))


def _io_finish(db, pairs, now):  # type: ignore[no-untyped-def]
    return {t.id: result for t, result in pairs}, []


timers.io_handler("test_io", perform=_io_perform, finish=_io_finish)


def test_io_kinds_call_outside_the_transaction_and_fire_once(demo) -> None:
    now = utcnow() + timedelta(hours=4)  # ahead of the app's own loop
    with demo.session() as s:
        rows = [timers.schedule(s, kind="test_io", ref_id=900 + i, due_at=now) for i in range(20)]
        s.commit()
        ids = [r.id for r in rows]
    started = time.monotonic()
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            timers.run_due(demo, worker=name, now=now, limit=5)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"io{k}",)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and time.monotonic() - started < 30
    assert sorted(c for c in CALLS if c in ids) == sorted(ids)  # each called once
    with demo.session() as s:
        done = list(s.scalars(select(Timer).where(Timer.id.in_(ids))))
        s.execute(update(Timer).where(Timer.kind == "test_io_marker").values(fired_at=now))
        s.commit()
    assert all(r.fired_at is not None and r.outcome == f"called-{r.ref_id}" for r in done)
