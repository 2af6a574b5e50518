"""``yingji bench activation`` and ``yingji bench timers``.

activation: the demo district in a scratch database, a 40-task plan (ten departments, four
actions each) and a 1-task plan; for each round a fresh verified incident (through the
intake API) and ``POST /api/v1/incidents/{id}/activations`` timed end to end in-process:
parse, snapshot, 40 tasks and timers and audit rows in bulk, 41 timeline notes and stream
events, commit, bus publish. Baseline in the same run, interleaved: the 1-task plan (the
fixed cost of an activation) and a plain authenticated read (the framework's floor).

timers: N timers due at the same instant, fired by the same claim/fire code the server's
loop runs, polling every ``interval_s``. Lateness of each timer = wall time when the
transaction that fired it committed − its due time. Two kinds, interleaved by round: real
task-deadline escalations (the handler writes the task, timeline, stream event, audit and
the committee timer) and a no-op handler (the claim/fire machinery alone, the baseline).
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from yingji.bench.nearby import LatencySummary

if TYPE_CHECKING:
    from fastapi import FastAPI

    from yingji.core.db import Database

BENCH_DEPARTMENTS = (
    "DEPT-EM", "DEPT-FIRE", "DEPT-WATER", "DEPT-ECO", "DEPT-AGRI", "DEPT-PS", "DEPT-HEALTH",
    "DEPT-TRANSPORT", "DEPT-CITY", "DEPT-CIVIL",
)  # fmt: skip


def plan_document(code: str, departments: tuple[str, ...], actions: int) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"基准测试预案（{len(departments) * actions} 项任务）",
        "headquarters": "HQ-SAFETY",
        "applies_to": {"categories": ["21A03"]},
        "response_levels": [
            {
                "level": "IV",
                "lead": {"type": "office", "code": "HQ-SAFETY", "title": "办公室主任"},
                "parties": [
                    {
                        "type": "department",
                        "code": d,
                        "actions": [
                            {"title": f"{d} 行动 {i + 1}", "deadline_min": 20 + 10 * i}
                            for i in range(actions)
                        ],
                    }
                    for d in departments
                ],
            }
        ],
    }


@dataclass(frozen=True)
class ActivationBench:
    forty: LatencySummary
    one: LatencySummary
    read: LatencySummary
    tasks_per_activation: int
    round_p99_ms: list[float]


def _setup(url: str, data_dir: Path, demo_seed: int) -> tuple[Database, FastAPI, dict[str, str]]:
    from yingji.app import create_app
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role
    from yingji.config import Settings
    from yingji.core import migrate
    from yingji.core.db import Database
    from yingji.core.security import create_access_token
    from yingji.demo.load import load_demo
    from yingji.org import service as org

    database = Database(url)
    migrate.upgrade(database.engine)
    secret = "bench-secret-" + "x" * 40
    with database.session() as session:
        if org.is_empty(session):
            load_demo(session, seed=demo_seed)
        user = auth.create_user(
            session, username=f"bench_{uuid.uuid4().hex[:10]}", password="bench-password",
            role=Role.duty_officer, scope_code=None, known_scope_codes=None, actor=SYSTEM,
        )  # fmt: skip
        session.commit()
        token = create_access_token(str(user.id), secret, 3600)
    app = create_app(
        Settings(database_url=url, data_dir=data_dir, secret_key=secret), migrate_on_start=False
    )
    return database, app, {"Authorization": f"Bearer {token}"}


def _spots(database: Any, count: int, seed: int) -> list[tuple[float, float]]:
    from shapely.geometry import shape

    from yingji.grid.models import GridArea

    with database.session() as s:
        areas = list(s.scalars(select(GridArea).order_by(GridArea.code)))
    rng = random.Random(seed)
    rng.shuffle(areas)
    out = []
    for a in areas[:count]:
        p = shape(a.geometry).representative_point()
        out.append((p.x, p.y))
    return out


_sequence = iter(range(10**9))


def _incident(client: Any, headers: dict[str, str], lon: float, lat: float) -> int:
    """A fresh verified incident; occurrence times 3 h apart so no two ever merge."""
    from datetime import UTC, datetime

    occurred = datetime.now(UTC) - timedelta(minutes=1, hours=3 * next(_sequence))
    r = client.post("/api/v1/reports", headers=headers, json={
        "channel": "public", "source_id": f"bench-{uuid.uuid4().hex}",
        "occurred_at": occurred.isoformat(),
        "text": "氨水罐车泄漏（基准测试）", "category_code": "21A03",
        "location": {"lon": lon, "lat": lat, "crs": "wgs84"},
    })  # fmt: skip
    r.raise_for_status()
    incident_id = int(r.json()["incident_id"])
    v = client.post(f"/api/v1/incidents/{incident_id}/transitions", headers=headers,
                    json={"to": "verified", "reason": "bench"})  # fmt: skip
    v.raise_for_status()
    return incident_id


def run_activation(
    *, url: str, data_dir: Path, rounds: int, per_round: int, demo_seed: int,
    on_step: Callable[[], None] = lambda: None,
) -> ActivationBench:  # fmt: skip
    from fastapi.testclient import TestClient

    from yingji.audit.service import SYSTEM
    from yingji.command.plans import document
    from yingji.command.plans import service as plans
    from yingji.core.db import utcnow

    database, app, headers = _setup(url, data_dir, demo_seed)
    with database.session() as s:
        p40, _ = plans.save(s, doc=document.validate(plan_document(
            "BENCH-40", BENCH_DEPARTMENTS, 4)), actor=SYSTEM, now=utcnow())  # fmt: skip
        p1, _ = plans.save(s, doc=document.validate(plan_document(
            "BENCH-1", BENCH_DEPARTMENTS[:1], 1)), actor=SYSTEM, now=utcnow())  # fmt: skip
        s.commit()
        ids = (p40.id, p1.id)
    spots = _spots(database, 2 * rounds * per_round, seed=7)
    times: dict[str, list[float]] = {"forty": [], "one": [], "read": []}
    round_p99: list[float] = []
    tasks_seen = 0
    with TestClient(app) as client:
        k = 0
        for _ in range(rounds):
            this_round = []
            for _ in range(per_round):
                inc40 = _incident(client, headers, *spots[k % len(spots)])
                inc1 = _incident(client, headers, *spots[(k + 1) % len(spots)])
                k += 2
                t0 = time.perf_counter()
                r = client.post(f"/api/v1/incidents/{inc40}/activations", headers=headers,
                                json={"plan_id": ids[0]})  # fmt: skip
                t1 = time.perf_counter()
                r.raise_for_status()
                tasks_seen = len(r.json()["tasks"])
                times["forty"].append(t1 - t0)
                this_round.append(t1 - t0)
                t0 = time.perf_counter()
                client.post(f"/api/v1/incidents/{inc1}/activations", headers=headers,
                            json={"plan_id": ids[1]}).raise_for_status()  # fmt: skip
                times["one"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                client.get(f"/api/v1/incidents/{inc1}/activations", headers=headers)
                times["read"].append(time.perf_counter() - t0)
            round_p99.append(LatencySummary.of(this_round).p99_ms)
            on_step()
    database.dispose()
    return ActivationBench(
        LatencySummary.of(times["forty"]), LatencySummary.of(times["one"]),
        LatencySummary.of(times["read"]), tasks_seen, round_p99,
    )  # fmt: skip


@dataclass(frozen=True)
class TimerRound:
    kind: str
    timers: int
    lateness: LatencySummary
    all_within_s: float


def _fire_all(database: Any, ids: list[int], due: Any, interval_s: float) -> list[float]:
    """Poll like the server's loop until every timer fired, claiming and firing batch by batch
    (what ``run_due`` does); lateness of each timer = its batch's commit time − due, seconds."""
    from yingji.core.db import utcnow
    from yingji.scheduling import timers

    worker = timers.worker_id()
    pending = set(ids)
    lateness: list[float] = []
    while utcnow() < due:
        time.sleep(0.001)
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        while True:
            with database.session() as s:
                claimed = timers.claim(s, worker=worker, now=utcnow())
            timers.fire(database, claimed, worker=worker, now=utcnow())
            done_at = utcnow()
            mine = pending.intersection(claimed)
            lateness += [(done_at - due).total_seconds()] * len(mine)
            pending -= mine
            if len(claimed) < timers.DEFAULT_BATCH:
                break
        if pending:
            time.sleep(interval_s)
    if pending:
        raise RuntimeError(f"{len(pending)} timers never fired")
    return lateness


