"""The simulator: its scenario (pure) and a run against the real API."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from yingji.geo.distance import haversine_m
from yingji.simulator.feed import Simulator
from yingji.simulator.launch import positions
from yingji.simulator.scenario import Settings, event_reports, tick

NOW = datetime(2026, 7, 18, 6, 0, tzinfo=UTC)
SPOTS = [(116.99 + i * 0.001, 36.64 + i * 0.0005) for i in range(50)]


def test_rate_flood_day_and_mix():
    rng = random.Random(3)
    normal, bad = tick(rng, SPOTS, NOW, Settings(reports_per_min=60), 600)
    flood, _ = tick(rng, SPOTS, NOW, Settings(reports_per_min=60, flood_day=True), 600)
    assert 400 < len(normal) + len(bad) < 1400
    assert len(flood) > 5 * len(normal)
    assert {b["channel"] for b in normal} == {
        "grid",
        "public",
        "internet",
        "alarm",
        "sensor",
        "notice",
    }
    assert bad and {kind for kind, _ in bad} <= {
        "outside",
        "swapped",
        "unknown_channel",
        "no_place",
    }
    wet = sum(
        ("积水" in b["text"]) or ("进水" in b["text"]) or ("河水" in b["text"]) for b in flood
    )
    assert wet > len(flood) / 2


def test_duplicates_are_clustered_in_space_and_time():
    rng = random.Random(5)
    for _ in range(50):
        cluster = event_reports(rng, SPOTS, NOW, Settings(duplicate_share=1.0))
        assert 2 <= len(cluster) <= 5
        first = cluster[0]
        assert len({b["text"] for b in cluster}) == 1
        for b in cluster[1:]:
            d = haversine_m(
                first["location"]["lon"], first["location"]["lat"],
                b["location"]["lon"], b["location"]["lat"],
            )  # fmt: skip
            assert d < 300
            assert datetime.fromisoformat(b["occurred_at"]) <= NOW


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_simulator_feeds_the_api(client, admin_headers, demo):
    token = client.post(
        "/api/v1/integration-tokens",
        json={
            "name": "sim",
            "channels": ["notice", "grid", "public", "internet", "alarm", "sensor", "cap"],
        },
        headers=admin_headers,
    ).json()["token"]
    sim = Simulator(
        client, token, positions(demo, 300), Settings(reports_per_min=120, bad_share=0.2), seed=2
    )
    stats = sim.step(60)
    assert stats.unexpected == []
    assert stats.accepted > 50
    assert stats.rejected_as_expected > 0
    assert stats.merged > 0
    assert stats.sent == stats.accepted + stats.rejected_as_expected
