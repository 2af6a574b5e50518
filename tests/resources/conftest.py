"""Helpers for the resources tests: fresh warehouses (so tests never share stock) and counts
that prove a refused request wrote nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from yingji.audit.models import AuditEntry
from yingji.core.db import Database
from yingji.resources.models import StockBatch, StockMovement

API = "/api/v1/resources"
SUPPLIES = f"{API}/supplies"


@pytest.fixture(scope="session")
def anchor(client: TestClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    """A demo warehouse whose position is known to lie inside the district."""
    resp = client.get(
        f"{SUPPLIES}/warehouses", params={"q": "区应急物资储备库"}, headers=admin_headers
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["items"][0]


@pytest.fixture
def new_warehouse(
    client: TestClient, admin_headers: dict[str, str], anchor: dict[str, Any]
) -> Callable[..., dict[str, Any]]:
    def make(
        owner_type: str = "department", owner_code: str = "DEPT-EM", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "code": f"WT-{uuid.uuid4().hex[:10]}",
            "name": f"测试仓库{uuid.uuid4().hex[:6]}",
            "owner_type": owner_type,
            "owner_code": owner_code,
            "lon": anchor["lon"],
            "lat": anchor["lat"],
            "keeper_name": "张三",
            "keeper_phone": "13912345678",
            **extra,
        }
        resp = client.post(f"{SUPPLIES}/warehouses", json=body, headers=admin_headers)
        assert resp.status_code == 201, resp.text
        return resp.json()

    return make


@pytest.fixture
def receive(client: TestClient, admin_headers: dict[str, str]) -> Callable[..., Any]:
    def post(
        warehouse_id: int, item: str, quantity: Any, batch_no: str = "B1", **extra: Any
    ) -> Any:
        body = {"item_code": item, "quantity": quantity, "batch_no": batch_no, **extra}
        return client.post(
            f"{SUPPLIES}/warehouses/{warehouse_id}/receipts", json=body, headers=admin_headers
        )

    return post


@pytest.fixture
def written(demo: Database) -> Callable[[], tuple[int, int, int, int]]:
    """(movements, batches, total stock, audit rows): equal before and after = nothing written."""

    def counts() -> tuple[int, int, int, int]:
        with demo.session() as s:
            return (
                s.scalar(select(func.count()).select_from(StockMovement)) or 0,
                s.scalar(select(func.count()).select_from(StockBatch)) or 0,
                s.scalar(select(func.coalesce(func.sum(StockBatch.quantity_milli), 0))) or 0,
                # people's audit rows: the app's scheduler may audit notice deliveries meanwhile
                s.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.actor_type != "system")
                )
                or 0,
            )

    return counts


def stock_of(client: TestClient, headers: dict[str, str], warehouse_id: int, item: str) -> float:
    resp = client.get(f"{SUPPLIES}/warehouses/{warehouse_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return next((s["quantity"] for s in resp.json()["stock"] if s["item_code"] == item), 0.0)
