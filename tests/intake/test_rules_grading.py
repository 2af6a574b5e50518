"""Grading I–IV (pure): boundaries exact, thresholds equal to the shared tables."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SHARED
from yingji.intake.grading import Facts, default_table, grade, graver, rank

PS = "production_safety"


@pytest.mark.parametrize(
    ("deaths", "level"),
    [(0, "IV"), (2, "IV"), (3, "III"), (9, "III"), (10, "II"), (29, "II"), (30, "I")],
)
def test_production_safety_deaths(deaths: int, level: str):
    assert grade(Facts(deaths=deaths), rule=PS).level == level


@pytest.mark.parametrize(
    ("injured", "level"),
    [(9, "IV"), (10, "III"), (49, "III"), (50, "II"), (99, "II"), (100, "I")],
)
def test_production_safety_serious_injuries(injured: int, level: str):
    assert grade(Facts(serious_injuries=injured), rule=PS).level == level


@pytest.mark.parametrize(
    ("loss", "level"),
    [
        (9_999_999, "IV"),
        (10_000_000, "III"),
        (49_999_999, "III"),
        (50_000_000, "II"),
        (99_999_999, "II"),
        (100_000_000, "I"),
    ],
)
def test_production_safety_loss(loss: int, level: str):
    assert grade(Facts(direct_loss_cny=loss), rule=PS).level == level


def test_any_one_criterion_suffices_and_highest_wins():
    g = grade(Facts(deaths=1, serious_injuries=55, direct_loss_cny=12_000_000), rule=PS)
    assert g.level == "II" and not g.needs_assessment
    assert any("重伤" in r for r in g.reasons)


def test_missing_counts_with_deaths():
    assert grade(Facts(deaths=2, missing=1), rule=PS).level == "III"


def test_nothing_known_is_provisional_iv():
    g = grade(Facts(), rule=PS)
    assert g.level == "IV" and g.needs_assessment
    assert grade(Facts(trapped=3), rule=PS).needs_assessment


def test_general_rule_people_affected():
    assert grade(Facts(affected_people=4_999)).level == "IV"
    assert grade(Facts(affected_people=5_000)).level == "III"
    assert grade(Facts(affected_people=10_000)).level == "II"
    assert grade(Facts(affected_people=50_000)).level == "I"


def test_thresholds_match_the_regulation_table():
    shared = json.loads((SHARED / "standards" / "cn_emergency_tables.json").read_text("utf-8"))
    levels = {lv["level"]: lv for lv in shared["production_safety_accident_grades"]["levels"]}
    ours = default_table().rules[PS].thresholds
    assert ours["I"] == {
        "deaths": levels["I"]["deaths_min"],
        "serious_injuries": levels["I"]["serious_injuries_min"],
        "direct_loss_cny": levels["I"]["direct_loss_cny_min"],
    }
    for lv in ("II", "III"):
        assert ours[lv] == {
            "deaths": levels[lv]["deaths"][0],
            "serious_injuries": levels[lv]["serious_injuries"][0],
            "direct_loss_cny": levels[lv]["direct_loss_cny"][0],
        }
    assert levels["IV"]["deaths_max_exclusive"] == ours["III"]["deaths"]


counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))


@given(counts, counts, counts, st.one_of(st.none(), st.integers(0, 300_000_000)), counts)
def test_grade_is_monotone(deaths, missing, injured, loss, more):
    base = Facts(deaths=deaths, missing=missing, serious_injuries=injured, direct_loss_cny=loss)
    worse = Facts(
        deaths=(deaths or 0) + (more or 0),
        missing=missing,
        serious_injuries=injured,
        direct_loss_cny=loss,
    )
    assert rank(grade(worse, rule=PS).level) <= rank(grade(base, rule=PS).level)
    merged = base.merged(worse)
    assert (
        graver(grade(merged, rule=PS).level, grade(base, rule=PS).level)
        == grade(merged, rule=PS).level
    )
