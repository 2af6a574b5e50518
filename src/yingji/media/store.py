"""Where media bytes live: an interface, and the disk store behind it.

Uploads are received into a staging area on local disk (the probes read a real file), then
handed to an :class:`ObjectStore` under a key. :class:`DiskStore` keeps objects under a
directory (``YINGJI_MEDIA_DIR``); an object store (S3-compatible, a government cloud's
OSS) can implement the same four methods later without the rest of the domain changing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Protocol


class ObjectStore(Protocol):
    """Durable bytes under keys (``ab/cd/<sha256>.jpg``). Writing is atomic: a reader sees
    the whole object or none."""

    def put_file(self, key: str, source: Path) -> None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...


class DiskStore:
    """Objects as files under ``root/objects``; staging under ``root/uploads``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.staging = root / "uploads"

    def _path(self, key: str) -> Path:
        path = (self.objects / key).resolve()
        if not path.is_relative_to(self.objects.resolve()):
            raise ValueError(f"key outside the store: {key!r}")
        return path

    def _atomic_write(self, key: str, write: object) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as out:
            write(out)  # type: ignore[operator]  # a callable taking the open file
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def put_file(self, key: str, source: Path) -> None:
        def copy(out: BinaryIO) -> None:
            with source.open("rb") as src:
                shutil.copyfileobj(src, out, 1024 * 1024)

        self._atomic_write(key, copy)

    def put_bytes(self, key: str, data: bytes) -> None:
        self._atomic_write(key, lambda out: out.write(data))

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def remove(self, key: str) -> None:
        """Delete an object (a retention purge); absent is fine."""
        self._path(key).unlink(missing_ok=True)

    # ---- staging (always local: the probes need a file)
    def staged(self, upload_id: int) -> Path:
        return self.staging / f"{int(upload_id)}.part"

    def write_at(self, upload_id: int, offset: int, data: bytes) -> None:
        """Write a chunk at ``offset`` of the staged file (made on the first chunk)."""
        path = self.staged(upload_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        # (writers of one upload are serialised by its row lock: see media.service.put_chunk)
        with path.open("r+b" if path.exists() else "w+b") as f:
            f.seek(offset)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())

    def drop_staged(self, upload_id: int) -> None:
        self.staged(upload_id).unlink(missing_ok=True)
