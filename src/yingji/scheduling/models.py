"""The one table of due work: every domain's timers, told apart by ``kind``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class Timer(Base):
    """A durable timer: due work kept in the database so a restart loses none.

    A worker claims due rows (``claimed_by``) and marks them ``fired_at`` in the transaction
    that does the work; a claim older than the lease is taken over (the worker died).
    ``kind`` names the handler (``task_deadline``, ``notify_deliver``...) and ``ref_id`` the
    row of the owning domain it is about; the owning domain reads its own tables, never this
    one's columns beyond what :mod:`yingji.scheduling.timers` hands it.
    """

    __tablename__ = "sched_timer"
    __table_args__ = (Index("ix_sched_timer_due", "fired_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    ref_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(String(500), nullable=False, default="")
