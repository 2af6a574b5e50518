"""Sorting the incident list (and its Excel export) by any listed field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture(scope="module")
def sorted_batch(client, token_for):
    """Three incidents far apart in time, of different levels."""
    headers = token_for("duty_officer")
    base = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    specs = [
        ("仓库起火，一人死亡", 0, {"deaths": 1}),
        ("化工厂爆炸，五人死亡", 5, {"deaths": 5}),
        ("车间机械伤害，十二人死亡", 10, {"deaths": 12}),
    ]
    ids = []
    for i, (text, hours, casualties) in enumerate(specs):
        resp = client.post(
            "/api/v1/reports",
            json={
                "channel": "public",
                "source_id": f"sort-{i}",
                "occurred_at": (base + timedelta(hours=hours)).isoformat(),
                "title": text,
                "text": text,
                "category_code": "21A01",
                "location": {"lon": 116.95 + 0.02 * i, "lat": 36.58},
                "casualties": casualties,
            },
            headers=headers,
        )
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["incident_id"])
    return headers, ids, base


def _ids(client, headers, base, sort):
    resp = client.get(
        "/api/v1/incidents",
        params={
            "sort": sort,
            "since": base.isoformat(),
            "until": (base + timedelta(hours=11)).isoformat(),
            "category": "21A01",
        },
        headers=headers,
    )
    assert resp.status_code == 200, resp.text
    return [i["id"] for i in resp.json()["items"]]


def test_sort_by_occurrence_both_ways(client, sorted_batch):
    headers, ids, base = sorted_batch
    assert _ids(client, headers, base, "occurred_at") == ids
    assert _ids(client, headers, base, "-occurred_at") == ids[::-1]


def test_sort_by_level_puts_the_gravest_first(client, sorted_batch):
    headers, ids, base = sorted_batch
    levels = {
        i["id"]: i["level"]
        for i in client.get("/api/v1/incidents?limit=500", headers=headers).json()["items"]
    }
    assert [levels[i] for i in ids] == ["IV", "III", "II"]
    assert _ids(client, headers, base, "level") == ids[::-1]


def test_unknown_sort_field_is_a_clear_error(client, sorted_batch):
    headers, _, _ = sorted_batch
    resp = client.get("/api/v1/incidents?sort=password", headers=headers)
    assert resp.status_code == 422
    body = resp.json()
    assert body["field"] == "sort"
    assert body["code"] == "unknown_sort_field"
    assert "occurred_at" in body["message_en"]
    assert "排序" in body["message"]


def test_export_follows_the_sort(client, sorted_batch):
    headers, _, base = sorted_batch
    resp = client.get(
        "/api/v1/dashboard/incidents.xlsx",
        params={"sort": "-level", "category": "21A01", "since": base.isoformat()},
        headers=headers,
    )
    assert resp.status_code == 200
    bad = client.get("/api/v1/dashboard/incidents.xlsx?sort=nope", headers=headers)
    assert bad.status_code == 422
