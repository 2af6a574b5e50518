"""What the platform accepts, told by content (pure rules: no file, no clock).

A file's type is what its first bytes say (the magic numbers sniffed by :mod:`filetype`),
never its name or the ``Content-Type`` the client sent: a phone names a recording
``IMG_0001.jpg`` as readily as a hostile client names a script ``photo.png``. Only the
types listed here are kept, each with its kind's size and duration limits. Left out on
purpose: SVG (a script carrier), HEIC (Pillow cannot decode it without a plug-in, and the
phone pages send JPEG), AMR (no pure-Python reader of its duration).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MediaKind(StrEnum):
    image = "image"
    audio = "audio"
    video = "video"
    document = "document"


# sniffed MIME type → (kind, the extension the platform stores it under)
ACCEPTED: dict[str, tuple[MediaKind, str]] = {
    "image/jpeg": (MediaKind.image, "jpg"),
    "image/png": (MediaKind.image, "png"),
    "image/webp": (MediaKind.image, "webp"),
    "image/gif": (MediaKind.image, "gif"),
    "audio/x-wav": (MediaKind.audio, "wav"),
    "audio/mpeg": (MediaKind.audio, "mp3"),
    "audio/mp4": (MediaKind.audio, "m4a"),
    "audio/aac": (MediaKind.audio, "aac"),
    "audio/ogg": (MediaKind.audio, "ogg"),
    "audio/x-flac": (MediaKind.audio, "flac"),
    # MediaRecorder's format in Chromium and Firefox (Safari records MP4)
    "audio/webm": (MediaKind.audio, "webm"),
    "video/webm": (MediaKind.video, "webm"),
    "video/mp4": (MediaKind.video, "mp4"),
    "video/quicktime": (MediaKind.video, "mov"),
    "video/3gpp": (MediaKind.video, "3gp"),
    "video/x-m4v": (MediaKind.video, "m4v"),
    "application/pdf": (MediaKind.document, "pdf"),
}
# Pillow's format names for the accepted images: the decoder must agree with the sniff.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP",
                  "image/gif": "GIF"}  # fmt: skip


@dataclass(frozen=True)
class Limits:
    max_bytes: dict[MediaKind, int]
    max_duration_s: dict[MediaKind, float]
    max_image_pixels: int


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused: an error code, the field, both languages, the HTTP status."""

    status: int
    code: str
    message: str
    message_en: str


def kind_of(mime: str | None) -> tuple[MediaKind, str] | None:
    return ACCEPTED.get(mime or "")


def refuse_type(mime: str | None) -> Refusal:
    seen = mime or "未知 / unknown"
    return Refusal(
        415, "media_type_refused",
        f"文件内容不是可接受的图片、音频、视频或 PDF（识别为 {seen}）",
        f"The file's content is not an accepted image, audio, video or PDF (found {seen})",
    )  # fmt: skip


def check_size(kind: MediaKind, size_bytes: int, limits: Limits) -> Refusal | None:
    """Refused past the kind's limit; exactly at the limit is accepted."""
    limit = limits.max_bytes[kind]
    if size_bytes > limit:
        return Refusal(
            413, "media_too_large", f"文件过大（上限 {limit} 字节）",
            f"The file is too large (limit {limit} bytes for {kind.value})",
        )  # fmt: skip
    return None


def check_duration(kind: MediaKind, duration_s: float | None, limits: Limits) -> Refusal | None:
    """Audio and video need a duration read from the container, within the kind's limit
    (exactly the limit is accepted); other kinds have none."""
    limit = limits.max_duration_s.get(kind)
    if limit is None:
        return None
    if duration_s is None:
        return Refusal(
            422, "media_unreadable", "无法读取音视频时长，文件可能已损坏",
            "The recording's duration cannot be read; the file may be damaged",
        )  # fmt: skip
    if duration_s > limit:
        return Refusal(
            422, "media_too_long", f"时长超过上限（{limit:g} 秒）",
            f"The recording is longer than the limit ({limit:g} s)",
        )  # fmt: skip
    return None


def check_pixels(width: int, height: int, limits: Limits) -> Refusal | None:
    if width * height > limits.max_image_pixels:
        return Refusal(
            422, "image_too_large", f"图片像素过多（上限 {limits.max_image_pixels} 像素）",
            f"The image has too many pixels (limit {limits.max_image_pixels})",
        )  # fmt: skip
    return None
