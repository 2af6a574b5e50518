"""Small builders for grid tests: codes, shapes inside a demo area, audit lookups."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from shapely.geometry import mapping, shape

GANSHIQIAO = "370103003"  # 杆石桥街道
SHUNYULU = "370103012"  # 舜玉路街道


def new_code(prefix: str) -> str:
    return f"T{prefix}-{uuid.uuid4().hex[:8]}"


def first_area(client: TestClient, headers: dict[str, str], subdistrict: str) -> dict[str, Any]:
    page = client.get(
        f"/api/v1/grid/areas?subdistrict={subdistrict}&limit=1", headers=headers
    ).json()
    return page["items"][0]


def inside(area: dict[str, Any], margin_deg: float = 0.0004) -> tuple[float, float]:
    """A position well inside an area."""
    p = shape(area["geometry"]).buffer(-margin_deg).representative_point()
    return round(p.x, 7), round(p.y, 7)


def square(lon: float, lat: float, half_deg: float = 0.0001) -> dict[str, Any]:
    ring = [
        [lon - half_deg, lat - half_deg],
        [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg],
        [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def segment(lon: float, lat: float, half_deg: float = 0.0001) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[lon - half_deg, lat], [lon + half_deg, lat]]}


def clean(geometry: dict[str, Any]) -> dict[str, Any]:
    return dict(mapping(shape(geometry)))


def audit_of(
    client: TestClient, admin: dict[str, str], object_type: str, code: str
) -> list[dict[str, Any]]:
    """Audit entries of one object, oldest first."""
    page = client.get(
        f"/api/v1/audit?object_type={object_type}&object_id={code}&limit=100", headers=admin
    ).json()
    return list(reversed(page["items"]))


def audit_total(client: TestClient, admin: dict[str, str]) -> int:
    return int(client.get("/api/v1/audit?limit=1", headers=admin).json()["total"])


def grid_totals(client: TestClient, admin: dict[str, str]) -> dict[str, int]:
    return {
        kind: int(client.get(f"/api/v1/grid/{kind}?limit=1", headers=admin).json()["total"])
        for kind in ("areas", "lines", "points")
    }
