"""Request and response bodies of the patrol API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.core.validators import Input
from yingji.patrol.vocab import MemberKind, StewardRole

Code = Field(min_length=1, max_length=32)


class GridMemberIn(Input):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=64)
    kind: MemberKind
    phone: str = Field(default="", max_length=32)
    subdistrict_code: str = Field(min_length=1, max_length=32)
    username: str | None = Field(default=None, max_length=64)
    area_codes: list[str] = Field(default_factory=list, max_length=50)
    line_codes: list[str] = Field(default_factory=list, max_length=200)


class GridMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: MemberKind
    phone: str
    subdistrict_code: str
    username: str | None
    area_codes: list[str]
    line_codes: list[str]
    active: bool
    updated_at: datetime


class StewardIn(Input):
    role: StewardRole
    name: str = Field(min_length=1, max_length=64)
    phone: str = Field(default="", max_length=32)


class StewardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    point_code: str
    subdistrict_code: str
    role: StewardRole
    name: str
    phone: str
