"""Pure rules of the resources domain: which batches to take, alerts, the reserve gap, team
status. Values in, values out; no database and no clock (``today`` / ``now`` passed in)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from yingji.core.errors import conflict

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def local_date(now: datetime) -> date:
    """The calendar day in China at ``now``: expiry dates and plan years are local days."""
    return now.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class BatchView:
    id: int
    quantity_milli: int
    expiry_date: date | None
    production_date: date | None = None


def fefo_order(batches: Iterable[BatchView]) -> list[BatchView]:
    """First expiring, first out: batches by expiry (none last), then production, then id.

    Taking the batch that expires first keeps write-offs down; ties fall back to the oldest.
    """
    return sorted(
        batches,
        key=lambda b: (
            b.expiry_date is None,
            b.expiry_date or date.max,
            b.production_date or date.min,
            b.id,
        ),
    )


def usable(batch: BatchView, on: date | None) -> bool:
    """Whether a batch may still be issued on day ``on`` (not expired; None: any batch)."""
    return on is None or batch.expiry_date is None or batch.expiry_date >= on


def plan_take(
    batches: Iterable[BatchView], wanted_milli: int, *, usable_on: date | None = None
) -> list[tuple[int, int]] | None:
    """(batch id, thousandths to take) covering ``wanted_milli`` in FEFO order, or None when the
    batches together hold less. With ``usable_on``, expired batches are not issued (they are
    only written off)."""
    plan: list[tuple[int, int]] = []
    left = wanted_milli
    for batch in fefo_order(b for b in batches if b.quantity_milli > 0 and usable(b, usable_on)):
        if left == 0:
            break
        take = min(left, batch.quantity_milli)
        plan.append((batch.id, take))
        left -= take
    return plan if left == 0 else None


@dataclass(frozen=True)
class StockLevel:
    warehouse_id: int
    item_code: str
    quantity_milli: int
    min_quantity_milli: int


def low_stock(levels: Iterable[StockLevel]) -> list[StockLevel]:
    """Levels strictly below their threshold (a zero threshold never alerts)."""
    return [lv for lv in levels if lv.quantity_milli < lv.min_quantity_milli]


def expiring(batches: Iterable[BatchView], *, today: date, within_days: int) -> list[BatchView]:
    """Batches with stock whose expiry falls on or before ``today + within_days`` (already
    expired ones included), soonest first."""
    limit = today + timedelta(days=within_days)
    found = [
        b
        for b in batches
        if b.quantity_milli > 0 and b.expiry_date is not None and b.expiry_date <= limit
    ]
    return sorted(found, key=lambda b: (b.expiry_date, b.id))


@dataclass(frozen=True)
class GapLine:
    item_code: str
    target_milli: int
    stock_milli: int

    @property
    def gap_milli(self) -> int:
        return max(0, self.target_milli - self.stock_milli)

    @property
    def coverage(self) -> float:
        return 1.0 if self.target_milli == 0 else min(1.0, self.stock_milli / self.target_milli)


def reserve_gap(targets: dict[str, int], stock: dict[str, int]) -> list[GapLine]:
    """Each targeted item against the usable stock; items without a target are left out."""
    return [GapLine(code, targets[code], stock.get(code, 0)) for code in sorted(targets)]


TEAM_STATUSES = ("standby", "deployed", "off_duty")


def next_team_status(current: str, action: str) -> str:
    """dispatch: standby → deployed; release: deployed → standby; off_duty / on_duty toggle a
    team that is not out. Anything else is a 409, so a team is never sent twice."""
    moves: dict[tuple[str, str], str] = {
        ("standby", "dispatch"): "deployed",
        ("deployed", "release"): "standby",
        ("standby", "off_duty"): "off_duty",
        ("off_duty", "on_duty"): "standby",
    }
    after = moves.get((current, action))
    if after is None:
        zh = {"standby": "待命", "deployed": "出动中", "off_duty": "休整"}.get(current, current)
        raise conflict(
            "team_status",
            f"队伍当前状态为“{zh}”，不能执行 {action}",
            f"Team is {current}; cannot {action}",
            field="status",
        )
    return after


def within(values: Sequence[str], wanted: str | None) -> bool:
    """Whether ``wanted`` (case-insensitive, substring) matches one of ``values``; None matches."""
    if not wanted:
        return True
    w = wanted.strip().lower()
    return any(w in v.lower() for v in values)
