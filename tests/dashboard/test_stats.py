"""Statistics: the pure counting rules, and GET /api/v1/dashboard/stats over real incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import shape

from yingji.dashboard.stats import LEVELS, STATUS_NAMES, IncidentRow, count
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE

NOW = datetime(2026, 8, 18, 9, 30, tzinfo=UTC)

rows_strategy = st.lists(
    st.builds(
        IncidentRow,
        level=st.sampled_from(LEVELS),
        status=st.sampled_from([*sorted(STATUS_NAMES), "merged"]),
        category_code=st.sampled_from([None, "11A01", "21C01", "31A00", "41B00", "91A02"]),
        subdistrict_code=st.sampled_from([None, "370103003", "370103012"]),
        channels=st.lists(st.sampled_from(["public", "grid", "alarm", "sensor"]), max_size=3),
        occurred_at=st.datetimes(
            min_value=datetime(2026, 6, 1), max_value=datetime(2026, 8, 19)
        ).map(lambda d: d.replace(tzinfo=UTC)),
    ),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, days=st.integers(min_value=1, max_value=60))
def test_every_breakdown_adds_up_to_the_total(rows, days):
    out = count(rows, now=NOW, days=days, open_count=0, subdistrict_names={})
    window = [
        r
        for r in rows
        if NOW - timedelta(days=days) <= r.occurred_at <= NOW and r.status != "merged"
    ]
    # everyday help requests (9xxxx) are no 突发事件: apart, out of every other count
    in_window = [r for r in window if not (r.category_code or "").startswith("9")]
    assert out["everyday_help"] == len(window) - len(in_window)
    assert out["total"] == len(in_window)
    for key in ("by_level", "by_category", "by_subdistrict", "by_status"):
        assert sum(b["count"] for b in out[key]) == out["total"], key
    # An incident reported on two channels counts once for each.
    assert sum(b["count"] for b in out["by_channel"]) == sum(
        len(set(r.channels)) for r in in_window
    )
    # Trends: every hour and day present, none counting what lies outside the window.
    assert len(out["by_hour"]) == 48 and len(out["by_day"]) == days
    assert sum(p["count"] for p in out["by_day"]) <= out["total"]
    assert sum(p["count"] for p in out["by_hour"]) <= out["total"]


def test_days_start_at_local_midnight():
    late_evening_utc = datetime(2026, 8, 17, 16, 30, tzinfo=UTC)  # 00:30 on the 18th in Jinan
    row = IncidentRow("IV", "reported", "21C01", "370103003", ["public"], late_evening_utc)
    out = count([row], now=NOW, days=2, open_count=1, subdistrict_names={"370103003": "杆石桥街道"})
    assert [p["count"] for p in out["by_day"]] == [0, 1]
    assert out["by_day"][1]["at"] == "2026-08-17T16:00:00+00:00"
    assert out["by_category"] == [
        {"key": "2", "name": "事故灾难", "name_en": "Accidents and disasters", "count": 1}
    ]
    assert out["by_subdistrict"][0]["name"] == "杆石桥街道"
    assert out["open"] == 1


def test_an_incident_merged_into_another_is_not_counted_again():
    at = NOW - timedelta(hours=1)
    lead = IncidentRow("III", "verified", "21B01", "370103003", ["public", "alarm"], at)
    merged = IncidentRow("IV", "merged", "21B01", "370103003", ["alarm"], at)
    out = count([lead, merged], now=NOW, days=1, open_count=1, subdistrict_names={})
    assert out["total"] == 1
    assert {b["key"]: b["count"] for b in out["by_level"]} == {"I": 0, "II": 0, "III": 1, "IV": 0}


def _areas(client, headers, code):
    sub = client.get(f"/api/v1/subdistricts/{code}", headers=headers).json()
    areas = client.get(f"/api/v1/grid/areas?subdistrict={code}", headers=headers).json()["items"]
    assert sub["code"] == code
    return [shape(a["geometry"]).representative_point() for a in areas]


def test_stats_count_new_incidents_within_the_callers_territory(client, token_for):
    duty = token_for("duty_officer")
    code = "370103021"  # 党家街道
    operator = token_for("subdistrict_operator", code)
    before = client.get("/api/v1/dashboard/stats?days=30", headers=duty).json()
    mine_before = client.get("/api/v1/dashboard/stats?days=30", headers=operator).json()
    week_before = client.get("/api/v1/dashboard/stats?days=7", headers=operator).json()
    points = _areas(client, duty, code)[:3]
    ten_days_ago = datetime.now(UTC) - timedelta(days=10)
    for i, p in enumerate(points):
        body = {
            "channel": "public",
            "source_id": f"stats-{uuid.uuid4().hex}",
            "occurred_at": (ten_days_ago + timedelta(hours=3 * i)).isoformat(),
            "title": "仓库起火",
            "text": "党家街道某仓库起火，浓烟很大",
            "location": {"lon": p.x, "lat": p.y},
        }
        resp = client.post("/api/v1/reports", json=body, headers=duty)
        assert resp.status_code == 201, resp.text
        assert resp.json()["merged"] is False
    after = client.get("/api/v1/dashboard/stats?days=30", headers=duty).json()
    assert after["total"] == before["total"] + 3
    assert after["open"] == before["open"] + 3

    def sub_count(s):
        return next((b["count"] for b in s["by_subdistrict"] if b["key"] == code), 0)

    def channel_count(s):
        return next((b["count"] for b in s["by_channel"] if b["key"] == "public"), 0)

    assert sub_count(after) == sub_count(before) + 3
    assert channel_count(after) == channel_count(before) + 3
    assert sum(p["count"] for p in after["by_day"]) == sum(p["count"] for p in before["by_day"]) + 3

    mine = client.get("/api/v1/dashboard/stats?days=30", headers=operator).json()
    assert mine["total"] == mine_before["total"] + 3
    assert {b["key"] for b in mine["by_subdistrict"]} <= {code}
    # Ten days back is outside a 7-day window.
    week = client.get("/api/v1/dashboard/stats?days=7", headers=operator).json()
    assert week["total"] == week_before["total"]
    assert week["open"] == week_before["open"] + 3  # open now, whenever they occurred


def test_stats_need_an_incident_reader(client, token_for):
    assert client.get("/api/v1/dashboard/stats").status_code == 401
    ent = token_for("enterprise_user", DEMO_ENTERPRISE_CODE)
    resp = client.get("/api/v1/dashboard/stats", headers=ent)
    assert resp.status_code == 403
    bad = client.get("/api/v1/dashboard/stats?days=0", headers=token_for("viewer"))
    assert bad.status_code == 422 and bad.json()["field"] == "days"


def test_open_incidents_board_is_compact_and_scoped(client, token_for):
    duty = token_for("duty_officer")
    code = "370103018"  # 七贤街道
    p = _areas(client, duty, code)[0]
    body = {
        "channel": "public",
        "source_id": f"board-{uuid.uuid4().hex}",
        "occurred_at": (datetime.now(UTC) - timedelta(days=12)).isoformat(),
        "title": "七贤街道仓库起火",
        "text": "仓库起火，浓烟很大",
        "location": {"lon": p.x, "lat": p.y},
    }
    created = client.post("/api/v1/reports", json=body, headers=duty).json()
    board = client.get("/api/v1/dashboard/open-incidents", headers=duty).json()
    full = client.get(
        "/api/v1/incidents?status=reported,verified,responding,controlled&limit=5000",
        headers=duty,
    ).json()
    assert board["total"] == full["total"] == len(board["items"])
    by_id = {i["id"]: i for i in board["items"]}
    mine = by_id[created["incident_id"]]
    listed = next(i for i in full["items"] if i["id"] == created["incident_id"])
    for key in ("title", "status", "level", "lon", "lat", "report_count", "channels"):
        assert mine[key] == listed[key], key
    assert mine["subdistrict"] == listed["subdistrict"]
    assert mine["category"]["display"] == listed["category"]["display"]
    assert len(str(board)) < len(str(full)) / 2

    operator = client.get(
        "/api/v1/dashboard/open-incidents", headers=token_for("subdistrict_operator", code)
    ).json()
    assert created["incident_id"] in {i["id"] for i in operator["items"]}
    assert {i["subdistrict"]["code"] for i in operator["items"]} == {code}
