"""API shapes of accounts and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from yingji.auth.roles import Role
from yingji.core.validators import Input


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    totp_enrolment_required: bool = Field(
        default=False,
        description=(
            "角色要求双因素认证而账号尚未绑定：此令牌只能用于绑定 / the role requires two-factor "
            "login and the account has none: this token only enrols one"
        ),
    )


class LogoutResult(BaseModel):
    revoked: bool = True
    expires_at: datetime = Field(description="令牌原到期时间；此前一直拒绝 / refused until then")


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


class TotpEnrolment(BaseModel):
    secret: str = Field(description="Base32 密钥，手动输入用 / for typing in by hand")
    otpauth_uri: str = Field(description="otpauth://totp/... 供二维码 / for the QR code")
    qr_svg: str = Field(description="二维码（SVG data URI）/ the QR code as an SVG data URI")


class TotpCode(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=6, pattern=r"^[0-9]{6}$")


class TotpConfirmed(BaseModel):
    recovery_codes: list[str] = Field(description="一次性恢复码，只显示一次 / shown once")
    access_token: str | None = Field(
        default=None, description="用绑定令牌登录时的正式令牌 / the full token after an enrol login"
    )
    token_type: str = "bearer"
    expires_in: int | None = None


class AuthPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    totp_required_roles: list[Role] = Field(
        description="须双因素登录的角色（等保三级：至少 admin、hq_commander）"
    )


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
    totp_enabled: bool = False
    totp_required: bool = False


class UserCreate(Input):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=10, max_length=256)
    role: Role
    scope_code: str | None = Field(default=None, max_length=32)
    display_name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)


class IntegrationTokenCreate(Input):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    channels: list[str] = Field(min_length=1)
    scope_code: str | None = Field(default=None, max_length=32)
    # "enterprise": an enterprise's own system, bound to one credit code (scope_code)
    scope_type: Literal["district", "subdistrict", "enterprise"] | None = None


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
