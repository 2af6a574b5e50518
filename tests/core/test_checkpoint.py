"""The SQLite log is checkpointed by the server's own thread, not by the commits of the
intake writer (whose waiting reports saw each checkpoint as latency)."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from yingji.app import create_app
from yingji.config import Settings
from yingji.core import checkpoint
from yingji.core.db import Database, make_engine

metadata = MetaData()
rows = Table("rows", metadata, Column("id", Integer, primary_key=True), Column("text", String))


def _write(engine, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` commits of 100 rows of 1 KB each: about 30 pages per commit."""
    for _ in range(count):
        with engine.begin() as conn:
            conn.execute(insert(rows), [{"text": "应" * 340} for _ in range(100)])


def _wait(predicate, timeout_s: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_commits_leave_the_log_to_the_checkpointer(tmp_path: Path) -> None:
    """Past SQLite's default of 1,000 pages a commit would copy the log itself; below the
    backstop it does not, and the checkpointer's thread moves every row into the file."""
    path = tmp_path / "c.db"
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    _write(engine, 60)  # ~1,800 pages: past the default threshold
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 1_000 * 4096
    file_before = path.stat().st_size
    assert file_before < 100 * 4096  # the rows are still only in the log

    checkpointer = checkpoint.WalCheckpointer(str(path), interval_s=0.05)
    checkpointer.start()
    try:
        assert _wait(lambda: checkpointer.last is not None and checkpointer.last.log_frames > 0)
        last = checkpointer.last
        assert last is not None and not last.busy
        assert last.checkpointed_frames == last.log_frames
        assert path.stat().st_size > file_before + 1_000 * 4096  # now in the file itself
        with engine.connect() as conn:  # and nothing lost on the way
            assert len(conn.execute(select(rows.c.id)).all()) == 6_000
    finally:
        checkpointer.stop()
        engine.dispose()
    assert not checkpointer.running


def test_a_reader_holding_a_snapshot_does_not_block_writers(tmp_path: Path) -> None:
    """PASSIVE: with a reader in the middle of a transaction the checkpoint copies what it
    can and says so, and writers carry on."""
    path = tmp_path / "r.db"
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    _write(engine, 5)
    checkpointer = checkpoint.WalCheckpointer(str(path), interval_s=0.05)
    reader = sqlite3.connect(path, isolation_level=None)  # BEGIN as written, not deferred
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM rows").fetchone() == (500,)
    checkpointer.start()
    try:
        _write(engine, 5)  # written while the reader holds its snapshot
        assert _wait(lambda: checkpointer.runs >= 2)
        last = checkpointer.last
        assert last is not None and last.checkpointed_frames < last.log_frames
        assert reader.execute("SELECT count(*) FROM rows").fetchone() == (500,)
    finally:
        checkpointer.stop()
        reader.execute("COMMIT")
        reader.close()
    with engine.connect() as conn:
        assert len(conn.execute(select(rows.c.id)).all()) == 1_000
    engine.dispose()


def test_only_file_backed_sqlite_gets_one() -> None:
    assert checkpoint.sqlite_file(make_engine("sqlite://")) is None
    assert checkpoint.sqlite_file(make_engine("sqlite:///:memory:")) is None
    pg = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/none")
    assert checkpoint.sqlite_file(pg) is None
    assert checkpoint.start_for(make_engine("sqlite:///x.db"), 0) is None


def test_the_server_runs_it_while_it_serves(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'yingji.db'}"
    settings = Settings(
        database_url=url,
        data_dir=tmp_path,
        secret_key="test-secret-key-" + "x" * 32,
        sqlite_checkpoint_interval_s=0.05,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        running = app.state.checkpointer
        assert running is not None and running.path == str(tmp_path / "yingji.db")
        assert _wait(lambda: running.runs > 0)
    assert not running.running  # stopped with the server
    assert os.path.exists(tmp_path / "yingji.db")


def test_tools_without_a_server_checkpoint_past_the_backstop(tmp_path: Path) -> None:
    """Tools that open the database without a server (demo load, migrations) have no
    checkpointer thread: their commits copy the log past the backstop (and SQLite does on
    the last close)."""
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == checkpoint.BACKSTOP_PAGES
    db.dispose()