def run_timers(
    *, url: str, data_dir: Path, count: int, rounds: int, interval_s: float, demo_seed: int,
    on_step: Callable[[], None] = lambda: None,
) -> list[TimerRound]:  # fmt: skip
    """Alternate rounds of real escalations and no-op timers, ``count`` due at once."""
    from fastapi.testclient import TestClient

    from yingji.audit.service import SYSTEM
    from yingji.command.models import Task
    from yingji.command.plans import document
    from yingji.command.plans import service as plans
    from yingji.core.db import utcnow
    from yingji.scheduling import timers
    from yingji.scheduling.models import Timer

    @timers.handler("bench_noop")
    def _noop(db: Any, timer: Any, now: Any) -> tuple[str, list[dict[str, Any]]]:
        return "noop", []

    database, app, headers = _setup(url, data_dir, demo_seed)
    with database.session() as s:
        plan, _ = plans.save(s, doc=document.validate(plan_document(
            "BENCH-40", BENCH_DEPARTMENTS, 4)), actor=SYSTEM, now=utcnow())  # fmt: skip
        s.commit()
        plan_id = plan.id
    per_incident = len(BENCH_DEPARTMENTS) * 4
    spots = _spots(database, rounds * (count // per_incident + 1), seed=11)
    results: list[TimerRound] = []
    k = 0
    with TestClient(app) as client:
        client.portal.call(app.state.scheduler.stop)  # type: ignore[union-attr]  # bench fires
        for r in range(-1, rounds):  # round -1: a small unrecorded escalation warm-up
            kind = "escalation" if r % 2 != 0 else "noop"
            size = per_incident if r < 0 else count
            if kind == "escalation":
                task_ids: list[int] = []
                while len(task_ids) < size:
                    incident = _incident(client, headers, *spots[k % len(spots)])
                    k += 1
                    resp = client.post(f"/api/v1/incidents/{incident}/activations",
                                       headers=headers, json={"plan_id": plan_id})  # fmt: skip
                    resp.raise_for_status()
                    task_ids += [t["id"] for t in resp.json()["tasks"]]
                task_ids = task_ids[:size]
                due = utcnow() + timedelta(seconds=1)
                with database.session() as s:
                    s.execute(update(Timer).where(Timer.fired_at.is_(None),
                              Timer.ref_id.not_in(task_ids), Timer.kind == "task_deadline")
                              .values(fired_at=utcnow(), outcome="bench_skip"))  # fmt: skip
                    s.execute(update(Timer).where(Timer.ref_id.in_(task_ids),
                              Timer.kind == "task_deadline").values(due_at=due))  # fmt: skip
                    s.execute(update(Task).where(Task.id.in_(task_ids)).values(deadline_at=due))
                    ids = list(s.scalars(select(Timer.id).where(
                        Timer.ref_id.in_(task_ids), Timer.kind == "task_deadline")))  # fmt: skip
                    s.commit()
            else:
                due = utcnow() + timedelta(seconds=1)
                with database.session() as s:
                    rows = [timers.schedule(s, kind="bench_noop", ref_id=i, due_at=due)
                            for i in range(size)]  # fmt: skip
                    s.commit()
                    ids = [t.id for t in rows]
            late = _fire_all(database, ids, due, interval_s)
            if r >= 0:
                results.append(TimerRound(kind, len(ids), LatencySummary.of(late), max(late)))
                on_step()
    database.dispose()
    return results


def summarise(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), min(values), max(values)
