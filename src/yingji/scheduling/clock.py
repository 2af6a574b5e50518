"""The platform's clock for scheduled work and the views that set deadlines.

One clock, read by the timer loop and by every view that stamps ``now``: tests replaying a
case (the 18 August leak) replace :func:`now` here and both move together.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from yingji.core.db import utcnow


def now() -> datetime:
    return utcnow()


BEIJING = ZoneInfo("Asia/Shanghai")


def local_date() -> date:
    """Today in Beijing time (expiry dates of supplies are local dates)."""
    return now().astimezone(BEIJING).date()
