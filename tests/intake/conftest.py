"""Helpers for the intake API tests: positions inside the demo district, report bodies."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import shape
from sqlalchemy import func, select, update

from yingji.geo.distance import haversine_m
from yingji.grid.models import GridArea
from yingji.intake import lifecycle
from yingji.intake.models import Incident, Report, StreamEvent, TimelineEntry

_counter = itertools.count()
# Spots that tests name by index (``spots[3]``...): ``spot()`` never hands them out, or a
# test's report there would merge into the incident another test left open.
NAMED_SPOTS = frozenset({3, 5, 6, 17, 19, 21, 23, 25, 29})
SPOT_SPACING_M = 1200.0


@pytest.fixture(scope="session")
def spots(demo) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(sub-district code, lon, lat) well inside distinct grid areas, kilometres apart."""
    with demo.session() as s:
        areas = list(s.scalars(select(GridArea).order_by(GridArea.code)))
    out = []
    for a in areas:
        poly = shape(a.geometry)
        inner = poly.buffer(-0.0004)
        p = (inner if not inner.is_empty else poly).representative_point()
        out.append((a.subdistrict_code, p.x, p.y))
    return out


@pytest.fixture(scope="session")
def free_spots(spots) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """Spots at least ``SPOT_SPACING_M`` from one another and from the named ones: a test
    spreads its reports up to ~300 m around its spot and merging reaches 300 m further, so no
    incident another test left open is ever in reach."""
    named = [spots[i] for i in sorted(NAMED_SPOTS)]
    chosen: list[tuple[str, float, float]] = []
    for index, s in enumerate(spots):
        if index in NAMED_SPOTS:
            continue
        if all(haversine_m(s[1], s[2], o[1], o[2]) >= SPOT_SPACING_M for o in named + chosen):
            chosen.append(s)
    return chosen


@pytest.fixture
def spot(free_spots) -> Callable[[], tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """A fresh free spot per call, so tests do not merge into each other's incidents."""

    def take() -> tuple[str, float, float]:
        return free_spots[next(_counter) % len(free_spots)]

    return take


def report_body(
    lon: float, lat: float, *, text: str = "幸福小区3号楼着火了，浓烟很大", **over: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "public",
        "source_id": f"t-{uuid.uuid4().hex}",
        "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "title": "",
        "text": text,
        "location": {"lon": lon, "lat": lat, "crs": "wgs84"},
        "reporter": {"name": "张三", "phone": "13800000000"},
    }
    body.update(over)
    return body


def counts(demo) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with demo.session() as s:
        return {
            m.__tablename__: int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Report, Incident, TimelineEntry, StreamEvent)
        }


@pytest.fixture
def quiet_spot(spot, demo) -> Callable[[], tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """A fresh spot with no open incident in merging reach: tests that count an incident's
    reports exactly retire what an earlier test left open there (``spot()`` comes round to
    the same spots again once a session has used them all)."""

    def take() -> tuple[str, float, float]:
        s = spot()
        with demo.session() as db:
            rows = db.execute(
                select(Incident.id, Incident.lon, Incident.lat).where(
                    Incident.status.in_(lifecycle.OPEN)
                )
            )
            near = [
                iid
                for iid, lon, lat in rows
                if lon is not None and haversine_m(lon, lat, s[1], s[2]) < SPOT_SPACING_M
            ]
            if near:
                db.execute(
                    update(Incident).where(Incident.id.in_(near)).values(status="false_alarm")
                )
                db.commit()
        return s

    return take


@pytest.fixture
def retire_new_incidents(demo):  # type: ignore[no-untyped-def]
    """Mark the incidents a test founded false alarms once it ends, so none stays open where
    a later test reports."""
    with demo.session() as db:
        before = int(db.scalar(select(func.max(Incident.id))) or 0)
    yield
    with demo.session() as db:
        db.execute(
            update(Incident)
            .where(Incident.id > before, Incident.status.in_(lifecycle.OPEN))
            .values(status="false_alarm")
        )
        db.commit()
