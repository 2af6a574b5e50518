"""Failed-login limits (登录失败处理): slow down, then lock out. Pure: no database, no clock.

GB/T 22239-2019 (等保 2.0) 8.1.4.1 b) asks for "登录失败处理功能，应配置并启用结束会话、限制
非法登录次数和当登录连接超时自动退出等相关措施". The same rule is applied twice, with limits of
its own, to the failures of one account (a guesser aiming at ``admin``) and to those from one
client address (a guesser trying many accounts):

- below ``delay_after`` failures inside the window: no wait;
- from ``delay_after`` on: the next attempt waits ``2 ** (n - delay_after)`` seconds after the
  last failure (1, 2, 4, 8 ... s), at most ``max_delay_s``;
- from ``lockout_after`` on: locked until ``lockout_s`` after the last failure. A failure made
  after that is again at or past the limit and locks again: one guess per lock-out period.

Attempts refused while waiting never reach the password check and are not counted, so a
client that keeps hammering does not lengthen its own wait.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limits:
    delay_after: int
    lockout_after: int
    window_s: int
    max_delay_s: int
    lockout_s: int


@dataclass(frozen=True)
class Verdict:
    """What a client must do before its next attempt counts."""

    retry_after_s: int  # whole seconds, as the Retry-After header carries them
    locked: bool  # a lock-out, not just a slow-down


def counted(failures: Sequence[datetime], now: datetime, limits: Limits) -> list[datetime]:
    """The failures inside the window ending ``now``, oldest first."""
    since = now - timedelta(seconds=limits.window_s)
    return sorted(at for at in failures if since < at <= now)


def delay_s(failure_count: int, limits: Limits) -> float:
    """The wait owed after ``failure_count`` failures (0 below the slow-down threshold)."""
    if failure_count >= limits.lockout_after:
        return float(limits.lockout_s)
    if failure_count < limits.delay_after:
        return 0.0
    return float(min(2 ** (failure_count - limits.delay_after), limits.max_delay_s))


def verdict(failures: Sequence[datetime], now: datetime, limits: Limits) -> Verdict | None:
    """None when an attempt may go ahead now; otherwise how long to wait."""
    recent = counted(failures, now, limits)
    if not recent:
        return None
    wait = delay_s(len(recent), limits)
    if wait <= 0:
        return None
    free_at = recent[-1] + timedelta(seconds=wait)
    if free_at <= now:
        return None
    return Verdict(
        retry_after_s=max(1, math.ceil((free_at - now).total_seconds())),
        locked=len(recent) >= limits.lockout_after,
    )


def locks_now(failure_count: int, limits: Limits) -> bool:
    """Whether the failure just counted (the ``failure_count``-th) is the one that locks."""
    return failure_count == limits.lockout_after
