"""The balance never goes negative under parallel requests: on PostgreSQL through row locks and
conditional updates, on SQLite through the process taking turns at stock writes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tests.resources.conftest import SUPPLIES, stock_of
from yingji.resources.models import StockBatch, StockMovement

THREADS = 24
EACH = 5


def _parallel(fn, n: int) -> list[int]:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda _: fn(), range(n)))


def test_parallel_allocations_never_overdraw(
    client, admin_headers, new_warehouse, receive, demo
) -> None:
    wh = new_warehouse()
    for batch, qty in (("C1", 40), ("C2", 35), ("C3", 25)):
        assert receive(wh["id"], "SANDBAG", qty, batch).status_code == 201

    def allocate() -> int:
        return client.post(
            f"{SUPPLIES}/warehouses/{wh['id']}/takings",
            json={
                "kind": "allocate",
                "item_code": "SANDBAG",
                "quantity": EACH,
                "incident_ref": "INC-P",
            },
            headers=admin_headers,
        ).status_code

    codes = _parallel(allocate, THREADS)
    ok = codes.count(201)
    with demo.session() as s:
        negative = s.scalar(select(func.count()).where(StockBatch.quantity_milli < 0))
        taken = s.scalar(
            select(func.coalesce(func.sum(StockMovement.quantity_milli), 0)).where(
                StockMovement.warehouse_id == wh["id"], StockMovement.kind == "allocate"
            )
        )
    left = stock_of(client, admin_headers, wh["id"], "SANDBAG")
    assert negative == 0
    assert taken == ok * EACH * 1000  # every success is in the ledger, nothing else
    assert left == 100 - ok * EACH
    # Every request is served in turn: exactly 20 succeed, the rest are refused for stock.
    assert ok == 100 // EACH
    assert sorted(set(codes)) == [201, 409]


def test_parallel_transfers_and_takings_conserve_stock(
    client, admin_headers, new_warehouse, receive, demo
) -> None:
    a, b = new_warehouse(), new_warehouse()
    receive(a["id"], "RADIO", 60, "R1")
    receive(b["id"], "RADIO", 60, "R1")

    def move(k: int) -> int:
        src, dst = (a, b) if k % 2 else (b, a)
        if k % 3 == 0:
            return client.post(
                f"{SUPPLIES}/warehouses/{src['id']}/takings",
                json={"kind": "out", "item_code": "RADIO", "quantity": 7},
                headers=admin_headers,
            ).status_code
        return client.post(
            f"{SUPPLIES}/warehouses/{src['id']}/transfers",
            json={"to_warehouse_id": dst["id"], "item_code": "RADIO", "quantity": 9},
            headers=admin_headers,
        ).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(move, range(48)))
    assert set(codes) <= {201, 409}
    outs = sum(7 for k, c in enumerate(codes) if c == 201 and k % 3 == 0)
    total = stock_of(client, admin_headers, a["id"], "RADIO") + stock_of(
        client, admin_headers, b["id"], "RADIO"
    )
    assert total == 120 - outs
    with demo.session() as s:
        assert s.scalar(select(func.count()).where(StockBatch.quantity_milli < 0)) == 0


def test_parallel_dispatches_send_a_team_once(client, admin_headers) -> None:
    teams = client.get(
        "/api/v1/resources/teams",
        params={"kind": "enterprise", "status": "standby"},
        headers=admin_headers,
    ).json()["items"]
    team = teams[0]

    def dispatch() -> int:
        return client.post(
            f"/api/v1/resources/teams/{team['id']}/dispatch",
            json={"incident_ref": "INC-PAR"},
            headers=admin_headers,
        ).status_code

    codes = _parallel(dispatch, 12)
    assert sorted(set(codes)) == [200, 409] and codes.count(200) == 1
    assert (
        client.post(
            f"/api/v1/resources/teams/{team['id']}/release", headers=admin_headers
        ).status_code
        == 200
    )


def test_parallel_decisions_on_one_request_move_the_stock_once(
    client, token_for, new_warehouse, receive, admin_headers
) -> None:
    fire = new_warehouse("department", "DEPT-FIRE")
    sub = new_warehouse("subdistrict", "370103009")
    receive(fire["id"], "FIREHOSE", 30)
    body = {
        "from_warehouse_id": fire["id"],
        "to_warehouse_id": sub["id"],
        "item_code": "FIREHOSE",
        "quantity": 10,
    }
    rid = client.post(
        f"{SUPPLIES}/requests", json=body, headers=token_for("subdistrict_operator", "370103009")
    ).json()["id"]
    fire_op = token_for("department_operator", "DEPT-FIRE")

    def approve() -> int:
        return client.post(
            f"{SUPPLIES}/requests/{rid}/decision", json={"approve": True}, headers=fire_op
        ).status_code

    codes = _parallel(approve, 8)
    assert codes.count(200) == 1 and set(codes) == {200, 409}
    assert stock_of(client, admin_headers, fire["id"], "FIREHOSE") == 20
    assert stock_of(client, admin_headers, sub["id"], "FIREHOSE") == 10


def test_parallel_receipts_of_one_new_batch_make_one_batch(
    client, admin_headers, new_warehouse
) -> None:
    wh = new_warehouse()

    def put() -> int:
        return client.post(
            f"{SUPPLIES}/warehouses/{wh['id']}/receipts",
            json={
                "item_code": "RAINCOAT",
                "quantity": 3,
                "batch_no": "SAME",
                "expiry_date": "2030-01-01",
            },
            headers=admin_headers,
        ).status_code

    assert set(_parallel(put, 10)) == {201}
    batches = client.get(f"{SUPPLIES}/warehouses/{wh['id']}/batches", headers=admin_headers).json()
    assert [(b["batch_no"], b["quantity"]) for b in batches["items"]] == [("SAME", 30)]
