"""Providers: one interface for SMS, voice calls and HTTP webhooks, and the two behind it.

* :class:`DevProvider` sends nothing: the message and the attempt are recorded like any
  other (the dashboard's 通知记录 page shows them), so a laptop in a field vehicle and the
  tests run the whole chain with no gateway.
* :class:`WebhookProvider` POSTs the message as JSON, signed (:mod:`yingji.notify.signing`),
  to the recipient's URL (channel ``webhook``) or to a gateway (SMS, voice).

A real SMS or voice vendor (a government SMS platform, a cloud vendor's API) is one more
small class with the same ``send``.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from yingji.notify import signing


class Channel(StrEnum):
    sms = "sms"
    voice = "voice"
    webhook = "webhook"


@dataclass(frozen=True)
class Outgoing:
    """One message as a provider sees it. ``message_id`` is the idempotency key a receiver
    uses to drop a repeat (each try is at least once: see ``scheduling.timers.IoHandler``)."""

    message_id: int
    channel: Channel
    to: str
    to_name: str
    subject: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1


@dataclass(frozen=True)
class SendResult:
    """``sent``: handed over (a receipt may follow); ``failed``: not, and ``retryable`` says
    whether trying later may help (a timeout, a 5xx, a 429) or not (a 4xx: fix the data)."""

    status: str
    retryable: bool = False
    provider_ref: str = ""
    http_status: int | None = None
    error: str = ""
    elapsed_ms: int = 0


class Provider(Protocol):
    name: str

    def send(self, message: Outgoing) -> SendResult: ...


class DevProvider:
    """Records, sends nothing (development and tests)."""

    name = "dev"

    def send(self, message: Outgoing) -> SendResult:
        return SendResult("sent", provider_ref=f"dev-{message.message_id}-{message.attempt}")


def body_of(message: Outgoing) -> bytes:
    return json.dumps(
        {
            "message_id": message.message_id,
            "channel": message.channel.value,
            "to": message.to,
            "to_name": message.to_name,
            "subject": message.subject,
            "text": message.text,
            "data": message.data,
            "attempt": message.attempt,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


class WebhookProvider:
    """POST the message, signed. ``url``: a gateway for SMS/voice; None: the recipient's own
    address is the URL (channel ``webhook``)."""

    name = "webhook"

    def __init__(self, *, secret: str, timeout_s: float, url: str | None = None,
                 clock: Any = time.time) -> None:  # fmt: skip
        if not secret:
            raise ValueError("the webhook provider needs YINGJI_NOTIFY_WEBHOOK_SECRET")
        self.secret = secret
        self.timeout_s = timeout_s
        self.url = url
        self.clock = clock

    def send(self, message: Outgoing) -> SendResult:
        url = self.url or message.to
        if not url.startswith(("http://", "https://")):
            return SendResult("failed", error=f"not an http(s) URL: {url[:100]}")
        body = body_of(message)
        ts = int(self.clock())
        request = urllib.request.Request(
            url, data=body, method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "yingji-notify/1",
                signing.TIMESTAMP_HEADER: str(ts),
                signing.SIGNATURE_HEADER: signing.sign(self.secret, ts, body),
                signing.MESSAGE_ID_HEADER: str(message.message_id),
            },
        )  # fmt: skip
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as resp:
                raw = resp.read(64 * 1024)
                return SendResult(
                    "sent", provider_ref=_ref(raw, message), http_status=resp.status,
                    elapsed_ms=elapsed(),
                )  # fmt: skip
        except urllib.error.HTTPError as exc:
            # 408 (timeout), 429 (slow down) and 5xx may pass later; other 4xx will not
            retry = exc.code in (408, 425, 429) or exc.code >= 500
            return SendResult("failed", retryable=retry, http_status=exc.code,
                              error=f"HTTP {exc.code}", elapsed_ms=elapsed())  # fmt: skip
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SendResult("failed", retryable=True, error=str(exc)[:300],
                              elapsed_ms=elapsed())  # fmt: skip


def _ref(raw: bytes, message: Outgoing) -> str:
    """The receiver's id for the message, if its answer gives one (``{"id": ...}``)."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    ref = answer.get("id") if isinstance(answer, dict) else None
    return str(ref)[:100] if ref else f"msg-{message.message_id}"
