"""Notification settings (environment prefix ``YINGJI_NOTIFY_``): providers, secrets, retries."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YINGJI_NOTIFY_", env_file=".env", extra="ignore")

    # Who carries SMS and voice calls: ``dev`` records what would be sent (shown on the
    # dashboard's 通知记录 page) and sends nothing; ``webhook`` posts each message, signed,
    # to the gateway URL (a government SMS platform / 政务短信平台, a call centre's API).
    sms_provider: Literal["dev", "webhook"] = "dev"
    sms_gateway_url: str = ""
    voice_provider: Literal["dev", "webhook"] = "dev"
    voice_gateway_url: str = ""
    # Webhook messages go to the recipient's own URL; ``dev`` records them instead.
    webhook_provider: Literal["dev", "webhook"] = "dev"
    # HMAC-SHA256 key that signs every outgoing body (X-Yingji-Signature); share it with
    # each receiver. Empty: bodies go unsigned and the webhook provider refuses to start.
    webhook_secret: SecretStr = SecretStr("")
    # Key a provider signs its delivery receipts with; empty: receipts need an integration
    # token with the ``receipts`` channel.
    receipt_secret: SecretStr = SecretStr("")
    # How far a signed request's timestamp may be from our clock (replay window).
    signature_tolerance_s: int = Field(default=300, ge=1, le=3600)
    timeout_s: float = Field(default=10.0, gt=0, le=60)
    retry_base_s: float = Field(default=30.0, gt=0)
    retry_max_s: float = Field(default=900.0, gt=0)
    max_attempts: int = Field(default=7, ge=1, le=50)
    # Systems that receive every warning to the surroundings as its CAP 1.2 message (a
    # public alert aggregator, the district media centre, a neighbouring district).
    warning_webhooks: list[str] = []


@lru_cache
def get_notify_settings() -> NotifySettings:
    return NotifySettings()
