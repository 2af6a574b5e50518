"""The clock command's views read; tests replaying a case replace ``now``."""

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
