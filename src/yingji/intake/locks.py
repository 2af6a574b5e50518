"""PostgreSQL advisory locks of the intake write path (SQLite has one writer at a time).

A batch takes transaction-scoped advisory locks around the cells it may merge into (sorted,
so two processes never deadlock; one group for every category since issue 13, as a scene
spans categories), so two reports of one event written by two processes at once cannot
both found an incident. Every transaction that writes stream
events takes one more lock just before inserting them and holds it to commit, so event ids
are committed in increasing order: a reader that has seen id N has seen every id below N
that will ever exist.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from yingji.intake import merge, policy_store
from yingji.intake.config import IntakeSettings
from yingji.intake.policy import MergePolicy
from yingji.intake.prepare import Prepared

EVENT_LOCK_KEY = 5_941_320_117_001  # "the event table" (any constant shared by every process)


def is_postgres(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def advisory_lock(db: Session, key: int) -> None:
    db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (the same in every process)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def group_lock_key(group: str) -> int:
    return _lock_key(f"intake-merge:{group}")


def writer_group(category_code: str, prefix: int) -> str:
    """The merge group whose lock a writer batch takes for a report or incident of this
    category (held shared with cell locks, or exclusively): a duty officer's correction
    takes the same groups exclusively (``lock_groups``) to keep the writer out. Since
    reports of different categories may be one scene (issue 13) the writer locks one group
    for every category, so this is that group whatever the code."""
    return merge.ALL_GROUPS


def lock_groups(db: Session, groups: set[str], already: set[int] | None = None) -> set[int]:
    """Take the merge groups' locks exclusively (sorted, as the writer takes them), besides
    those ``already`` held; answers every key held now. PostgreSQL only."""
    held = set(already or ())
    keys = sorted({group_lock_key(g) for g in groups} - held)
    if keys:
        db.execute(_LOCK_ALL, {"keys": keys})
    return held | set(keys)


def cell_lock_key(name: str) -> int:
    return _lock_key(f"intake-merge-cell:{name}")


# Above this many cell locks a batch locks its groups whole instead: PostgreSQL's shared lock
# table holds max_locks_per_transaction × max_connections entries (6,400 by default).
MAX_CELL_LOCKS = 256


_LOCK_ALL = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) k")


_LOCK_ALL_SHARED = text(
    "SELECT count(pg_advisory_xact_lock_shared(k)) FROM unnest(CAST(:keys AS bigint[])) k"
)


def lock_merge_neighbourhoods(
    db: Session,
    items: list[Prepared],
    settings: IntakeSettings,
    prefix: int,
    policy: MergePolicy | None = None,
) -> str | None:
    """Take, before reading merge candidates, the locks that keep two processes from founding
    two incidents for one event (PostgreSQL; SQLite has one writer).

    Each batch holds its category groups' locks *shared* and, exclusively, the (group, lock
    cell) locks around its reports (``merge.lock_keys``): two reports that could merge always
    share a cell lock, and batches whose reports are far apart no longer take turns as they
    did with one exclusive lock per group. A batch needing more than ``MAX_CELL_LOCKS`` cells
    takes its groups' locks exclusively instead, which also excludes every cell-locking batch
    of those groups. Locks are taken in one order everywhere (groups, then cells, each sorted,
    then the event lock), so two batches never deadlock. Reports without a position never
    merge and are never candidates: they need no lock. Returns which way it locked
    (``"cells"`` or ``"groups"``), or None when nothing needed a lock.
    """
    pol = policy or policy_store.current(db)
    groups: set[str] = set()
    cells: set[str] = set()
    for p in items:
        if p.category.code and p.lon is not None and p.lat is not None:
            # one group for all since cross-category scenes merge (issue 13); each report
            # locks the cells its reach covers
            group = writer_group(p.category.code, prefix)
            groups.add(group)
            cells.update(merge.lock_keys(group, p.lon, p.lat, pol.reach_m(p.category.code)))
    if not groups:
        return None
    group_keys = sorted(group_lock_key(g) for g in groups)
    if len(cells) > MAX_CELL_LOCKS:
        db.execute(_LOCK_ALL, {"keys": group_keys})
        return "groups"
    db.execute(_LOCK_ALL_SHARED, {"keys": group_keys})
    db.execute(_LOCK_ALL, {"keys": sorted(cell_lock_key(c) for c in cells)})
    return "cells"
