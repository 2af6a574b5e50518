"""Pure rules: quantities, FEFO takings, alerts, reserve gap, team status, GB/T 38565 codes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.core.errors import ApiError
from yingji.resources.catalogue import DEFAULT_CATALOGUE, check_gb_code, parse_table
from yingji.resources.quantities import from_milli, to_milli
from yingji.resources.rules import (
    BatchView,
    StockLevel,
    expiring,
    low_stock,
    next_team_status,
    plan_take,
    reserve_gap,
)


def test_to_milli_accepts_and_refuses() -> None:
    assert to_milli(3, whole_units=True) == 3000
    assert to_milli("12.125", whole_units=False) == 12125
    assert to_milli(Decimal("0"), whole_units=True, allow_zero=True) == 0
    for value, whole, code in (
        (-1, True, "negative_quantity"),
        (0, True, "zero_quantity"),
        (1.5, True, "fractional_quantity"),
        ("0.0005", False, "too_many_decimals"),
        ("nan", False, "not_a_number"),
        ("x", False, "not_a_number"),
        (True, True, "not_a_number"),
        ("1e30", False, "quantity_too_large"),
    ):
        with pytest.raises(ApiError) as err:
            to_milli(value, whole_units=whole)
        assert err.value.code == code and err.value.status == 422


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("1e9"), places=3))
def test_to_milli_round_trips_three_decimals(value: Decimal) -> None:
    milli = to_milli(value, whole_units=False)
    assert Decimal(milli) / 1000 == value
    assert Decimal(repr(from_milli(milli))) == value


batches = st.lists(
    st.builds(
        BatchView,
        id=st.integers(1, 10_000),
        quantity_milli=st.integers(0, 10_000),
        expiry_date=st.one_of(st.none(), st.dates(date(2020, 1, 1), date(2035, 1, 1))),
    ),
    max_size=12,
    unique_by=lambda b: b.id,
)


@given(batches, st.integers(1, 60_000))
def test_plan_take_never_overdraws_and_covers_exactly(bs: list[BatchView], wanted: int) -> None:
    plan = plan_take(bs, wanted)
    total = sum(b.quantity_milli for b in bs)
    if wanted > total:
        assert plan is None
        return
    assert plan is not None
    held = {b.id: b.quantity_milli for b in bs}
    assert sum(q for _, q in plan) == wanted
    assert all(0 < q <= held[i] for i, q in plan)
    assert len({i for i, _ in plan}) == len(plan)


def test_plan_take_is_first_expiring_first_out() -> None:
    bs = [
        BatchView(1, 5000, None),
        BatchView(2, 5000, date(2027, 1, 1)),
        BatchView(3, 5000, date(2026, 1, 1)),
    ]
    assert plan_take(bs, 7000) == [(3, 5000), (2, 2000)]
    assert plan_take(bs, 15000) == [(3, 5000), (2, 5000), (1, 5000)]


def test_alert_rules() -> None:
    today = date(2026, 6, 1)
    bs = [
        BatchView(1, 10, today - timedelta(days=1)),
        BatchView(2, 10, today + timedelta(days=30)),
        BatchView(3, 10, today + timedelta(days=31)),
        BatchView(4, 0, today),
        BatchView(5, 10, None),
    ]
    assert [b.id for b in expiring(bs, today=today, within_days=30)] == [1, 2]
    levels = [StockLevel(1, "A", 5, 10), StockLevel(1, "B", 10, 10), StockLevel(1, "C", 0, 0)]
    assert [lv.item_code for lv in low_stock(levels)] == ["A"]
    gap = reserve_gap({"A": 1000, "B": 500}, {"A": 400, "B": 900, "C": 5})
    assert [(g.item_code, g.gap_milli, round(g.coverage, 2)) for g in gap] == [
        ("A", 600, 0.4),
        ("B", 0, 1.0),
    ]


def test_team_status_moves() -> None:
    assert next_team_status("standby", "dispatch") == "deployed"
    assert next_team_status("deployed", "release") == "standby"
    assert next_team_status("standby", "off_duty") == "off_duty"
    assert next_team_status("off_duty", "on_duty") == "standby"
    for current, action in (
        ("deployed", "dispatch"),
        ("off_duty", "dispatch"),
        ("standby", "release"),
        ("deployed", "off_duty"),
    ):
        with pytest.raises(ApiError) as err:
            next_team_status(current, action)
        assert err.value.status == 409


def test_gb_code_structure_of_section_5_2() -> None:
    assert check_gb_code("1010101") == "1010101"
    assert check_gb_code("3999999") == "3999999"
    for bad in ("4010101", "0010101", "1000101", "101010", "10101011", "1a10101"):
        with pytest.raises(ValueError):
            check_gb_code(bad)


def test_default_catalogue_is_well_formed() -> None:
    codes = [e.code for e in DEFAULT_CATALOGUE]
    assert len(codes) == len(set(codes)) >= 30
    assert all(e.major_class in (1, 2, 3) for e in DEFAULT_CATALOGUE)
    assert parse_table("X | 甲 | A | 个 | 可分 | 1 | living |  | 0 | -")[0].whole_units is False


def test_expired_batches_are_not_issued_but_can_be_written_off() -> None:
    today = date(2026, 6, 1)
    bs = [BatchView(1, 5000, today - timedelta(days=1)), BatchView(2, 3000, today)]
    assert plan_take(bs, 3000, usable_on=today) == [(2, 3000)]
    assert plan_take(bs, 4000, usable_on=today) is None
    assert plan_take(bs, 4000) == [(1, 4000)]


def test_the_migration_seeds_a_counter_for_every_kind(tmp_path) -> None:
    from sqlalchemy import text

    from yingji.core import migrate
    from yingji.core.db import Database
    from yingji.resources.places import COUNTERS

    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate.upgrade(db.engine)
    with db.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT kind, revision FROM res_revision")).all())
    db.dispose()
    assert rows == dict.fromkeys(COUNTERS, 0)
