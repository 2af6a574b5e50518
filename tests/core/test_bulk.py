"""Bulk inserts straight to the driver store exactly what SQLAlchemy's own insert stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite

from yingji.core.bulk import insert_rows, insert_with_ids, update_rows
from yingji.core.db import Database, JSONType, UTCDateTime, postgres_driver

BigId = BigInteger().with_variant(Integer, "sqlite")


@pytest.fixture
def scratch(database: Database) -> Iterator[Table]:
    table = Table(
        f"bulk_{uuid.uuid4().hex[:8]}",
        MetaData(),
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("at", UTCDateTime, nullable=True),
        Column("data", JSONType, nullable=False),
        Column("flag", Boolean, nullable=False),
        Column("score", Float, nullable=True),
        Column("count", Integer, nullable=True),
        Column("name", String(64), nullable=False),
    )
    table.create(database.engine)
    yield table
    table.drop(database.engine)


def _data(k: int) -> object:
    if k == 6:
        return None  # JSON null, as SQLAlchemy stores it
    return {"steps": [{"k": k, "名": "定位"}], "n": None} if k % 2 else [k, "x"]


def _rows(n: int) -> list[dict]:
    east8 = timezone(timedelta(hours=8))
    return [
        {
            "at": None if k % 5 == 4 else datetime(2026, 7, 1, 8, 0, k, k * 1000, tzinfo=east8),
            "data": None
            if k == 6
            else {"steps": [{"k": k, "名": "定位"}], "n": None}
            if k % 2
            else [k, "x"],
            "flag": bool(k % 3),
            "score": None if k % 4 == 0 else k / 3,
            "count": k,
            "name": f"'; DROP TABLE x; -- {k} <b>",
        }
        for k in range(n)
    ]


def test_stores_what_sqlalchemy_stores(database: Database, scratch: Table) -> None:
    columns = [c for c in scratch.columns if c.name != "id"]
    with database.engine.begin() as conn:
        ids = insert_with_ids(conn, scratch, _rows(7))
        insert_rows(conn, scratch, _rows(7))
        conn.execute(insert(scratch), _rows(7))
    with database.engine.connect() as conn:
        stored = conn.execute(select(scratch).order_by(scratch.c.id)).all()
        raw = conn.execute(
            select(*(text(f"CAST({c.name} AS TEXT)") for c in columns))
            .select_from(scratch)
            .order_by(scratch.c.id)
        ).all()
    assert [r.id for r in stored[:7]] == ids
    assert ids == sorted(ids) and len(set(ids)) == 7
    ours, theirs = stored[:14], stored[14:]
    assert [r[1:] for r in ours] == [r[1:] for r in theirs] * 2
    # byte for byte in the database too (SQLite's DATETIME text, JSON text)
    assert raw[:7] == raw[7:14] == raw[14:]
    assert stored[0].at == datetime(2026, 7, 1, 0, 0, 0, tzinfo=UTC)


def test_every_column_must_be_given(database: Database, scratch: Table) -> None:
    row = _rows(1)[0]
    del row["score"]
    with database.engine.begin() as conn, pytest.raises(ValueError, match="score"):
        insert_rows(conn, scratch, [row])


def test_a_naive_timestamp_is_refused(database: Database, scratch: Table) -> None:
    row = _rows(1)[0] | {"at": datetime(2026, 7, 1, 8, 0)}
    with database.engine.begin() as conn, pytest.raises(ValueError, match="naive"):
        insert_rows(conn, scratch, [row])


def test_nothing_is_written_when_nothing_is_given(database: Database, scratch: Table) -> None:
    with database.engine.begin() as conn:
        assert insert_with_ids(conn, scratch, []) == []
        insert_rows(conn, scratch, [])
        assert conn.execute(select(scratch)).all() == []


ZONES = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))]


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))]
        ),
    )
)
def test_sqlite_timestamps_keep_sqlalchemys_text(value: datetime) -> None:
    """UTCDateTime's one-step SQLite processor writes the text SQLAlchemy's DATETIME did."""
    dialect = sqlite.dialect()
    ours = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    theirs = DateTime().dialect_impl(dialect).bind_processor(dialect)
    assert ours is not None and theirs is not None
    assert ours(value) == theirs(value.astimezone(UTC).replace(tzinfo=None))


def test_updates_store_what_sqlalchemy_stores(database: Database, scratch: Table) -> None:
    """Rows k and k+3 get the same change, by ``update_rows`` and by SQLAlchemy's update."""
    with database.engine.begin() as conn:
        ids = insert_with_ids(conn, scratch, _rows(6))
    later = _rows(5)[2:5]  # other values than each row had
    changes = [
        {"id": row_id, **{k: later[k_ % 3][k] for k in ("at", "data", "flag", "score")}}
        for k_, row_id in enumerate(ids)
    ]
    with database.engine.begin() as conn:
        update_rows(conn, scratch, changes[:3])
        conn.execute(
            update(scratch).where(scratch.c.id == bindparam("_id")),
            [{"_id": c["id"], **{k: v for k, v in c.items() if k != "id"}} for c in changes[3:]],
        )
    updated = ("at", "data", "flag", "score")
    with database.engine.connect() as conn:
        raw = conn.execute(
            select(*(text(f"CAST({c} AS TEXT)") for c in updated))
            .select_from(scratch)
            .order_by(scratch.c.id)
        ).all()
        typed = conn.execute(select(*(scratch.c[c] for c in updated)).order_by(scratch.c.id)).all()
    assert raw[:3] == raw[3:]
    for change, row in zip(changes, typed, strict=True):
        assert tuple(row) == tuple(change[c] for c in updated)


def test_an_update_needs_the_id(database: Database, scratch: Table) -> None:
    with database.engine.begin() as conn, pytest.raises(ValueError, match="id"):
        update_rows(conn, scratch, [{"flag": True}])


def test_rows_written_in_a_session_roll_back_with_it(database: Database, scratch: Table) -> None:
    with database.session() as session:
        insert_with_ids(session.connection(), scratch, _rows(3))
        insert_rows(session.connection(), scratch, _rows(3))
        assert session.execute(select(scratch)).all()
        session.rollback()
    with database.engine.connect() as conn:
        assert conn.execute(select(scratch)).all() == []


def test_rows_must_all_name_the_same_columns(database: Database, scratch: Table) -> None:
    rows = _rows(2)
    rows[1]["extra"] = 1
    with database.engine.begin() as conn, pytest.raises(ValueError, match="same columns"):
        insert_rows(conn, scratch, rows)


def test_a_repeated_hour_keeps_both_instants() -> None:
    """01:30 happens twice in New York on 2024-11-03 (``fold`` 0 and 1): equal to Python,
    an hour apart in UTC, whichever is written first."""
    dialect = sqlite.dialect()
    process = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    zone = ZoneInfo("America/New_York")
    first = datetime(2024, 11, 3, 1, 30, tzinfo=zone)
    second = first.replace(fold=1)
    assert first == second
    for a, b in ((first, second), (second, first)):
        assert process(a) != process(b)
    assert process(first) == "2024-11-03 05:30:00.000000"
    assert process(second) == "2024-11-03 06:30:00.000000"


def test_postgres_urls_get_the_platforms_driver() -> None:
    assert postgres_driver("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert postgres_driver("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert postgres_driver("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert postgres_driver("sqlite:///x.db") == "sqlite:///x.db"
