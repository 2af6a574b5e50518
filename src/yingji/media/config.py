"""Media settings (environment prefix ``YINGJI_MEDIA_``): where files live and the limits."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class MediaSettings(BaseSettings):
    """Limits per kind. The defaults fit a phone on a poor connection: a photo of a hazard
    (a 12-megapixel JPEG is 3–6 MiB), a voice note of a few minutes, a short video clip of a
    scene (a phone records about 1 MiB per second of 1080p video, so 3 min ≈ 200 MiB)."""

    model_config = SettingsConfigDict(env_prefix="YINGJI_MEDIA_", env_file=".env", extra="ignore")

    # Empty: ``<YINGJI_DATA_DIR>/media``.
    dir: Path | None = None
    max_image_bytes: int = Field(default=20 * MIB, gt=0)
    max_audio_bytes: int = Field(default=50 * MIB, gt=0)
    max_video_bytes: int = Field(default=200 * MIB, gt=0)
    max_document_bytes: int = Field(default=20 * MIB, gt=0)
    max_audio_s: float = Field(default=600.0, gt=0)
    max_video_s: float = Field(default=180.0, gt=0)
    # width × height: a decompression bomb (a tiny file that decodes to gigabytes) is refused
    # before it is decoded; 50 MP is above any phone camera's full resolution.
    max_image_pixels: int = Field(default=50_000_000, gt=0)
    # One PUT of a chunked upload. Small enough to resend cheaply on a poor connection;
    # it must stay within YINGJI_MAX_UPLOAD_BYTES (the body limit of upload paths).
    chunk_max_bytes: int = Field(default=4 * MIB, gt=0)
    # An upload left unfinished this long is dropped with its bytes (a scheduler timer).
    upload_ttl_s: int = Field(default=24 * 3600, gt=0)
    thumbnail_px: int = Field(default=320, ge=32, le=2048)

    def resolved_dir(self, data_dir: Path) -> Path:
        return self.dir if self.dir is not None else data_dir / "media"


@lru_cache
def get_media_settings() -> MediaSettings:
    return MediaSettings()
