"""The alarm spool: what was accepted while the database could not be reached.

An alarm is never refused because the database is down. The request appends the alarm, as
one JSON line, to this process's spool file and ``fsync``s it before the 202 goes out, so
an acknowledged alarm survives a crash of the process or the machine (POSIX ``fsync``: the
data is on the device when it returns). When the database answers again, :meth:`Spool.
replay` takes each file and writes its alarms through the normal path; the idempotency key
(unique in ``alarm_alarm``) makes every replay exactly once in the database however often a
file is replayed, after a crash in the middle of one too. A file is removed only when each
of its lines is in the database.

Each process appends to a file of its own, holding an exclusive ``flock`` on it for its life;
a replayer takes another process's file only when it can lock it (that process is gone).
A torn last line (a crash in the middle of a write) was never acknowledged and is skipped.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import orjson

log = logging.getLogger("yingji.alarm")

ACTIVE_SUFFIX = ".log"
REPLAY_SUFFIX = ".replaying"


class Spool:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self.appended = 0
        self.replayed = 0

    def _open(self) -> BinaryIO:
        if self._file is None:
            self.dir.mkdir(parents=True, exist_ok=True)
            name = f"{socket.gethostname()[:24]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            self._path = self.dir / f"{name}{ACTIVE_SUFFIX}"
            f = self._path.open("ab")
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._fsync_dir()
            self._file = f
        return self._file

    def _fsync_dir(self) -> None:
        fd = os.open(self.dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def append(self, entry: dict[str, Any]) -> None:
        """Write one alarm and wait until it is on disk."""
        line = orjson.dumps(entry) + b"\n"
        with self._lock:
            f = self._open()
            f.write(line)
            f.flush()
            os.fsync(f.fileno())
            self.appended += 1

    def pending(self) -> bool:
        """Anything to replay: this process's file, or a file left by another."""
        if self._file is not None:
            return True
        if not self.dir.is_dir():
            return False
        return any(p.suffix in (ACTIVE_SUFFIX, REPLAY_SUFFIX) for p in self.dir.iterdir())

    def _take_own(self) -> Path | None:
        """Close this process's active file and set it aside for replay (new alarms start a
        new file), if it holds anything."""
        with self._lock:
            if self._file is None or self._path is None:
                return None
            f, path = self._file, self._path
            self._file, self._path = None, None
            f.close()
            if path.stat().st_size == 0:
                path.unlink(missing_ok=True)
                return None
            target = path.with_suffix(REPLAY_SUFFIX)
            os.replace(path, target)
            return target

    def _take_foreign(self) -> list[tuple[Path, BinaryIO]]:
        """Files of processes that are gone (their lock is free), locked for this replay."""
        out: list[tuple[Path, BinaryIO]] = []
        if not self.dir.is_dir():
            return out
        for p in sorted(self.dir.iterdir()):
            if p.suffix not in (ACTIVE_SUFFIX, REPLAY_SUFFIX) or p == self._path:
                continue
            f: BinaryIO = p.open("rb")
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            out.append((p, f))
        return out

    def replay(self, write: Callable[[dict[str, Any]], None]) -> int:
        """Write every spooled alarm with ``write`` (which commits it, or raises). Stops at the
        first failure (the database is still away): the file stays and is tried again."""
        done = 0
        own = self._take_own()
        files = self._take_foreign()
        if own is not None and all(p != own for p, _ in files):
            mine: BinaryIO = own.open("rb")
            fcntl.flock(mine.fileno(), fcntl.LOCK_EX)
            files.append((own, mine))
        try:
            for path, held in files:
                held.seek(0)
                for raw in held.read().splitlines():
                    try:
                        entry = orjson.loads(raw)
                    except orjson.JSONDecodeError:
                        log.warning("alarm spool %s: a torn line skipped", path.name)
                        continue
                    write(entry)
                    done += 1
                path.unlink(missing_ok=True)
        finally:
            for _, held in files:
                held.close()
            with self._lock:
                self.replayed += done
        return done


def entry(payload: dict[str, Any], *, client_addr: str, received_at: datetime) -> dict[str, Any]:
    return {"payload": payload, "client_addr": client_addr,
            "received_at": received_at.astimezone(UTC).isoformat()}  # fmt: skip
