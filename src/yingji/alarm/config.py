"""Alarm settings (environment prefix ``YINGJI_ALARM_``). Units are in the names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AlarmSettings(BaseSettings):
    """Who is told, how often one device may press, how long what a caller sent is kept.

    A linkage or platform target is ``channel:address``: ``webhook:https://…`` (the 110/119/
    120 linkage platform's receiving API, signed by the notification seam), ``sms:13800000000``
    or ``voice:0531-12345678``. Empty lists mean "not configured": the alarm records that
    the centre must phone the service itself, so it is never silently skipped.
    """

    model_config = SettingsConfigDict(env_prefix="YINGJI_ALARM_", env_file=".env", extra="ignore")

    # 社会联动: the linkage endpoints of 110 (police), 119 (fire and rescue), 120 (ambulance)
    linkage_110: list[str] = []
    linkage_119: list[str] = []
    linkage_120: list[str] = []
    # 公益救援平台: public rescue platforms told of every alarm (e.g. a volunteer team's API)
    rescue_platforms: list[str] = []
    # the nearest micro rescue station within this distance is told and may accept
    station_radius_m: float = Field(default=20_000.0, gt=0, le=100_000)
    # per device: the first alarm is never limited; then at most ``device_max`` in
    # ``device_window_s`` (a person in danger presses again; a pocket presses hundreds)
    device_max: int = Field(default=5, ge=1)
    device_window_s: float = Field(default=600.0, gt=0)
    # per client address only a high limit: many phones share one carrier address (CGNAT)
    address_max: int = Field(default=300, ge=1)
    address_window_s: float = Field(default=60.0, gt=0)
    # media per alarm (photos, a sound clip, a video) and the numbers n they are PUT at
    media_max_items: int = Field(default=10, ge=1, le=100)
    # 个人信息保护法 第十九条: kept no longer than the purpose needs. Media and positions of
    # an alarm are purged this many days after it (the alarm row and the report stay).
    retention_days: int = Field(default=180, ge=1)
    # Append-only spool for alarms taken while the database is unreachable (one per process).
    # Empty: ``<YINGJI_DATA_DIR>/alarm-spool``.
    spool_dir: Path | None = None
    # how long the caller's live status stream stays open
    status_stream_s: float = Field(default=1800.0, gt=0)

    def resolved_spool_dir(self, data_dir: Path) -> Path:
        return self.spool_dir if self.spool_dir is not None else data_dir / "alarm-spool"


@lru_cache
def get_alarm_settings() -> AlarmSettings:
    return AlarmSettings()
