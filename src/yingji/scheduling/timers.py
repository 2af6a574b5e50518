"""Durable timers kept in the database: every domain's deadlines, escalations and retries.

A domain registers the function that fires its kind (``@handler("task_deadline")`` or, for
kinds that come in bursts, ``@batch_handler``), schedules rows with :func:`schedule`, and
cancels them with :func:`cancel`; one loop per process (:mod:`yingji.scheduling.loop`) fires
whatever is due, whoever registered it.

A timer is a row with a due time. A worker claims due rows in one statement — on PostgreSQL
``SELECT … FOR UPDATE SKIP LOCKED`` inside the claiming ``UPDATE``, on SQLite an atomic
``UPDATE … WHERE claimed_by IS NULL`` (SQLite has one writer at a time) — then fires them:
the handler's work and ``fired_at`` commit in one transaction, guarded by
``WHERE claimed_by = me AND fired_at IS NULL``. So a restart loses no timer (unfired rows stay
due; a claim older than ``lease_s`` is taken over) and two processes never fire one twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic
from typing import Any, Generic, TypeVar

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from yingji.core.db import Database
from yingji.scheduling.backoff import Backoff
from yingji.scheduling.models import Timer

log = logging.getLogger("yingji.scheduling")

Events = list[dict[str, Any]]
R = TypeVar("R")
Handler = Callable[[Session, Timer, datetime], tuple[str, Events]]
BatchHandler = Callable[[Session, list[Timer], datetime], tuple[dict[int, str], Events]]
HANDLERS: dict[str, Handler] = {}
BATCH_HANDLERS: dict[str, BatchHandler] = {}
IO_HANDLERS: dict[str, IoHandler[Any]] = {}
IO_WORKERS = 8
IO_CHUNK = 2 * IO_WORKERS
DEFAULT_LEASE_S = 60.0
DEFAULT_BATCH = 500


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that fires timers of ``kind``; it answers (outcome, events)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


@dataclass(frozen=True)
class IoHandler(Generic[R]):
    """A kind whose work talks to the outside world (an HTTP call to an SMS gateway).

    ``perform(database, timers)`` runs outside any database transaction — an SQLite write
    lock or a PostgreSQL row lock is never held across a network call — while this worker
    holds the timers' claims (renewed before each chunk of ``IO_CHUNK``). It reads what it
    needs in a short session of its own, makes the calls (concurrently through
    :func:`io_map`) and answers a result per timer id. ``finish(db, [(timer, result)],
    now)`` then records the results in the firing transaction, under the same exactly-once
    guard as every kind, and answers an outcome per timer id and the events. The outside
    effect itself is at least once: a worker dying between the call and the commit is
    taken over and calls again, so the call should carry an idempotency key (the
    notification seam sends its message id).
    """

    perform: Callable[[Database, list[Timer]], dict[int, R]]
    finish: Callable[[Session, list[tuple[Timer, R]], datetime], tuple[dict[int, str], Events]]


def io_handler(
    kind: str,
    *,
    perform: Callable[[Database, list[Timer]], dict[int, R]],
    finish: Callable[[Session, list[tuple[Timer, R]], datetime], tuple[dict[int, str], Events]],
) -> IoHandler[R]:
    """Register a kind whose work is a call outside (see :class:`IoHandler`)."""
    IO_HANDLERS[kind] = IoHandler(perform, finish)
    return IO_HANDLERS[kind]


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def io_map(fn: Callable[[Any], R], items: list[Any]) -> list[R]:
    """``fn`` over ``items``, ``IO_WORKERS`` calls at a time on the process's one pool; the
    results in order. ``fn`` should answer its failures rather than raise them."""
    global _pool
    if len(items) <= 1:
        return [fn(i) for i in items]
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=IO_WORKERS, thread_name_prefix="timer-io")
    return list(_pool.map(fn, items))


def batch_handler(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a function that fires many timers of ``kind`` at once; it answers
    ({timer id: outcome}, events). Preferred for kinds that come in bursts."""

    def register(fn: BatchHandler) -> BatchHandler:
        BATCH_HANDLERS[kind] = fn
        return fn

    return register


RETRY_SCHEDULED = "retry_scheduled"
GAVE_UP = "gave_up"


def worker_id() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def schedule(
    db: Session, *, kind: str, ref_id: int, due_at: datetime, payload: dict[str, Any] | None = None
) -> Timer:
    timer = Timer(kind=kind, ref_id=ref_id, due_at=due_at, payload=payload or {})
    db.add(timer)
    return timer


def schedule_many(db: Session, rows: list[dict[str, Any]], *, now: datetime) -> None:
    """Many timers in one INSERT (activation of a plan with many tasks)."""
    if rows:
        db.execute(
            Timer.__table__.insert(),
            [{"payload": {}, "created_at": now, "attempts": 0, "outcome": "", "last_error": "",
              **r} for r in rows],
        )  # fmt: skip


