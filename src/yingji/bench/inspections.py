"""``yingji bench inspections``: a month of inspection records through the batch API from this
process to a live server (another process, one uvicorn worker, SQLite), then the monthly
completion statistics' latency with a year of records in the database.

Baseline in the same run: the same batches sent again, which the server answers as replays
(parsed, validated, looked up, nothing written) — the write path's cost is the difference.
"""

from __future__ import annotations

import random
import statistics
import time
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from yingji.bench.live import live_server

MONTH_START = date(2025, 11, 1)


def _post(url: str, token: str, body: bytes) -> tuple[int, bytes]:
    req = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _get(url: str, token: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status, r.read()


def records(points: list[tuple[int, str, str]], count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` records over the month, deterministic, spread over the risk points."""
    rng = random.Random(seed)
    base = datetime.combine(MONTH_START, datetime.min.time(), tzinfo=UTC)
    out = []
    for i in range(count):
        pid, code, tag = points[i % len(points)]
        at = base + timedelta(seconds=rng.randrange(30 * 86400))
        out.append(
            {
                "enterprise_code": code,
                "source_id": f"b{seed}-{i}",
                "risk_point_id": pid,
                "inspector": "巡检员",
                "checked_at": at.isoformat(),
                "tag": tag,
                "result": "ok",
            }
        )
    return out


def seed_year(db_url: str, months: int, per_month: int, log: Callable[[str], None]) -> int:
    """Bulk-insert ``months`` earlier months of records and their rollup rows (the year the
    statistics are measured against)."""
    from yingji.core import bulk
    from yingji.prevention.inspection.models import InspectionRecord
    from yingji.prevention.inspection.service import bump_rollups
    from yingji.prevention.risk.models import RiskPoint

    engine = create_engine(db_url)
    total = 0
    with Session(engine) as s:
        pts = list(s.execute(select(RiskPoint.id, RiskPoint.enterprise_code)))
        rng = random.Random(7)
        for m in range(1, months + 1):
            y, mo = divmod(MONTH_START.month - 1 - m, 12)
            first = date(MONTH_START.year + y, mo + 1, 1)
            bumps: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: defaultdict(int))
            rows: list[dict[str, Any]] = []
            for i in range(per_month):
                pid, code = pts[i % len(pts)]
                day = first + timedelta(days=rng.randrange(28))
                at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)
                rows.append(
                    {
                        "enterprise_code": code,
                        "source_id": f"y{m}-{i}",
                        "body_hash": "",
                        "task_id": None,
                        "risk_point_id": pid,
                        "inspector": "巡检员",
                        "checked_at": at,
                        "received_at": at,
                        "day": day,
                        "lon": None,
                        "lat": None,
                        "proof": "tag",
                        "result": "ok",
                        "description": "",
                        "media_ids": [],
                        "backfilled": False,
                        "hazard_id": None,
                        "created_by": "bench",
                        "voided_at": None,
                        "void_reason": "",
                    }
                )
                c = bumps[(code, day)]
                c["records"] += 1
                c["due"] += 1
                c["done"] += 1
            for k in range(0, len(rows), 50_000):
                bulk.insert_rows(s.connection(), InspectionRecord.__table__, rows[k : k + 50_000])
            bump_rollups(s, bumps)
            s.commit()
            total += len(rows)
            log(f"  seeded {first:%Y-%m}: {len(rows):,} records")
    engine.dispose()
    return total


def run(
    workdir: Path,
    *,
    count: int,
    batch: int,
    year_months: int,
    stat_rounds: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.prevention.risk.models import RiskPoint

    with live_server(workdir) as srv:
        db_url = srv.env["YINGJI_DATABASE_URL"]
        engine = create_engine(db_url)
        with Session(engine) as s:
            _, token = auth.create_integration_token(
                s, name="bench", channels=["inspections"], actor=SYSTEM, created_by=None
            )
            s.commit()
            pts = [
                (p, c, t)
                for p, c, t in s.execute(
                    select(RiskPoint.id, RiskPoint.enterprise_code, RiskPoint.tag).order_by(
                        RiskPoint.id
                    )
                )
            ]
        engine.dispose()
        recs = records(pts, count, seed=uuid.uuid4().int % 1000)
        bodies = [orjson.dumps({"records": recs[i : i + batch]}) for i in range(0, count, batch)]
        url = f"{srv.url}/api/v1/prevention/inspections:batch"

        def send(label: str, want: int) -> list[float]:
            rates = []
            for b in bodies:
                t0 = time.perf_counter()
                status, out = _post(url, token, b)
                dt = time.perf_counter() - t0
                if status != want:
                    raise RuntimeError(f"{label}: {status} {out[:300]!r}")
                rates.append(batch / dt)
            return rates

        t0 = time.perf_counter()
        created = send("create", 201)
        wall = time.perf_counter() - t0
        log(f"  {count:,} records in {wall:.1f} s: {count / wall:,.0f}/s")
        replay = send("replay", 200)
        seeded = seed_year(db_url, year_months, count, log)
        with create_engine(db_url).connect() as c:
            rows = c.execute(text("SELECT count(*) FROM insp_record")).scalar_one()
        stats: dict[str, list[float]] = {}
        for group in ("enterprise", "subdistrict", "industry"):
            curl = (
                f"{srv.url}/api/v1/prevention/inspections/completion"
                f"?month={MONTH_START:%Y-%m}&group_by={group}"
            )
            ms = []
            for _ in range(stat_rounds):
                t1 = time.perf_counter()
                _get(curl, token)
                ms.append((time.perf_counter() - t1) * 1000)
            stats[group] = ms
        return {
            "count": count,
            "wall_s": wall,
            "created": created,
            "replay": replay,
            "rows": rows,
            "seeded": seeded,
            "stats": stats,
        }


def p(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(q * len(v)))]


def median(values: list[float]) -> float:
    return statistics.median(values)
