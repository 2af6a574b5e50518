"""Reading an uploaded file: its type from its first bytes, an image's size and a recording's
duration from the file itself, and an image's thumbnail.

Libraries, chosen for a field laptop with nothing else installed:

* :mod:`filetype` sniffs the magic numbers. Pure Python, no dependency; ``python-magic``
  would need the system's libmagic, which a Windows laptop or a minimal container lacks.
* Pillow decodes images fully (a truncated or forged image fails here, whatever its first
  bytes claim) and makes the thumbnails.
* :mod:`mutagen` reads a recording's duration from its container (WAV, MP3, MP4/M4A/MOV/3GP,
  Ogg, FLAC, AAC): pure Python, no ffmpeg binary to ship.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import filetype
import mutagen
from PIL import Image, ImageOps, UnidentifiedImageError

from yingji.media.kinds import PILLOW_FORMATS, Limits, MediaKind, Refusal, check_pixels

SNIFF_BYTES = 8192  # filetype needs 261; MP4's ftyp brands and RIFF headers fit well within


@dataclass(frozen=True)
class Probe:
    width: int | None = None
    height: int | None = None
    duration_s: float | None = None


def sniff(path: Path) -> str | None:
    """The MIME type the file's content says, or None."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    guess = filetype.guess(head)
    return guess.mime if guess else None


def _corrupt_image() -> Refusal:
    return Refusal(
        422, "image_unreadable", "图片无法解码，文件可能已损坏或伪造",
        "The image cannot be decoded; the file is damaged or not what it claims",
    )  # fmt: skip


def probe_image(path: Path, mime: str, limits: Limits) -> Probe | Refusal:
    """Decode the whole image (``verify`` then ``load``): its size, or why it is refused."""
    try:
        with Image.open(path) as img:
            if img.format != PILLOW_FORMATS.get(mime):
                return _corrupt_image()
            width, height = img.size
            too_big = check_pixels(width, height, limits)
            if too_big is not None:
                return too_big
            img.verify()
        with Image.open(path) as img:  # verify() leaves the image unusable: open again
            img.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _corrupt_image()
    return Probe(width=width, height=height)


def probe_duration(path: Path) -> Probe:
    """The duration the container declares, or none when it cannot be read."""
    try:
        f = mutagen.File(path)
    except Exception:  # mutagen raises its own errors per format; all mean "unreadable"
        return Probe()
    length = getattr(getattr(f, "info", None), "length", None)
    if not length or length <= 0:
        return Probe()
    return Probe(duration_s=round(float(length), 3))


def probe(path: Path, mime: str, kind: MediaKind, limits: Limits) -> Probe | Refusal:
    if kind is MediaKind.image:
        return probe_image(path, mime, limits)
    if kind in (MediaKind.audio, MediaKind.video):
        return probe_duration(path)
    return Probe()


def thumbnail(path: Path, px: int) -> bytes:
    """A JPEG no larger than ``px`` on either side, turned upright by its EXIF orientation.
    It carries no EXIF (no GPS position of the photographer); the original is kept as sent."""
    with Image.open(path) as opened:
        img: Image.Image = ImageOps.exif_transpose(opened)
        img.thumbnail((px, px))
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
