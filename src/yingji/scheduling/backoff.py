"""Retry delays: capped exponential backoff, a pure rule (no clock, no database).

Used by every retried job on the scheduler (a notification's delivery first). The delay
before try ``n + 1`` after try ``n`` failed is ``base_s × factor^(n − 1)``, capped at
``max_s``: with the defaults 30 s, 60 s, 120 s, 240 s… up to 15 min — a provider that is
down for a few minutes is not hammered, and a message is still tried for about an hour in
all (the sum of the first six delays, 30 + 60 + 120 + 240 + 480 + 900 = 1,830 s, plus the
tries themselves). No jitter: tries of different messages are already spread by when each
message was made, and a fixed schedule is easier to read back from the attempts table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """How often and how long to retry: ``max_attempts`` tries in all (the first included)."""

    base_s: float = 30.0
    factor: float = 2.0
    max_s: float = 900.0
    max_attempts: int = 7

    def __post_init__(self) -> None:
        if self.base_s <= 0 or self.factor < 1 or self.max_s < self.base_s:
            raise ValueError("backoff needs base_s > 0, factor ≥ 1 and max_s ≥ base_s")
        if self.max_attempts < 1:
            raise ValueError("backoff needs at least one attempt")

    def delay_s(self, attempt: int) -> float:
        """Seconds to wait after try ``attempt`` (1-based) failed, before the next one."""
        if attempt < 1:
            raise ValueError("attempts count from 1")
        # exponent capped so a long-running retry never overflows a float
        exponent = min(attempt - 1, 64)
        return min(self.base_s * self.factor**exponent, self.max_s)

    def schedule_s(self) -> list[float]:
        """Every delay this policy will wait, in order (``max_attempts − 1`` of them)."""
        return [self.delay_s(n) for n in range(1, self.max_attempts)]
