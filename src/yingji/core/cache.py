"""One process-wide cache of what is read often from a database and changes rarely.

The organisation as intake routes by it, command's directory of parties, the nearby-resource
indexes, the supplies catalogue and the grid's locate index each used to keep a dictionary of
their own, keyed by the database URL. They are served from here: one cache keyed by the
database (its URL with the password hidden, as ``Database.cache_key``; a process may serve
several, as the tests and the benches do), and by the slot's name.

A slot is either *timed* (``max_age_s``: rebuilt once older than that) or *versioned*
(``version``: rebuilt when the caller's current version differs, e.g. a revision counter
bumped by every write), or both. Readers never block: a hit is one dictionary read. A
rebuild runs under the slot's own lock, and a second thread that waited for it takes the new
entry instead of building again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from yingji.core.db import Database

T = TypeVar("T")


@dataclass
class Entry:
    """A cached value, with the version it was built for and when it was built and last
    confirmed current (``time.monotonic`` seconds)."""

    value: Any
    version: Hashable
    built_at_s: float
    checked_at_s: float


def database_key(db: Session | Database) -> str:
    """The name of the database a session (or a ``Database``) talks to."""
    if isinstance(db, Session):
        return db.get_bind().engine.url.render_as_string(hide_password=True)
    return db.cache_key


class DatabaseCache:
    """Entries by (database, slot name)."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], Entry] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, slot: tuple[str, str]) -> threading.Lock:
        lock = self._locks.get(slot)
        if lock is None:
            with self._guard:
                lock = self._locks.setdefault(slot, threading.Lock())
        return lock

    def peek(self, db: Session | Database | str, name: str) -> Entry | None:
        """The entry as it is, fresh or not (None if never built)."""
        key = db if isinstance(db, str) else database_key(db)
        return self._entries.get((key, name))

    def get(
        self,
        db: Session | Database,
        name: str,
        build: Callable[[], T],
        *,
        max_age_s: float | None = None,
        version: Hashable = None,
        key: str | None = None,
    ) -> T:
        """The slot's value if it is current (younger than ``max_age_s``, built for
        ``version``), else ``build()``'s, which is kept."""
        slot = (key or database_key(db), name)
        entry = self._entries.get(slot)
        now_s = time.monotonic()
        if entry is not None and _current(entry, now_s, max_age_s, version):
            entry.checked_at_s = now_s
            return entry.value
        with self._lock(slot):
            entry = self._entries.get(slot)  # another thread may have rebuilt it meanwhile
            if entry is not None and _current(entry, time.monotonic(), max_age_s, version):
                return entry.value
            value = build()
            now_s = time.monotonic()
            self._entries[slot] = Entry(value, version, now_s, now_s)
            return value

    def clear(self, prefix: str = "") -> None:
        """Drop the slots whose name starts with ``prefix`` (all of them by default), in
        every database: for tests, and data loaded without revision bumps."""
        with self._guard:
            for slot in [s for s in self._entries if s[1].startswith(prefix)]:
                del self._entries[slot]


def _current(entry: Entry, now_s: float, max_age_s: float | None, version: Hashable) -> bool:
    if entry.version != version:
        return False
    return max_age_s is None or now_s - entry.built_at_s < max_age_s


CACHE = DatabaseCache()
"""The one cache of the process."""
