"""API shapes of accounts and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.auth.roles import Role
from yingji.core.validators import Input


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    scope_type: str
    scope_code: str | None
    phone: str
    is_active: bool


class Me(UserRead):
    role_label: str
    role_label_en: str


class UserCreate(Input):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role
    scope_code: str | None = Field(default=None, max_length=32)
    display_name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)


class IntegrationTokenCreate(Input):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    channels: list[str] = Field(min_length=1)
    scope_code: str | None = Field(default=None, max_length=32)


class IntegrationTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    channels: list[str]
    scope_type: str
    scope_code: str | None
    created_at: datetime
    revoked_at: datetime | None


class IntegrationTokenCreated(IntegrationTokenRead):
    token: str = Field(description="只显示一次 / shown once")
