"""Supplies through the API: the ledger, its refusals (nothing written), permissions, shared
use, alerts, the reserve gap."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient

from tests.resources.conftest import SUPPLIES, stock_of
from yingji.core.db import utcnow
from yingji.resources.rules import local_date


def china_today() -> date:
    """The day the server counts expiry in (China's calendar day, ``rules.local_date``):
    between 16:00 and 24:00 UTC it is already tomorrow there."""
    return local_date(utcnow())


def test_catalogue_lists_items_with_major_class_and_category(
    client: TestClient, admin_headers
) -> None:
    resp = client.get(f"{SUPPLIES}/items", params={"limit": 100}, headers=admin_headers)
    assert resp.status_code == 200
    items = {i["code"]: i for i in resp.json()["items"]}
    assert {"SANDBAG", "PUMP", "LIFEJACKET", "TENT", "EXTINGUISHER", "AMMONIANEUT"} <= set(items)
    assert items["AMMONIANEUT"]["whole_units"] is False
    assert items["TENT"]["major_class_name"] == "基本生活保障物资"
    assert items["PUMP"]["gb_code"] is None  # the standard's table is not established


def test_catalogue_refuses_a_malformed_gb_code(client: TestClient, admin_headers) -> None:
    body = {
        "code": "TESTITEM",
        "name": "测试物资",
        "unit": "个",
        "major_class": 2,
        "category": "rescue",
        "gb_code": "4010101",
    }
    resp = client.put(f"{SUPPLIES}/items/TESTITEM", json=body, headers=admin_headers)
    assert resp.status_code == 422
    assert resp.json()["field"] == "gb_code"
    body["gb_code"] = "2010199"
    assert (
        client.put(f"{SUPPLIES}/items/TESTITEM", json=body, headers=admin_headers).status_code
        == 200
    )
    body["gb_code"] = ""
    cleared = client.put(f"{SUPPLIES}/items/TESTITEM", json=body, headers=admin_headers)
    assert cleared.status_code == 200 and cleared.json()["gb_code"] is None


def test_receive_take_allocate_return_write_off_keep_the_balance(
    client: TestClient, admin_headers, new_warehouse, receive
) -> None:
    wh = new_warehouse()
    today = china_today()
    r1 = receive(
        wh["id"],
        "LIFEJACKET",
        30,
        "B-OLD",
        production_date=str(today - timedelta(days=900)),
        expiry_date=str(today + timedelta(days=20)),
    )
    r2 = receive(
        wh["id"],
        "LIFEJACKET",
        50,
        "B-NEW",
        production_date=str(today),
        expiry_date=str(today + timedelta(days=1800)),
    )
    assert r1.status_code == r2.status_code == 201, r1.text
    assert stock_of(client, admin_headers, wh["id"], "LIFEJACKET") == 80

    # Allocation to an incident takes the first-expiring batch first, then the next.
    resp = client.post(
        f"{SUPPLIES}/warehouses/{wh['id']}/takings",
        json={
            "kind": "allocate",
            "item_code": "LIFEJACKET",
            "quantity": 40,
            "incident_ref": "INC-1",
        },
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    moves = resp.json()
    assert [(m["quantity"], m["balance_after"]) for m in moves] == [(30, 0), (10, 40)]
    assert stock_of(client, admin_headers, wh["id"], "LIFEJACKET") == 40

    # Return part of the first allocation line; never more than was allocated.
    back = client.post(
        f"{SUPPLIES}/returns",
        json={"allocation_id": moves[0]["id"], "quantity": 5},
        headers=admin_headers,
    )
    assert back.status_code == 201, back.text
    assert back.json()["incident_ref"] == "INC-1"
    too_much = client.post(
        f"{SUPPLIES}/returns",
        json={"allocation_id": moves[0]["id"], "quantity": 26},
        headers=admin_headers,
    )
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "return_exceeds_allocation"

    out = client.post(
        f"{SUPPLIES}/warehouses/{wh['id']}/takings",
        json={"kind": "write_off", "item_code": "LIFEJACKET", "quantity": 5, "reason": "破损"},
        headers=admin_headers,
    )
    assert out.status_code == 201
    assert stock_of(client, admin_headers, wh["id"], "LIFEJACKET") == 40

    ledger = client.get(
        f"{SUPPLIES}/movements", params={"warehouse_id": wh["id"]}, headers=admin_headers
    )
    kinds = [m["kind"] for m in ledger.json()["items"]]
    assert kinds == ["write_off", "return", "allocate", "allocate", "in", "in"]
    audit = client.get(
        "/api/v1/audit",
        params={"object_type": "stock_movement", "limit": 20},
        headers=admin_headers,
    )
    assert audit.status_code == 200
    ids = {e["object_id"] for e in audit.json()["items"]}
    assert {str(m["id"]) for m in ledger.json()["items"]} <= ids


def test_transfer_between_own_warehouses_moves_batches(
    client: TestClient, admin_headers, new_warehouse, receive
) -> None:
    a, b = new_warehouse(), new_warehouse()
    assert receive(a["id"], "TENT", 12, "T-1", expiry_date="2035-01-01").status_code == 201
    resp = client.post(
        f"{SUPPLIES}/warehouses/{a['id']}/transfers",
        json={"to_warehouse_id": b["id"], "item_code": "TENT", "quantity": 5},
        headers=admin_headers,
    )
    assert resp.status_code == 201, resp.text
    assert [m["kind"] for m in resp.json()] == ["transfer_out", "transfer_in"]
    assert stock_of(client, admin_headers, a["id"], "TENT") == 7
    assert stock_of(client, admin_headers, b["id"], "TENT") == 5
    batches = client.get(f"{SUPPLIES}/warehouses/{b['id']}/batches", headers=admin_headers).json()
    assert batches["items"][0]["batch_no"] == "T-1"
    assert batches["items"][0]["expiry_date"] == "2035-01-01"


# --- bad input: each refused, nothing written ------------------------------------------------


def test_negative_and_fractional_quantities_are_refused(
    client, admin_headers, new_warehouse, receive, written
) -> None:
    wh = new_warehouse()
    before = written()
    for quantity, code in (
        (-5, "negative_quantity"),
        (0, "zero_quantity"),
        (2.5, "fractional_quantity"),
        ("abc", None),
    ):
        resp = receive(wh["id"], "PUMP", quantity)
        assert resp.status_code == 422, (quantity, resp.text)
        if code:
            assert resp.json()["code"] == code
    # A fractional unit (千克) takes decimals, up to three.
    assert receive(wh["id"], "AMMONIANEUT", "12.5").status_code == 201
    assert receive(wh["id"], "AMMONIANEUT", "0.0001").json()["code"] == "too_many_decimals"
    after = written()
    assert after[0] == before[0] + 1 and after[1] == before[1] + 1


def test_allocation_larger_than_stock_is_refused_and_nothing_moves(
    client, admin_headers, new_warehouse, receive, written
) -> None:
    wh = new_warehouse()
    receive(wh["id"], "SANDBAG", 100, "S1")
    receive(wh["id"], "SANDBAG", 50, "S2")
    before = written()
    resp = client.post(
        f"{SUPPLIES}/warehouses/{wh['id']}/takings",
        json={"kind": "allocate", "item_code": "SANDBAG", "quantity": 151, "incident_ref": "INC-9"},
        headers=admin_headers,
    )
    assert resp.status_code == 409
    assert resp.json()["code"] == "insufficient_stock"
    assert written() == before
    assert stock_of(client, admin_headers, wh["id"], "SANDBAG") == 150


def test_expiry_before_production_is_refused(
    client, admin_headers, new_warehouse, receive, written
) -> None:
    wh = new_warehouse()
    before = written()
    resp = receive(wh["id"], "MASK", 10, production_date="2025-05-01", expiry_date="2025-04-30")
    assert resp.status_code == 422
    assert "有效期" in resp.json()["message"]
    assert written() == before


def test_a_warehouse_keeper_phone_must_be_a_phone_number(
    client, admin_headers, anchor, written
) -> None:
    before = written()
    body = {
        "code": "WT-BADPHONE",
        "name": "坏电话仓库",
        "owner_type": "department",
        "owner_code": "DEPT-EM",
        "lon": anchor["lon"],
        "lat": anchor["lat"],
        "keeper_name": "李四",
        "keeper_phone": "12345",
    }
    resp = client.post(f"{SUPPLIES}/warehouses", json=body, headers=admin_headers)
    assert resp.status_code == 422
    assert resp.json()["field"] == "keeper_phone"
    assert written() == before


def test_a_warehouse_outside_the_district_is_refused(client, admin_headers) -> None:
    body = {
        "code": "WT-FAR",
        "name": "远方仓库",
        "owner_type": "department",
        "owner_code": "DEPT-EM",
        "lon": 121.47,
        "lat": 31.23,
        "keeper_name": "王五",
        "keeper_phone": "13912345678",
    }
    resp = client.post(f"{SUPPLIES}/warehouses", json=body, headers=admin_headers)
    assert resp.status_code == 422
    assert resp.json()["code"] == "outside_district"


# --- permissions ----------------------------------------------------------------------------


def test_operators_write_only_their_own_warehouses_and_read_only_their_own_ledgers(
    client, admin_headers, token_for, new_warehouse, receive
) -> None:
    water = new_warehouse("department", "DEPT-WATER")
    em = new_warehouse("department", "DEPT-EM")
    receive(water["id"], "PUMP", 4)
    water_op = token_for("department_operator", "DEPT-WATER")
    sub_op = token_for("subdistrict_operator", "370103003")
    # Own warehouse: writable; another department's: refused.
    ok = client.post(
        f"{SUPPLIES}/warehouses/{water['id']}/receipts",
        json={"item_code": "PUMP", "quantity": 1, "batch_no": "W2"},
        headers=water_op,
    )
    assert ok.status_code == 201
    no = client.post(
        f"{SUPPLIES}/warehouses/{em['id']}/receipts",
        json={"item_code": "PUMP", "quantity": 1, "batch_no": "W2"},
        headers=water_op,
    )
    assert no.status_code == 403
    # Everyone reads stock totals (to ask for shared use); ledgers only their own.
    assert stock_of(client, sub_op, water["id"], "PUMP") == 5
    assert (
        client.get(f"{SUPPLIES}/warehouses/{water['id']}/batches", headers=sub_op).status_code
        == 403
    )
    assert (
        client.get(f"{SUPPLIES}/warehouses/{water['id']}/batches", headers=water_op).status_code
        == 200
    )
    mine = client.get(f"{SUPPLIES}/movements", params={"limit": 500}, headers=water_op).json()[
        "items"
    ]
    owned = {
        w["id"]
        for w in client.get(
            f"{SUPPLIES}/warehouses",
            params={"owner_code": "DEPT-WATER", "limit": 100},
            headers=water_op,
        ).json()["items"]
    }
    assert mine and {m["warehouse_id"] for m in mine} <= owned
    assert client.get(f"{SUPPLIES}/movements", headers=token_for("committee")).status_code == 200
    assert (
        client.get(
            f"{SUPPLIES}/movements", headers=token_for("enterprise_user", "91110000600037341L")
        ).status_code
        == 403
    )


# --- shared use -----------------------------------------------------------------------------


def test_share_request_approved_moves_the_stock_refused_does_not(
    client, admin_headers, token_for, new_warehouse, receive
) -> None:
    fire = new_warehouse("department", "DEPT-FIRE")
    sub = new_warehouse("subdistrict", "370103003")
    receive(fire["id"], "EXTINGUISHER", 40, "F1")
    sub_op = token_for("subdistrict_operator", "370103003")
    fire_op = token_for("department_operator", "DEPT-FIRE")
    body = {
        "from_warehouse_id": fire["id"],
        "to_warehouse_id": sub["id"],
        "item_code": "EXTINGUISHER",
        "quantity": 15,
        "reason": "社区火灾隐患整治",
    }
    req = client.post(f"{SUPPLIES}/requests", json=body, headers=sub_op)
    assert req.status_code == 201, req.text
    rid = req.json()["id"]
    # Only the owner of the source decides.
    assert (
        client.post(
            f"{SUPPLIES}/requests/{rid}/decision", json={"approve": True}, headers=sub_op
        ).status_code
        == 403
    )
    done = client.post(
        f"{SUPPLIES}/requests/{rid}/decision",
        json={"approve": True, "note": "同意"},
        headers=fire_op,
    )
    assert done.status_code == 200, done.text
    assert done.json()["request"]["status"] == "approved"
    assert [m["kind"] for m in done.json()["movements"]] == ["transfer_out", "transfer_in"]
    assert stock_of(client, admin_headers, fire["id"], "EXTINGUISHER") == 25
    assert stock_of(client, admin_headers, sub["id"], "EXTINGUISHER") == 15
    again = client.post(
        f"{SUPPLIES}/requests/{rid}/decision", json={"approve": True}, headers=fire_op
    )
    assert again.status_code == 409

    req2 = client.post(f"{SUPPLIES}/requests", json=body, headers=sub_op).json()
    refused = client.post(
        f"{SUPPLIES}/requests/{req2['id']}/decision",
        json={"approve": False, "note": "本单位需要"},
        headers=fire_op,
    )
    assert refused.json()["request"]["status"] == "refused"
    assert refused.json()["movements"] == []
    assert stock_of(client, admin_headers, fire["id"], "EXTINGUISHER") == 25


def test_a_request_to_ones_own_warehouse_is_refused(
    client, token_for, new_warehouse, receive, written
) -> None:
    a, b = new_warehouse("department", "DEPT-WATER"), new_warehouse("department", "DEPT-WATER")
    receive(a["id"], "PUMP", 3)
    water_op = token_for("department_operator", "DEPT-WATER")
    before = written()
    resp = client.post(
        f"{SUPPLIES}/requests",
        json={
            "from_warehouse_id": a["id"],
            "to_warehouse_id": b["id"],
            "item_code": "PUMP",
            "quantity": 1,
        },
        headers=water_op,
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "own_warehouse"
    assert written() == before


def test_approval_without_enough_stock_fails_and_the_request_stays_pending(
    client, token_for, new_warehouse, receive
) -> None:
    health = new_warehouse("department", "DEPT-HEALTH")
    sub = new_warehouse("subdistrict", "370103012")
    receive(health["id"], "MASK", 100)
    body = {
        "from_warehouse_id": health["id"],
        "to_warehouse_id": sub["id"],
        "item_code": "MASK",
        "quantity": 500,
    }
    rid = client.post(
        f"{SUPPLIES}/requests", json=body, headers=token_for("subdistrict_operator", "370103012")
    ).json()["id"]
    resp = client.post(
        f"{SUPPLIES}/requests/{rid}/decision",
        json={"approve": True},
        headers=token_for("department_operator", "DEPT-HEALTH"),
    )
    assert resp.status_code == 409
    listed = client.get(
        f"{SUPPLIES}/requests",
        params={"status": "pending", "limit": 500},
        headers=token_for("department_operator", "DEPT-HEALTH"),
    ).json()["items"]
    assert rid in {r["id"] for r in listed}


# --- alerts and the reserve plan ------------------------------------------------------------


def test_alerts_report_low_stock_and_coming_expiry(
    client, admin_headers, new_warehouse, receive
) -> None:
    wh = new_warehouse()
    today = china_today()
    receive(wh["id"], "FIRSTAID", 3, "A1", expiry_date=str(today + timedelta(days=10)))
    receive(wh["id"], "RADIO", 50, "R1")
    client.put(
        f"{SUPPLIES}/warehouses/{wh['id']}/thresholds",
        json={"item_code": "RADIO", "min_quantity": 60},
        headers=admin_headers,
    )
    resp = client.get(
        f"{SUPPLIES}/alerts",
        params={"warehouse_id": wh["id"], "within_days": 30},
        headers=admin_headers,
    )
    assert resp.status_code == 200
    low = {a["item_code"]: a for a in resp.json()["low_stock"]}
    assert low["RADIO"]["min_quantity"] == 60  # the warehouse's own line
    assert low["FIRSTAID"]["min_quantity"] == 20  # the catalogue's
    exp = resp.json()["expiring"]
    assert [(e["item_code"], e["days_left"]) for e in exp] == [("FIRSTAID", 10)]
    short = client.get(
        f"{SUPPLIES}/alerts",
        params={"warehouse_id": wh["id"], "within_days": 5},
        headers=admin_headers,
    )
    assert short.json()["expiring"] == []


def test_reserve_gap_report_for_a_plan_year(client, admin_headers, token_for) -> None:
    resp = client.get(f"{SUPPLIES}/reserve/gap", params={"year": 2030}, headers=admin_headers)
    assert resp.status_code == 200
    report = resp.json()
    assert report["items_targeted"] > 20
    assert report["items_short"] > 0  # the plan rises to 130 % of the demo holding
    line = next(
        li for c in report["categories"] for li in c["lines"] if li["item_code"] == "SANDBAG"
    )
    assert line["gap"] == max(0, line["target"] - line["stock"])
    assert (
        client.get(
            f"{SUPPLIES}/reserve/gap", params={"year": 2031}, headers=admin_headers
        ).status_code
        == 422
    )
    # Targets are set by the emergency bureau only.
    body = {"year": 2031, "item_code": "SANDBAG", "quantity": 1}
    assert (
        client.put(f"{SUPPLIES}/reserve/targets", json=body, headers=admin_headers).status_code
        == 422
    )
    body["year"] = 2029
    assert (
        client.put(
            f"{SUPPLIES}/reserve/targets",
            json=body,
            headers=token_for("department_operator", "DEPT-WATER"),
        ).status_code
        == 403
    )
    assert (
        client.put(
            f"{SUPPLIES}/reserve/targets",
            json=body,
            headers=token_for("department_operator", "DEPT-EM"),
        ).status_code
        == 204
    )


def test_expired_stock_is_not_allocated_only_written_off(
    client, admin_headers, new_warehouse, receive
) -> None:
    wh = new_warehouse()
    today = china_today()
    receive(
        wh["id"],
        "DISINFECT",
        10,
        "OLD",
        production_date=str(today - timedelta(days=800)),
        expiry_date=str(today - timedelta(days=5)),
    )
    receive(wh["id"], "DISINFECT", 4, "NEW", expiry_date=str(today + timedelta(days=300)))
    take = {"kind": "allocate", "item_code": "DISINFECT", "quantity": 6, "incident_ref": "INC-E"}
    resp = client.post(
        f"{SUPPLIES}/warehouses/{wh['id']}/takings", json=take, headers=admin_headers
    )
    assert resp.status_code == 409
    assert "现有 4" in resp.json()["message"]
    take["quantity"] = 4
    ok = client.post(f"{SUPPLIES}/warehouses/{wh['id']}/takings", json=take, headers=admin_headers)
    assert ok.status_code == 201 and ok.json()[0]["balance_after"] == 0
    gone = client.post(
        f"{SUPPLIES}/warehouses/{wh['id']}/takings",
        headers=admin_headers,
        json={"kind": "write_off", "item_code": "DISINFECT", "quantity": 10, "reason": "过期"},
    )
    assert gone.status_code == 201
    assert stock_of(client, admin_headers, wh["id"], "DISINFECT") == 0


def test_district_stock_per_item(client, admin_headers, new_warehouse, receive) -> None:
    before = client.get(
        f"{SUPPLIES}/stock", params={"item": "generator"}, headers=admin_headers
    ).json()
    assert before["total"] == 1
    line = before["items"][0]
    wh = new_warehouse()
    receive(wh["id"], "GENERATOR", 3)
    after = client.get(
        f"{SUPPLIES}/stock", params={"item": "GENERATOR"}, headers=admin_headers
    ).json()
    assert after["items"][0]["quantity"] == line["quantity"] + 3
    assert after["items"][0]["warehouses"] == line["warehouses"] + 1
    cats = client.get(
        f"{SUPPLIES}/stock", params={"category": "hazmat"}, headers=admin_headers
    ).json()
    assert cats["items"] and {i["category"] for i in cats["items"]} == {"hazmat"}


def test_reserve_targets_list(client, admin_headers) -> None:
    resp = client.get(
        f"{SUPPLIES}/reserve/targets", params={"item": "sandbag"}, headers=admin_headers
    )
    assert resp.status_code == 200
    years = [t["year"] for t in resp.json()["items"]]
    assert years == sorted(years) and set(range(2020, 2031)) <= set(years)
    one = client.get(
        f"{SUPPLIES}/reserve/targets", params={"year": 2025, "limit": 5}, headers=admin_headers
    )
    assert one.json()["total"] > 5 and len(one.json()["items"]) == 5


def test_more_of_a_batch_must_carry_its_dates(
    client, admin_headers, new_warehouse, receive, written
) -> None:
    wh = new_warehouse()
    assert receive(wh["id"], "WATER", 10, "W1", expiry_date="2027-01-01").status_code == 201
    assert receive(wh["id"], "WATER", 5, "W1", expiry_date="2027-01-01").status_code == 201
    before = written()
    clash = receive(wh["id"], "WATER", 5, "W1", expiry_date="2028-01-01")
    assert clash.status_code == 409 and clash.json()["code"] == "batch_dates_differ"
    assert written() == before
    assert stock_of(client, admin_headers, wh["id"], "WATER") == 15
