"""The one per-database cache (core.cache): timed and versioned slots, databases apart."""

from __future__ import annotations

import threading
import time

import pytest

from yingji.core import cache as cache_module
from yingji.core.cache import DatabaseCache
from yingji.core.db import Database


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def databases(tmp_path):
    a = Database(f"sqlite:///{tmp_path / 'a.db'}")
    b = Database(f"sqlite:///{tmp_path / 'b.db'}")
    yield a, b
    a.engine.dispose()
    b.engine.dispose()


def counter():
    calls = []

    def build():
        calls.append(1)
        return len(calls)

    return build, calls


def test_a_timed_slot_is_rebuilt_once_older_than_its_age(clock, databases):
    db, _ = databases
    c = DatabaseCache()
    build, calls = counter()
    assert c.get(db, "s", build, max_age_s=30.0) == 1
    clock[0] += 29.999
    assert c.get(db, "s", build, max_age_s=30.0) == 1
    clock[0] += 0.001  # exactly 30 s old: rebuilt
    assert c.get(db, "s", build, max_age_s=30.0) == 2
    assert len(calls) == 2


def test_a_versioned_slot_is_rebuilt_when_the_version_moves_only(clock, databases):
    db, _ = databases
    c = DatabaseCache()
    build, calls = counter()
    assert c.get(db, "s", build, version=7) == 1
    clock[0] += 10_000
    assert c.get(db, "s", build, version=7) == 1
    assert c.get(db, "s", build, version=8) == 2
    assert c.peek(db, "s").version == 8
    assert len(calls) == 2


def test_a_hit_confirms_the_entry(clock, databases):
    db, _ = databases
    c = DatabaseCache()
    c.get(db, "s", lambda: "x", version=1)
    clock[0] += 5
    c.get(db, "s", lambda: "y", version=1)
    entry = c.peek(db, "s")
    assert (entry.value, entry.built_at_s, entry.checked_at_s) == ("x", 1000.0, 1005.0)


def test_databases_and_slots_are_kept_apart(databases):
    a, b = databases
    c = DatabaseCache()
    assert c.get(a, "s", lambda: "a") == "a"
    assert c.get(b, "s", lambda: "b") == "b"
    assert c.get(a, "t", lambda: "t") == "t"
    with a.session() as session:  # a session names its database as the Database does
        assert c.get(session, "s", lambda: "other") == "a"
    c.clear("s")
    assert c.peek(a, "s") is None and c.peek(b, "s") is None
    assert c.peek(a, "t").value == "t"
    c.clear()
    assert c.peek(a, "t") is None


def test_threads_that_miss_together_build_once(databases):
    db, _ = databases
    c = DatabaseCache()
    calls = []
    start = threading.Barrier(8)

    def build():
        calls.append(1)
        time.sleep(0.05)
        return "built"

    def reader(out):
        start.wait()
        out.append(c.get(db, "s", build, version=1))

    out: list[str] = []
    threads = [threading.Thread(target=reader, args=(out,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == ["built"] * 8
    assert len(calls) == 1
