"""Notification tables: messages, each try to deliver one, and the receipts that came back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class NotifyMessage(Base):
    """One notice to one recipient on one channel.

    ``status``: ``pending`` (queued or between tries) → ``sent`` (a provider took it) →
    ``delivered`` | ``failed`` (a receipt said so), or ``failed`` when the tries ran out.
    ``source_type``/``source_id`` name what it is about (``task`` 12, ``warning`` 3) and
    ``source_kind`` why (``task_assigned``, ``warning_issued``...).
    """

    __tablename__ = "notify_message"
    __table_args__ = (
        Index("ix_notify_message_created", "created_at"),
        Index("ix_notify_message_source", "source_type", "source_id"),
        Index("ix_notify_message_provider_ref", "provider_ref"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    recipient: Mapped[str] = mapped_column(String(500), nullable=False)
    recipient_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    subject: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    source_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    source_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    source_kind: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    provider: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    provider_ref: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class NotifyAttempt(Base):
    """One try to hand a message to its provider, with its outcome."""

    __tablename__ = "notify_attempt"
    __table_args__ = (Index("ix_notify_attempt_message", "message_id", "attempt"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    attempt: Mapped[int] = mapped_column(Integer, nullable=False)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    # sent | failed (will retry) | gave_up (the last try failed, or failed for good)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    http_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    elapsed_ms: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class NotifyReceipt(Base):
    """A delivery receipt a provider sent back (delivered, failed, read...), as received."""

    __tablename__ = "notify_receipt"
    __table_args__ = (Index("ix_notify_receipt_message", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    detail: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    provider_ref: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    received_by: Mapped[str] = mapped_column(String(100), nullable=False)
