"""Intake settings (environment prefix ``YINGJI_INTAKE_``). Units are in the names."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YINGJI_INTAKE_", env_file=".env", extra="ignore")

    merge_radius_m: float = Field(default=300.0, gt=0, le=5000)
    merge_window_s: float = Field(default=2 * 3600.0, gt=0, le=7 * 24 * 3600)
    merge_group_prefix_len: int = Field(default=3, ge=1, le=5)
    # Channels whose reports skip screening (upper-level notices; sensors when configured).
    trusted_channels: list[str] = ["notice"]
    batch_max_items: int = Field(default=1000, ge=1, le=1000)
    writer_batch_max: int = Field(default=400, ge=1, le=5000)
    deadline_check_interval_s: float = Field(default=30.0, gt=0)


@lru_cache
def get_intake_settings() -> IntakeSettings:
    return IntakeSettings()
