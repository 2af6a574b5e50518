"""SQLite's write-ahead log copied into the database file by a thread of its own.

In WAL mode every commit appends to the log, and by default the connection whose commit
takes the log past 1,000 pages copies it back into the database file there and then
(a checkpoint). In the intake that connection is the writer's: every few hundred reports
one batch also paid for the copy — a few megabytes — and the reports waiting on that batch
saw it as latency. Here a thread with its own connection runs a ``PASSIVE`` checkpoint twice
a second; ``PASSIVE`` never blocks a writer or a reader and copies what no open reader
still needs. The stdlib driver leaves the GIL while SQLite works, so the copy runs on
another core beside the request loop. Writers still checkpoint themselves past
:data:`BACKSTOP_PAGES` (set on every connection by :mod:`yingji.core.db`), should this
thread fall behind or be stopped.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass

from sqlalchemy import Engine

log = logging.getLogger(__name__)

BACKSTOP_PAGES = 10_000  # ~40 MB of log at SQLite's 4 KiB pages
FAILURE_LOG_EVERY_S = 60.0  # a failing checkpoint is logged at most this often


@dataclass(frozen=True)
class CheckpointResult:
    """What ``PRAGMA wal_checkpoint`` answers: whether it was kept from finishing, the
    frames in the log and how many of them are in the database file now."""

    busy: bool
    log_frames: int
    checkpointed_frames: int


def sqlite_file(engine: Engine) -> str | None:
    """The database file of a file-backed SQLite engine; None for PostgreSQL or memory."""
    if engine.dialect.name != "sqlite":
        return None
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return path


class WalCheckpointer:
    """Checkpoints one SQLite file's log every ``interval_s`` until stopped."""

    def __init__(self, path: str, interval_s: float) -> None:
        self.path = path
        self.interval_s = interval_s
        self.last: CheckpointResult | None = None
        self.runs = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the checkpoint under way, if any (blocks: from async code, call it in
        a worker thread)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout_s)
        if self._thread.is_alive():  # kept, so ``running`` tells the truth
            log.warning("SQLite checkpoint of %s still running after %.0f s", self.path, timeout_s)
            return
        self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, check_same_thread=False)
        logged_at = -FAILURE_LOG_EVERY_S
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    self.last = checkpoint(conn)
                    self.runs += 1
                except sqlite3.Error:  # a locked or vanished file: try again next time
                    if time.monotonic() - logged_at >= FAILURE_LOG_EVERY_S:
                        logged_at = time.monotonic()
                        log.warning("SQLite checkpoint of %s failed", self.path, exc_info=True)
        finally:
            conn.close()


def checkpoint(conn: sqlite3.Connection) -> CheckpointResult:
    """One ``PASSIVE`` checkpoint on ``conn``."""
    busy, log_frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return CheckpointResult(bool(busy), log_frames, done)


def start_for(engine: Engine, interval_s: float) -> WalCheckpointer | None:
    """A started checkpointer for a file-backed SQLite engine (None otherwise, or when
    ``interval_s`` is 0: the writers then checkpoint past the backstop alone)."""
    path = sqlite_file(engine)
    if path is None or interval_s <= 0:
        return None
    checkpointer = WalCheckpointer(path, interval_s)
    checkpointer.start()
    return checkpointer
