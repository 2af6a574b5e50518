"""Offline base-map tiles the platform serves itself (air-gapped government extranets, 政务
外网): an XYZ directory ``{z}/{x}/{y}.png`` (``.jpg``, ``.jpeg``, ``.webp``) or one MBTiles
file (the MBTiles 1.3 specification: an SQLite database with a ``tiles`` table whose rows
count from the south, TMS style, so ``tile_row = 2**z - 1 - y``)."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"RIFF", "image/webp"),
)


@dataclass(frozen=True)
class Tile:
    body: bytes
    media_type: str


def in_range(z: int, x: int, y: int) -> bool:
    return 0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z


def _sniff(body: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if body.startswith(magic):
            return media_type
    return None


class XyzDirectory:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def get(self, z: int, x: int, y: int) -> Tile | None:
        for ext, media_type in _TYPES.items():
            path = self.root / str(z) / str(x) / f"{y}.{ext}"
            if path.is_file():
                return Tile(path.read_bytes(), media_type)
        return None


class MBTiles:
    """Read-only, one connection per thread (sqlite3 connections stay in their thread)."""

    def __init__(self, path: Path) -> None:
        self.uri = f"{path.resolve().as_uri()}?mode=ro"
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
            self._local.conn = conn
        return conn

    def get(self, z: int, x: int, y: int) -> Tile | None:
        row = (
            self._conn()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? "
                "AND tile_row = ?",
                (z, x, 2**z - 1 - y),
            )
            .fetchone()
        )
        if row is None:
            return None
        body = bytes(row[0])
        media_type = _sniff(body)
        return None if media_type is None else Tile(body, media_type)


def open_store(path: Path) -> XyzDirectory | MBTiles:
    """The store for ``YINGJI_MAP_TILES_DIR``: a directory, or an ``.mbtiles`` file."""
    if path.is_dir():
        return XyzDirectory(path)
    if path.is_file():
        return MBTiles(path)
    raise ValueError(f"YINGJI_MAP_TILES_DIR is neither a directory nor a file: {path}")
