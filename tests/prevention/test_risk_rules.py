"""LEC, LS and direct judgement at every band boundary, and properties over every factor."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.core.errors import ZhValueError
from yingji.prevention.risk import rules

LEC = rules.DEFAULT_LEC_BANDS
LS = rules.DEFAULT_LS_BANDS


@pytest.mark.parametrize(
    ("l", "e", "c", "d", "colour"),
    [
        (10, 10, 100, 10000, "red"),
        (6, 6, 15, 540, "red"),
        (3, 6, 15, 270, "orange"),
        (10, 2, 15, 300, "orange"),
        (1, 6, 40, 240, "orange"),
        (10, 1, 15, 150, "yellow"),
        (10, 1, 7, 70, "yellow"),  # D = 70 occurs and is yellow
        (3, 3, 7, 63, "blue"),
        (1, 0.5, 40, 20, "blue"),  # D = 20 occurs: blue by default
        (0.5, 3, 7, 10.5, "blue"),  # fractional D
        (0.1, 0.5, 1, 0.05, "blue"),
    ],
)
def test_lec_examples(l, e, c, d, colour):  # noqa: E741
    grade = rules.lec(l, e, c, LEC)
    assert grade.score == pytest.approx(d) and grade.colour == colour


@pytest.mark.parametrize(
    ("score", "colour"),
    [(320.0001, "red"), (320, "orange"), (160.0001, "orange"), (160, "yellow"),
     (70, "yellow"), (69.9999, "blue"), (20, "blue"), (0, "blue")],
)  # fmt: skip
def test_lec_band_edges_exactly(score, colour):
    assert rules.grade_score(score, LEC).colour == colour


@pytest.mark.parametrize(
    ("r", "colour"),
    [(25, "red"), (20, "red"), (16, "orange"), (15, "orange"), (12, "yellow"), (9, "yellow"),
     (8, "blue"), (1, "blue")],
)  # fmt: skip
def test_ls_band_edges(r, colour):
    l, s = next((a, b) for a in range(1, 6) for b in range(1, 6) if a * b == r)  # noqa: E741
    assert rules.ls(l, s, LS).colour == colour


def test_ls_products_that_occur_are_all_graded():
    products = {a * b for a in range(1, 6) for b in range(1, 6)}
    assert products == {1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25}
    assert all(rules.grade_score(p, LS).colour != "ungraded" for p in products)


@pytest.mark.parametrize(("l", "e", "c"), [(4, 6, 7), (10, 5, 7), (10, 6, 6), (0, 1, 1)])
def test_lec_factors_outside_their_sets_are_refused(l, e, c):  # noqa: E741
    with pytest.raises(ZhValueError) as caught:
        rules.lec(l, e, c, LEC)
    assert "不在允许值" in caught.value.zh


@pytest.mark.parametrize(("l", "s"), [(0, 3), (6, 1), (3, 0), (2, 7)])
def test_ls_outside_one_to_five_is_refused(l, s):  # noqa: E741
    with pytest.raises(ZhValueError):
        rules.ls(l, s, LS)


def test_direct_judgement_is_red_and_needs_known_items():
    items = rules.DEFAULT_DIRECT_ITEMS
    assert rules.direct(["major_hazard_source"], items).colour == "red"
    assert rules.direct(["major_hazard_source"], items).score is None
    for bad in ([], ["no_such_item"]):
        with pytest.raises(ZhValueError):
            rules.direct(bad, items)


def test_an_admin_may_make_low_scores_ungraded():
    bands = rules.parse_bands(
        [*LEC[:3], {"colour": "blue", "low": 20, "low_inclusive": True, "high": 70}]
    )
    assert rules.grade_score(19.99, bands).colour == "ungraded"
    assert rules.grade_score(20, bands).colour == "blue"


def test_overlapping_bands_are_refused():
    with pytest.raises(ZhValueError) as caught:
        rules.parse_bands(
            [
                {"colour": "red", "low": 100, "low_inclusive": True},
                {"colour": "orange", "low": 50, "high": 100, "high_inclusive": True},
            ]
        )
    assert "重叠" in caught.value.zh


def test_worst_colour():
    assert rules.worst(["blue", None, "orange", "yellow"]) == "orange"
    assert rules.worst([None]) is None and rules.worst([]) is None


ALL_LEC = list(itertools.product(rules.LEC_L, rules.LEC_E, rules.LEC_C))
RANK = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}


def test_every_lec_combination_has_exactly_one_colour():
    for l, e, c in ALL_LEC:  # noqa: E741
        d = l * e * c
        hits = [b["colour"] for b in LEC if rules.Band(**b).holds(d)]
        assert len(hits) == 1, (l, e, c, d, hits)


@given(st.sampled_from(ALL_LEC), st.sampled_from(ALL_LEC))
def test_lec_colour_is_monotone_in_d(a, b):
    ga, gb = rules.lec(*a, LEC), rules.lec(*b, LEC)
    if ga.score <= gb.score:
        assert RANK[ga.colour] <= RANK[gb.colour]


@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.integers(1, 5))
def test_ls_colour_is_monotone(l1, s1, l2, s2):
    a, b = rules.ls(l1, s1, LS), rules.ls(l2, s2, LS)
    if a.score <= b.score:
        assert RANK[a.colour] <= RANK[b.colour]
