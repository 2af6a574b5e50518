"""``yingji bench pipeline``: the intake pipeline's CPU per report, in this process, no HTTP.

``yingji bench intake`` measures what a sender sees, but on a machine shared with other
work its rounds wander by a tenth or more, more than most single changes save. This bench
runs the same work the server does per report — parse, validate, prepare (locate,
classify, grade, hash), then the writer's batches (merge, insert, route, events, commit) —
in one thread on a fresh database holding the demo district, and counts CPU time, which
the machine's load moves much less than the wall clock. To compare two versions, run it
from each checkout in turn (``PYTHONPATH=<checkout>/src yingji bench pipeline``) and
alternate. The baseline, measured in the same round, is parsing and validating the same
bodies alone: the floor any server pays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from yingji.app import settle_heap
from yingji.bench.demo_load import fresh_database
from yingji.bench.intake import make_bodies
from yingji.bench.locate import random_positions
from yingji.core.db import Database
from yingji.demo.load import load_demo
from yingji.grid import service as grid
from yingji.intake import classify, service
from yingji.intake.config import get_intake_settings
from yingji.intake.prepare import Sender, prepare
from yingji.intake.views import _parse_json, _validate

SENDER = Sender("integration", "bench", "压测")


@dataclass(frozen=True)
class PipelineRound:
    reports: int
    baseline_us: float  # parse + validate per report
    prepare_us: float  # parse, validate and prepare per report
    write_us: float  # the writer's batches and commits per report
    merged: int

    @property
    def total_us(self) -> float:
        return self.prepare_us + self.write_us


def run_pipeline(
    *,
    database: str,
    pg_admin_url: str,
    reports: int,
    batch: int,
    rounds: int,
    seed: int,
    on_step: Callable[[], None] = lambda: None,
) -> list[PipelineRound]:
    """``rounds`` rounds, each on a fresh database, of the same ``reports`` in batches."""
    out = []
    for _ in range(rounds):
        with fresh_database(database, pg_admin_url) as db:
            with db.session() as s:
                load_demo(s, seed=20200326)
                s.commit()
                positions = random_positions(grid.build_index(s), 5000, seed)
            bodies = make_bodies(positions, reports, seed)
            out.append(_one_round(db, bodies, batch))
        on_step()
    return out


def _one_round(db: Database, bodies: list[bytes], batch: int) -> PipelineRound:
    classify.warm_up()
    grid.locate_index(db)
    settings = get_intake_settings()
    settle_heap()  # as a server does after start-up
    started = time.process_time()
    for raw in bodies:
        _validate(_parse_json(raw))
    baseline = time.process_time() - started
    prepared_s = written_s = 0.0
    merged = 0
    for start in range(0, len(bodies), batch):
        began = time.process_time()
        items = []
        for raw in bodies[start : start + batch]:
            payload = _parse_json(raw)
            report = _validate(payload)
            items.append(prepare(db, report, raw_body=raw.decode(), payload=payload,
                                 sender=SENDER, now=datetime.now(UTC)))  # fmt: skip
        middle = time.process_time()
        with db.session() as s:
            outcomes, _ = service.write_batch(
                s, items, settings=settings, org=service.organisation(s), now=datetime.now(UTC)
            )
            s.commit()
        written_s += time.process_time() - middle
        prepared_s += middle - began
        merged += sum(1 for o in outcomes if o.result is not None and o.result.merged)
    n = len(bodies)
    return PipelineRound(n, baseline / n * 1e6, prepared_s / n * 1e6, written_s / n * 1e6, merged)
