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
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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
    """The MIME type the file's content says, or None. A WebM without a video track is
    ``audio/webm`` (the magic numbers alone say video for every WebM)."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    if mime in _ISO_VIDEO:
        handlers = mp4_handlers(path)
        if handlers and "vide" not in handlers and "soun" in handlers:
            return "audio/mp4"  # a sound recording in an MP4 (MediaRecorder's audio/mp4)
    if mime == "video/webm":
        found = webm(path)
        if found is None:
            return None
        if not found.video:
            return "audio/webm"
    return mime


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


# ------------------------------------------------------------------ MP4 tracks
# The ISO base media file format (ISO/IEC 14496-12): ``ftyp`` says "MP4" for sound and video
# alike; each track's ``hdlr`` box (moov/trak/mdia/hdlr) says what it carries (``vide``,
# ``soun``). The magic numbers alone call every MP4 a video.
_ISO_VIDEO = {"video/mp4", "video/quicktime", "video/3gpp", "video/x-m4v"}
_ISO_CONTAINERS = {b"moov", b"trak", b"mdia"}


def mp4_handlers(path: Path, max_boxes: int = 10_000) -> set[str]:
    """The handler types of an MP4's tracks (``vide``, ``soun``...); empty if unreadable."""
    found: set[str] = set()
    try:
        with path.open("rb") as f:
            end = path.stat().st_size
            ends = [end]
            for _ in range(max_boxes):
                pos = f.tell()
                while ends and pos >= ends[-1]:
                    ends.pop()
                if not ends:
                    break
                head = f.read(8)
                if len(head) < 8:
                    break
                size, kind = struct.unpack(">I4s", head)
                header = 8
                if size == 1:
                    size = struct.unpack(">Q", f.read(8))[0]
                    header = 16
                elif size == 0:
                    size = ends[-1] - pos
                if size < header:
                    break
                if kind in _ISO_CONTAINERS:
                    ends.append(pos + size)
                    continue
                if kind == b"hdlr":
                    body = f.read(min(size - header, 12))
                    if len(body) >= 12:
                        found.add(body[8:12].decode("latin-1"))
                f.seek(pos + size)
    except (OSError, struct.error):
        return set()
    return found


# ------------------------------------------------------------------ WebM (Matroska)
# What a browser's MediaRecorder writes everywhere but Safari. Element IDs from the Matroska
# specification (IETF RFC 9559, §5.1) and EBML (RFC 8794): the masters walked into, and the
# leaves read. A live recording's Segment and Clusters have "unknown size" (RFC 8794 §6.2):
# their children follow until the parent's end, so masters are entered, never skipped.
_MASTERS = {0x18538067, 0x1F43B675, 0x1654AE6B, 0xAE, 0x1549A966, 0xA0}
_EBML, _DOCTYPE = 0x1A45DFA3, 0x4282
_TIMECODE_SCALE, _DURATION, _TRACK_TYPE, _CLUSTER_TIME = 0x2AD7B1, 0x4489, 0x83, 0xE7
_BLOCKS = {0xA3, 0xA1}  # SimpleBlock, Block


@dataclass(frozen=True)
class WebM:
    video: bool
    audio: bool
    duration_s: float | None


def _vint(f: BinaryIO, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-size integer: (value, bytes read); None at the end of the file."""
    first = f.read(1)
    if not first:
        return None
    b = first[0]
    length = next((i + 1 for i in range(8) if b & (0x80 >> i)), 0)
    if length == 0:
        raise ValueError("invalid EBML length")
    rest = f.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = b if keep_marker else b & (0xFF >> length)
    for x in rest:
        value = (value << 8) | x
    if not keep_marker and value == (1 << (7 * length)) - 1:
        value = -1  # unknown size
    return value, length


def webm(path: Path, max_elements: int = 2_000_000) -> WebM | None:
    """The tracks and the duration of a WebM file, or None when it is not one. The duration
    is the header's when a muxer wrote it, else the last block's time (MediaRecorder writes
    none: its recording is live)."""
    video = audio = False
    scale, declared, last = 1_000_000, None, 0
    cluster = 0
    try:
        with path.open("rb") as f:
            head = _vint(f, True)
            if head is None or head[0] != _EBML:
                return None
            size = _vint(f, False)
            if size is None or size[0] < 0:
                return None
            header = f.read(size[0])
            if b"webm" not in header and _DOCTYPE.to_bytes(2, "big") not in header:
                return None
            for _ in range(max_elements):
                eid = _vint(f, True)
                if eid is None:
                    break
                size = _vint(f, False)
                if size is None:
                    break
                ident, n = eid[0], size[0]
                if ident in _MASTERS:
                    continue
                if n < 0:
                    break
                if ident in (_TIMECODE_SCALE, _TRACK_TYPE, _CLUSTER_TIME):
                    value = int.from_bytes(f.read(n), "big")
                    if ident == _TIMECODE_SCALE:
                        scale = value
                    elif ident == _TRACK_TYPE:
                        video |= value == 1
                        audio |= value == 2
                    else:
                        cluster = value
                elif ident == _DURATION and n in (4, 8):
                    declared = struct.unpack(">f" if n == 4 else ">d", f.read(n))[0]
                elif ident in _BLOCKS and n >= 4:
                    start = f.tell()
                    track = _vint(f, False)
                    rel = struct.unpack(">h", f.read(2))[0]
                    last = max(last, cluster + rel)
                    del track
                    f.seek(start + n)
                else:
                    f.seek(n, 1)
    except (ValueError, OSError, struct.error):
        return None
    if not (video or audio):
        return None
    seconds = declared * scale / 1e9 if declared else (last * scale / 1e9 if last else None)
    return WebM(video, audio, round(seconds, 3) if seconds else None)


def probe(path: Path, mime: str, kind: MediaKind, limits: Limits) -> Probe | Refusal:
    if kind is MediaKind.image:
        return probe_image(path, mime, limits)
    if mime in ("video/webm", "audio/webm"):
        found = webm(path)
        return Probe(duration_s=found.duration_s if found else None)
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
