"""The clock command's views read; tests replaying a case replace ``now``."""

from __future__ import annotations

from datetime import datetime

from yingji.core.db import utcnow


def now() -> datetime:
    return utcnow()
