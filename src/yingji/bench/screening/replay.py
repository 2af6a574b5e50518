"""Replay a labelled corpus through the real intake and read where each report ended.

A fresh database (SQLite file or a new PostgreSQL database) with the demo district, the app
as ``yingji serve`` builds it (its writer, merge and classification), a duty officer's
token, and every report POSTed to ``/api/v1/reports`` in the file's order through FastAPI's
TestClient. Afterwards each report's incident and its own category are read back from the
intake's table — not from the 201 answer — so anything that moves reports after intake
(a later merge) is counted as it finally stands.

Location fields the running intake does not know (``accuracy_m`` and ``source`` of the
issue-13 contract, on a build before they were added) are dropped before posting, and the
replay says how many reports that touched.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from yingji.bench.demo_load import fresh_database
from yingji.bench.screening.corpus import Record
from yingji.bench.screening.metrics import Outcome


@dataclass(frozen=True)
class Replayed:
    outcomes: list[Outcome]
    stripped_fields: tuple[str, ...]  # Location keys the intake did not know
    stripped_reports: int
    refusals: dict[int, str]  # corpus index -> the intake's error code


def known_location_fields() -> frozenset[str]:
    from yingji.intake.schemas import Location

    return frozenset(Location.model_fields)


def compatible(body: dict[str, Any], known: frozenset[str]) -> tuple[dict[str, Any], set[str]]:
    """The body with the Location keys the intake does not know removed, and those keys."""
    loc = body.get("location")
    if not isinstance(loc, dict):
        return body, set()
    unknown = set(loc) - known
    if not unknown:
        return body, set()
    return {**body, "location": {k: v for k, v in loc.items() if k in known}}, unknown


def replay(
    records: Sequence[Record],
    *,
    database: str = "sqlite",
    pg_admin_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    demo_seed: int = 20200326,
    on_step: Callable[[], None] = lambda: None,
) -> Replayed:
    """Post every record's report, in order, to a fresh platform; the outcomes in order."""
    from fastapi.testclient import TestClient

    from yingji.app import create_app
    from yingji.audit.service import SYSTEM
    from yingji.auth import service as auth
    from yingji.auth.roles import Role
    from yingji.config import Settings
    from yingji.core.security import create_access_token
    from yingji.demo.load import load_demo
    from yingji.intake.models import Report

    known = known_location_fields()
    stripped: set[str] = set()
    stripped_reports = 0
    refusals: dict[int, str] = {}
    report_ids: dict[int, int] = {}
    secret = "merge-quality-" + "q" * 40
    with (
        fresh_database(database, pg_admin_url) as db,
        tempfile.TemporaryDirectory(prefix="yingji-mq-") as tmp,
    ):
        with db.session() as s:
            load_demo(s, seed=demo_seed)
            user = auth.create_user(
                s, username=f"mq_{uuid.uuid4().hex[:10]}", password="merge-quality",
                role=Role.duty_officer, scope_code=None, known_scope_codes=None, actor=SYSTEM,
            )  # fmt: skip
            s.commit()
            token = create_access_token(str(user.id), secret, 24 * 3600)
        app = create_app(
            Settings(database_url=db.url, data_dir=Path(tmp), secret_key=secret),
            migrate_on_start=False,
        )
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            for index, record in enumerate(records):
                body, unknown = compatible(record.report, known)
                if unknown:
                    stripped |= unknown
                    stripped_reports += 1
                r = client.post("/api/v1/reports", headers=headers, json=body)
                if r.status_code in (200, 201):
                    report_ids[index] = r.json()["report_id"]
                else:
                    refusals[index] = str(r.json().get("code", r.status_code))
                on_step()
        with db.session() as s:
            rows = s.execute(
                select(Report.id, Report.incident_id, Report.category_code, Report.lon, Report.lat)
            ).all()
        db.dispose()
    by_id = {r.id: r for r in rows}
    outcomes = []
    for index, record in enumerate(records):
        row = by_id.get(report_ids.get(index, -1))
        outcomes.append(
            Outcome(
                index=index,
                scene=record.scene,
                split=record.split or "corpus",
                label=record.category,
                incident=row.incident_id if row is not None else None,
                predicted=row.category_code if row is not None else None,
                occurred_at=datetime.fromisoformat(str(record.report["occurred_at"])),
                lon=row.lon if row is not None else None,
                lat=row.lat if row is not None else None,
                note=record.note,
            )
        )
    return Replayed(outcomes, tuple(sorted(stripped)), stripped_reports, refusals)
