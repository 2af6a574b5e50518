"""Helpers for the command tests: verified incidents made through intake's API."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from shapely.geometry import shape
from sqlalchemy import select

from yingji.grid.models import GridArea

_counter = itertools.count(7)


@pytest.fixture(scope="session")
def spots(demo) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(sub-district code, lon, lat) well inside distinct grid areas."""
    with demo.session() as s:
        areas = list(s.scalars(select(GridArea).order_by(GridArea.code.desc())))
    out = []
    for a in areas:
        poly = shape(a.geometry)
        inner = poly.buffer(-0.0004)
        p = (inner if not inner.is_empty else poly).representative_point()
        out.append((a.subdistrict_code, p.x, p.y))
    return out


@pytest.fixture
def make_incident(client, token_for, spots) -> Callable[..., dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Report an incident through the intake API and (by default) verify it."""

    def make(
        *,
        text: str = "京台高速殷家林立交一辆氨水罐车泄漏，有刺激性气味",
        category_code: str | None = "21A03",
        verify: bool = True,
        **over: Any,
    ) -> dict[str, Any]:
        sub, lon, lat = spots[next(_counter) % len(spots)]
        body: dict[str, Any] = {
            "channel": "public",
            "source_id": f"cmd-{uuid.uuid4().hex}",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
            "title": "",
            "text": text,
            "location": {"lon": lon, "lat": lat, "crs": "wgs84"},
            "reporter": {"name": "李四", "phone": "13900000000"},
        }
        if category_code:
            body["category_code"] = category_code
        body.update(over)
        r = client.post("/api/v1/reports", json=body, headers=token_for("duty_officer"))
        assert r.status_code == 201, r.text
        incident_id = r.json()["incident_id"]
        if verify:
            v = client.post(
                f"/api/v1/incidents/{incident_id}/transitions",
                json={"to": "verified", "reason": "核实"},
                headers=token_for("duty_officer"),
            )
            assert v.status_code == 200, v.text
        return {"id": incident_id, "subdistrict": sub, "lon": lon, "lat": lat}

    return make


@pytest.fixture
def plan_id(client, admin_headers) -> Callable[[str], int]:  # type: ignore[no-untyped-def]
    def get(code: str) -> int:
        r = client.get("/api/v1/plans", params={"q": code}, headers=admin_headers)
        assert r.status_code == 200, r.text
        return next(p["id"] for p in r.json()["items"] if p["code"] == code)

    return get
