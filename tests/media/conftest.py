"""Real small files made in the test: PNG and JPEG by Pillow, WAV by the stdlib ``wave``, an
MP4 box by box (ISO/IEC 14496-12: ``ftyp`` then ``moov`` holding ``mvhd``)."""

from __future__ import annotations

import io
import struct
import wave

from PIL import Image


def png(w: int = 64, h: int = 48, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (w, h), colour).save(out, "PNG")
    return out.getvalue()


def jpeg(w: int = 800, h: int = 600) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", (w, h), (20, 90, 160))
    for x in range(0, w, 40):  # some detail, so the file is not trivially small
        img.paste((250, 250, 0), (x, 0, x + 10, h))
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(rate * seconds))
    return out.getvalue()


def _box(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", 8 + len(data)) + kind + data


def mp4(seconds: float, timescale: int = 1000) -> bytes:
    """The smallest MP4 whose duration a reader can take from the container: an ``ftyp`` and
    a ``moov`` with its movie header (version 0: times, timescale, duration, rate, volume,
    reserved, matrix, pre-defined, next track id)."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    mvhd = _box(
        b"mvhd",
        bytes(4) + struct.pack(">IIII", 0, 0, timescale, int(seconds * timescale))
        + struct.pack(">IH", 0x00010000, 0x0100) + bytes(10) + bytes(36) + bytes(24)
        + struct.pack(">I", 2),
    )  # fmt: skip
    return ftyp + _box(b"moov", mvhd)


def _ebml(ident: int, data: bytes, unknown: bool = False) -> bytes:
    """One EBML element (RFC 8794): the ID as written, the size in its shortest form (one
    byte below 127, as muxers write it), or "unknown" (eight bytes of ones)."""
    raw = ident.to_bytes((ident.bit_length() + 7) // 8, "big")
    if unknown:
        size = b"\x01\xff\xff\xff\xff\xff\xff\xff"
    elif len(data) < 127:
        size = bytes([0x80 | len(data)])
    else:
        size = b"\x01" + len(data).to_bytes(7, "big")
    return raw + size + data


def webm(seconds: float, *, video: bool = False) -> bytes:
    """A WebM as MediaRecorder writes it: unknown-size Segment and Cluster, no Duration,
    one track (audio, or video), SimpleBlocks every 100 ms up to ``seconds``."""
    header = _ebml(0x1A45DFA3, _ebml(0x4282, b"webm"))
    track = _ebml(0xAE, _ebml(0xD7, b"\x01") + _ebml(0x83, b"\x01" if video else b"\x02"))
    info = _ebml(0x1549A966, _ebml(0x2AD7B1, (1_000_000).to_bytes(3, "big")))
    blocks = b"".join(
        _ebml(0xA3, b"\x81" + struct.pack(">h", ms) + b"\x80" + bytes(40))
        for ms in range(0, int(seconds * 1000) + 1, 100)
    )
    cluster = _ebml(0x1F43B675, _ebml(0xE7, b"\x00") + blocks, unknown=True)
    return header + _ebml(0x18538067, info + _ebml(0x1654AE6B, track) + cluster, unknown=True)
