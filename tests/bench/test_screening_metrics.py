"""The merge-quality measures on hand-made outcomes with figures worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from yingji.bench.screening.metrics import Outcome, category_hit, evaluate

T0 = datetime(2026, 7, 14, 8, 0, tzinfo=UTC)


def o(
    index: int,
    scene: str,
    incident: int | None,
    *,
    label: str | None = "21B01",
    predicted: str | None = "21B01",
    split: str = "tuning",
    minutes: float = 0,
    lon: float = 117.0,
    lat: float = 36.6,
) -> Outcome:
    return Outcome(index, scene, split, label, incident, predicted,
                   T0 + timedelta(minutes=minutes), lon, lat)  # fmt: skip


def test_perfect_merging_has_precision_and_recall_one() -> None:
    (q,) = evaluate([o(0, "A", 1), o(1, "A", 1), o(2, "B", 2)])
    assert (q.pairs_together, q.pairs_merged, q.pairs_both) == (1, 1, 1)
    assert q.precision == 1.0 and q.recall == 1.0


def test_a_scene_split_four_and_one_loses_four_of_ten_pairs() -> None:
    rows = [o(i, "A", 1) for i in range(4)] + [o(4, "A", 2)]
    (q,) = evaluate(rows)
    assert (q.pairs_together, q.pairs_merged, q.pairs_both) == (10, 6, 6)
    assert q.recall == 0.6 and q.precision == 1.0
    (miss,) = q.missed_merges
    assert {miss.a.incident, miss.b.incident} == {1, 2}


def test_a_scene_split_two_and_three_loses_six_of_ten() -> None:
    rows = [o(i, "A", 1) for i in range(2)] + [o(i, "A", 2) for i in range(2, 5)]
    (q,) = evaluate(rows)
    assert (q.pairs_together, q.pairs_both) == (10, 4)
    assert q.recall == 0.4


def test_two_scenes_in_one_incident_cost_precision() -> None:
    # scene A (2 reports) and scene B (1 report) all in incident 1: 3 merged pairs, 1 right
    rows = [o(0, "A", 1), o(1, "A", 1), o(2, "B", 1, lon=117.003)]
    (q,) = evaluate(rows)
    assert (q.pairs_together, q.pairs_merged, q.pairs_both) == (1, 3, 1)
    assert q.precision == 1 / 3 and q.recall == 1.0
    (false,) = q.false_merges
    assert {false.a.scene, false.b.scene} == {"A", "B"}
    assert 260 < false.distance_m < 275  # 0.003° of longitude at 36.6° N ≈ 268 m


def test_no_pairs_at_all_counts_as_one_not_a_division_by_zero() -> None:
    (q,) = evaluate([o(0, "A", 1), o(1, "B", 2)])
    assert q.pairs_together == q.pairs_merged == 0
    assert q.precision == 1.0 and q.recall == 1.0


def test_refused_reports_count_in_no_pair_but_are_counted_refused() -> None:
    (q,) = evaluate([o(0, "A", 1), o(1, "A", None), o(2, "A", 1)])
    assert q.refused == 1
    assert (q.pairs_together, q.pairs_both) == (1, 1)


def test_splits_are_reported_apart_and_pairs_never_cross_them() -> None:
    rows = [o(0, "A", 1, split="tuning"), o(1, "A", 1, split="heldout"),
            o(2, "A", 1, split="heldout")]  # fmt: skip
    tuning, heldout = evaluate(rows)
    assert (tuning.split, tuning.pairs_together, tuning.pairs_merged) == ("tuning", 0, 0)
    assert (heldout.split, heldout.pairs_together, heldout.pairs_both) == ("heldout", 1, 1)


def test_accuracy_counts_only_labelled_reports_and_lists_confusions() -> None:
    rows = [
        o(0, "A", 1, label="21B01", predicted="21B01"),
        o(1, "A", 1, label="21B01", predicted="21C02"),
        o(2, "B", 2, label="91A01", predicted=None),
        o(3, "C", 3, label=None, predicted="21C01"),  # null label: not counted
        o(4, "D", 4, label="21C00", predicted="21C01"),  # under the 小类: a hit
    ]
    (q,) = evaluate(rows)
    assert (q.labelled, q.hits, q.unclassified) == (4, 2, 1)
    assert q.accuracy == 0.5
    assert sorted(q.confusions, key=str) == sorted([("21B01", "21C02", 1), ("91A01", None, 1)],
                                                   key=str)  # fmt: skip


def test_category_hit_at_each_level_of_the_code() -> None:
    assert category_hit("21C01", "21C01")
    assert not category_hit("21C01", "21C02")
    assert not category_hit("21C01", "21C00")  # less specific than the label: a miss
    assert category_hit("21C00", "21C02")
    assert not category_hit("21C00", "21D02")
    assert category_hit("21000", "21D03")
    assert not category_hit("21000", "22A00")
    assert category_hit("20000", "21B01")
    assert not category_hit("20000", "11A02")
    assert category_hit("90000", "91A01")
    assert not category_hit("91A01", None)
    assert not category_hit("91A01", "")


_outcomes = st.lists(
    st.tuples(st.sampled_from("ABCD"), st.integers(1, 4) | st.none()), min_size=0, max_size=14
)


@given(_outcomes)
def test_pair_counts_equal_brute_force(rows: list[tuple[str, int | None]]) -> None:
    outs = [o(i, s, inc) for i, (s, inc) in enumerate(rows)]
    accepted = [x for x in outs if x.incident is not None]
    together = sum(1 for a, b in combinations(accepted, 2) if a.scene == b.scene)
    merged = sum(1 for a, b in combinations(accepted, 2) if a.incident == b.incident)
    both = sum(1 for a, b in combinations(accepted, 2)
               if a.scene == b.scene and a.incident == b.incident)  # fmt: skip
    if not outs:
        assert evaluate(outs) == []
        return
    (q,) = evaluate(outs)
    assert (q.pairs_together, q.pairs_merged, q.pairs_both) == (together, merged, both)
    assert 0.0 <= q.precision <= 1.0 and 0.0 <= q.recall <= 1.0
