"""API shapes of the notification seam."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.notify.providers import Channel

# No control characters but tab, newline and carriage return (the platform's text rule).
LINE = r"^[^\x00-\x1f\x7f]*$"
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+$"


class DeliveryTryRead(BaseModel):
    attempt: int
    provider: str
    outcome: str = Field(description="sent | failed（将重试 / will retry）| gave_up")
    http_status: int | None
    error: str
    elapsed_ms: int
    next_try_at: datetime | None
    at: datetime


class NoticeReceiptRead(BaseModel):
    id: int
    status: str
    detail: str
    provider_ref: str
    reported_at: datetime | None
    received_at: datetime


class NoticeRead(BaseModel):
    id: int
    channel: Channel
    recipient: str
    recipient_name: str
    subject: str
    text: str
    source_type: str
    source_id: str
    source_kind: str
    status: Literal["pending", "sent", "delivered", "failed"]
    provider: str
    provider_ref: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    tries: list[DeliveryTryRead]
    receipts: list[NoticeReceiptRead] = []


class NoticeIn(BaseModel):
    """A notice sent by hand (an administrator checking a provider end to end)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    channel: Channel
    to: str = Field(min_length=1, max_length=500, pattern=r"^[^\x00-\x1f\x7f]+$")
    to_name: str = Field(default="", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    subject: str = Field(
        default="", max_length=300, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
    )
    text: str = Field(
        min_length=1, max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+$"
    )


class ReceiptIn(BaseModel):
    """A provider's delivery receipt: the message by our id or the provider's reference."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    provider_ref: str | None = Field(default=None, min_length=1, max_length=100)
    status: Literal["delivered", "failed"]
    detail: str = Field(default="", max_length=300)
    reported_at: datetime | None = None


class ReceiptAccepted(BaseModel):
    receipt_id: int
    message_id: int
    status: str
