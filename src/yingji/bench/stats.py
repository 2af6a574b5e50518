"""Summaries of repeated timings: median and spread, as docs/benchmarks.md reports them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class RateSummary:
    """Calls per second over several rounds."""

    median: float
    minimum: float
    maximum: float
    q1: float
    q3: float
    rounds: int

    @classmethod
    def of(cls, rates: list[float]) -> RateSummary:
        if not rates:
            raise ValueError("no rounds measured")
        ordered = sorted(rates)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return cls(
            median=statistics.median(ordered),
            minimum=ordered[0],
            maximum=ordered[-1],
            q1=q1,
            q3=q3,
            rounds=len(ordered),
        )