def cancel(db: Session, *, kinds: tuple[str, ...], ref_id: int, now: datetime) -> int:
    """Mark a reference's unfired timers done without firing them (the task was completed)."""
    result = db.execute(
        update(Timer)
        .where(Timer.ref_id == ref_id, Timer.kind.in_(kinds), Timer.fired_at.is_(None))
        .values(fired_at=now, outcome="cancelled")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult, which has rowcount


def claim(
    db: Session,
    *,
    worker: str,
    now: datetime,
    limit: int = DEFAULT_BATCH,
    lease_s: float = DEFAULT_LEASE_S,
) -> list[int]:
    """Claim up to ``limit`` due timers for ``worker`` and commit the claim."""
    stale = now - timedelta(seconds=lease_s)
    claimable = (
        Timer.fired_at.is_(None),
        Timer.due_at <= now,
        or_(Timer.claimed_by.is_(None), Timer.claimed_at < stale),
    )
    due = select(Timer.id).where(*claimable).order_by(Timer.due_at, Timer.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    stmt = (
        update(Timer)
        .where(Timer.id.in_(due.scalar_subquery()), *claimable)
        .values(claimed_by=worker, claimed_at=now, attempts=Timer.attempts + 1)
        .returning(Timer.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(db.scalars(stmt))
    db.commit()
    return ids


def _fire_batch(
    db: Session, ids: list[int], *, worker: str, now: datetime,
    performed: dict[int, Any] | None = None,
) -> tuple[int, Events]:  # fmt: skip
    """Take the claimed timers this worker still holds (one UPDATE … RETURNING), run their
    handlers by kind, record the outcomes; all in the caller's transaction. ``performed``
    holds the results of the I/O kinds' calls, made before this transaction."""
    taken = set(
        db.scalars(
            update(Timer)
            .where(Timer.id.in_(ids), Timer.claimed_by == worker, Timer.fired_at.is_(None))
            .values(fired_at=now)
            .returning(Timer.id)
            .execution_options(synchronize_session=False)
        )
    )
    if not taken:
        return 0, []
    rows = list(db.scalars(select(Timer).where(Timer.id.in_(taken)).order_by(Timer.id)))
    by_kind: dict[str, list[Timer]] = {}
    for t in rows:
        by_kind.setdefault(t.kind, []).append(t)
    outcomes: dict[int, str] = {}
    events: Events = []
    for kind, group in by_kind.items():
        if kind in BATCH_HANDLERS:
            out, ev = BATCH_HANDLERS[kind](db, group, now)
            outcomes.update(out)
            events.extend(ev)
        elif kind in HANDLERS:
            for t in group:
                outcome, ev = HANDLERS[kind](db, t, now)
                outcomes[t.id] = outcome
                events.extend(ev)
        elif kind in IO_HANDLERS:
            done = performed or {}
            pairs = [(t, done[t.id]) for t in group if t.id in done]
            out, ev = IO_HANDLERS[kind].finish(db, pairs, now)
            outcomes.update(out)
            events.extend(ev)
        else:
            outcomes.update({t.id: "no_handler" for t in group})
    by_outcome: dict[str, list[int]] = {}
    for timer_id, outcome in outcomes.items():
        by_outcome.setdefault(outcome[:32], []).append(timer_id)
    for outcome, timer_ids in by_outcome.items():
        db.execute(
            update(Timer)
            .where(Timer.id.in_(timer_ids))
            .values(outcome=outcome)
            .execution_options(synchronize_session=False)
        )
    return len(taken), events


def _renew(database: Database, ids: list[int], *, worker: str, at: datetime) -> list[int]:
    """Renew this worker's claim on ``ids`` (a short write); answers those it still holds."""
    with database.session() as db:
        held = list(
            db.scalars(
                update(Timer)
                .where(Timer.id.in_(ids), Timer.claimed_by == worker, Timer.fired_at.is_(None))
                .values(claimed_at=at)
                .returning(Timer.id)
                .execution_options(synchronize_session=False)
            )
        )
        db.commit()
    return held


def _perform_io(
    database: Database, ids: list[int], *, worker: str, now: datetime
) -> tuple[dict[int, Any], set[int]]:
    """Make the outside calls of the claimed I/O kinds, ``IO_CHUNK`` timers at a time,
    renewing the claim before each chunk so a slow provider never lets the lease run out
    under it (a chunk is at most two rounds of ``IO_WORKERS`` calls, each bounded by the
    provider's timeout). Answers the results by timer id, and the ids of every I/O timer
    among ``ids``; a chunk whose perform raised has no results (its timers stay claimed,
    with the error, and are retried when the lease runs out)."""
    with database.session() as db:
        rows = list(
            db.scalars(
                select(Timer)
                .where(Timer.id.in_(ids), Timer.kind.in_(list(IO_HANDLERS)))
                .order_by(Timer.id)
            )
        )
        db.expunge_all()
    results: dict[int, Any] = {}
    if not rows:
        return results, set()
    by_kind: dict[str, list[Timer]] = {}
    for t in rows:
        by_kind.setdefault(t.kind, []).append(t)
    started = monotonic()
    for kind, group in by_kind.items():
        for i in range(0, len(group), IO_CHUNK):
            chunk = group[i : i + IO_CHUNK]
            at = now + timedelta(seconds=monotonic() - started)
            held = set(_renew(database, [t.id for t in chunk], worker=worker, at=at))
            chunk = [t for t in chunk if t.id in held]
            if not chunk:
                continue
            try:
                results.update(IO_HANDLERS[kind].perform(database, chunk))
            except Exception as exc:
                log.exception("timers %s: outside calls failed", [t.id for t in chunk])
                for t in chunk:
                    _record_error(database, t.id, exc)
    return results, {t.id for t in rows}


def _record_error(database: Database, timer_id: int, exc: BaseException) -> None:
    with database.session() as db:
        db.execute(
            update(Timer)
            .where(Timer.id == timer_id)
            .values(last_error=str(exc)[:500])
            .execution_options(synchronize_session=False)
        )
        db.commit()


def fire(database: Database, ids: list[int], *, worker: str, now: datetime) -> tuple[int, Events]:
    """Fire claimed timers in one transaction; if that fails, each alone (a failing one keeps
    its claim, with the error, and is retried when the lease runs out). The I/O kinds make
    their outside calls first, outside the transaction."""
    if not ids:
        return 0, []
    performed: dict[int, Any] = {}
    if IO_HANDLERS:
        performed, io_ids = _perform_io(database, ids, worker=worker, now=now)
        # an I/O timer fires only with its call's result (a raised call or a lost claim: not now)
        ids = [i for i in ids if i not in io_ids or i in performed]
    with database.session() as db:
        try:
            fired, events = _fire_batch(db, ids, worker=worker, now=now, performed=performed)
            db.commit()
            return fired, events
        except Exception:
            db.rollback()
            log.warning("timer batch failed; firing one by one", exc_info=True)
    fired, events = 0, []
    for timer_id in ids:
        with database.session() as db:
            try:
                n, ev = _fire_batch(db, [timer_id], worker=worker, now=now, performed=performed)
                db.commit()
                fired += n
                events.extend(ev)
            except Exception as exc:
                db.rollback()
                log.exception("timer %s failed", timer_id)
                _record_error(database, timer_id, exc)
    return fired, events


def run_due(
    database: Database,
    *,
    worker: str,
    now: datetime,
    limit: int = DEFAULT_BATCH,
    lease_s: float = DEFAULT_LEASE_S,
) -> tuple[int, Events]:
    """Claim and fire every timer due at ``now`` (in batches of ``limit``).

    A plain read first: with nothing due no write transaction is opened, so an idle loop
    never holds SQLite's write lock against the requests.
    """
    total, events = 0, []
    with database.session() as db:
        if not any_due(db, now=now, lease_s=lease_s):
            return 0, []
    while True:
        with database.session() as db:
            ids = claim(db, worker=worker, now=now, limit=limit, lease_s=lease_s)
        n, ev = fire(database, ids, worker=worker, now=now)
        total += n
        events.extend(ev)
        if len(ids) < limit:
            return total, events


def any_due(db: Session, *, now: datetime, lease_s: float = DEFAULT_LEASE_S) -> bool:
    stale = now - timedelta(seconds=lease_s)
    return (
        db.scalar(
            select(Timer.id)
            .where(
                Timer.fired_at.is_(None),
                Timer.due_at <= now,
                or_(Timer.claimed_by.is_(None), Timer.claimed_at < stale),
            )
            .limit(1)
        )
        is not None
    )


def next_due(db: Session) -> datetime | None:
    return db.scalar(
        select(Timer.due_at).where(Timer.fired_at.is_(None)).order_by(Timer.due_at).limit(1)
    )


def attempt_of(timer: Timer) -> int:
    """Which try this timer is (1 for the first); :func:`retry` counts them in the payload."""
    return int((timer.payload or {}).get("attempt", 1))


def retry(
    db: Session, timer: Timer, *, now: datetime, policy: Backoff, error: str = ""
) -> tuple[str, Timer | None]:
    """Try ``timer``'s work again later: a new timer of the same kind and reference, due
    after the policy's delay, in the handler's transaction; or give up once the policy's
    attempts are spent.

    Each try is its own row, so each still fires exactly once (the claim/fire guard) and
    the rows left behind are the history of the tries. Answers the outcome to record on
    ``timer`` (``retry_scheduled`` or ``gave_up``) and the new timer, if any.
    """
    attempt = attempt_of(timer)
    if attempt >= policy.max_attempts:
        return GAVE_UP, None
    payload = dict(timer.payload or {}) | {"attempt": attempt + 1}
    if error:
        payload["previous_error"] = error[:200]
    nxt = schedule(
        db, kind=timer.kind, ref_id=timer.ref_id,
        due_at=now + timedelta(seconds=policy.delay_s(attempt)), payload=payload,
    )  # fmt: skip
    return RETRY_SCHEDULED, nxt
