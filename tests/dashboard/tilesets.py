"""Small tile sets made in the test: an XYZ directory and the same tiles in an MBTiles file."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from pathlib import Path


def png(rgb: tuple[int, int, int], size: int = 256, mark: bool = True) -> bytes:
    """A plain PNG of one colour with a darker frame (tile edges show in a screenshot)."""
    r, g, b = rgb
    fill = bytes((r, g, b))
    edge = bytes((max(r - 60, 0), max(g - 60, 0), max(b - 60, 0)))
    framed = b"\x00" + edge * size
    plain = b"\x00" + (edge * 2 + fill * (size - 2) if mark else fill * size)
    raw = (framed * 2 if mark else plain * 2) + plain * (size - 2)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


PALETTE = [(200, 230, 201), (187, 222, 251), (255, 236, 179), (225, 190, 231)]


def colour_of(z: int, x: int, y: int) -> tuple[int, int, int]:
    return PALETTE[(x + y + z) % len(PALETTE)]


def tiles_around(lon: float, lat: float, zooms: range, radius: int = 3):  # type: ignore[no-untyped-def]
    import math

    for z in zooms:
        n = 2**z
        cx = int((lon + 180) / 360 * n)
        cy = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        for x in range(max(cx - radius, 0), min(cx + radius + 1, n)):
            for y in range(max(cy - radius, 0), min(cy + radius + 1, n)):
                yield z, x, y


def write_xyz(root: Path, coords) -> int:  # type: ignore[no-untyped-def]
    count = 0
    for z, x, y in coords:
        path = root / str(z) / str(x) / f"{y}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(colour_of(z, x, y)))
        count += 1
    return count


def write_mbtiles(path: Path, coords) -> int:  # type: ignore[no-untyped-def]
    """MBTiles 1.3: ``metadata`` and ``tiles`` tables, rows counted from the south (TMS)."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    conn.execute(
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
        "tile_data BLOB)"
    )
    conn.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "test"), ("format", "png")])
    count = 0
    for z, x, y in coords:
        conn.execute(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, png(colour_of(z, x, y)))
        )
        count += 1
    conn.commit()
    conn.close()
    return count
