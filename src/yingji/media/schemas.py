"""API shapes of the media domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yingji.media.kinds import MediaKind


class UploadIn(BaseModel):
    """Declare an upload: the name is kept for downloads only; the type is read from the
    bytes. ``sha256`` (hex) is checked when the upload completes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$")
    size_bytes: int = Field(gt=0, le=2**53, description="文件总字节数 / total bytes")
    sha256: str = Field(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256（十六进制）")


class UploadRead(BaseModel):
    id: int
    filename: str
    size_bytes: int
    sha256: str
    offset: int = Field(description="已收到的字节数：下一个分片从这里开始 / bytes received")
    status: str = Field(description="open | complete | refused | expired")
    refusal: str | None
    media_id: int | None
    chunk_max_bytes: int
    expires_at: datetime


class MediaRead(BaseModel):
    id: int
    kind: MediaKind
    mime: str = Field(description="由内容识别的类型 / the type the content was found to be")
    filename: str
    size_bytes: int
    sha256: str
    width: int | None
    height: int | None
    duration_s: float | None
    subdistrict_code: str | None
    created_at: datetime
    content_url: str
    thumbnail_url: str | None
