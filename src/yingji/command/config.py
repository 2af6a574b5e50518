"""Command settings (environment prefix ``YINGJI_COMMAND_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommandSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YINGJI_COMMAND_", env_file=".env", extra="ignore")

    # GB/T 35965.1 sender code ZZZZZZ DDD UUU XX: the GB/T 2260 division code of the district,
    # the GB/T 4657 department code, then unit and sequence. The layout comes from an appendix
    # reproduction, not the standard's own text (UNCERTAIN); the department code for an
    # emergency management bureau is not confirmed, so "000" until the bureau sets its own.
    cap_sender_code: str = Field(default="37010300000000", pattern=r"^\d{14}$")
    cap_sender: str = "yingji@370103.emergency.gov.cn"
    cap_sender_name: str = "济南市市中区应急管理局"


@lru_cache
def get_command_settings() -> CommandSettings:
    return CommandSettings()
