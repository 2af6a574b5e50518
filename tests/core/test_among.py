"""``core.db.among``: one statement text for "a column among a list", whatever its length,
answering the same rows as a plain ``IN`` on the database the suite runs on."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, insert, select

from yingji.core.db import among

metadata = MetaData()
things = Table(
    "among_things",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(8)),
    Column("n", BigInteger),
)
BY_CODE_AND_N = among(
    lambda code_among, n_among: select(things.c.id).where(code_among, n_among).order_by("id"),
    (things.c.code, "codes"),
    (things.c.n, "ns", BigInteger),
)


def test_the_same_rows_as_in_for_any_length(database):
    metadata.create_all(database.engine)
    try:
        with database.engine.begin() as conn:
            conn.execute(
                insert(things), [{"id": i, "code": f"c{i % 7}", "n": i} for i in range(1, 301)]
            )
            stmt = BY_CODE_AND_N.on(conn)
            for codes, ns in (
                (["c1"], [1, 8, 9]),
                ([f"c{i}" for i in range(7)], list(range(0, 400, 3))),
                ([], [1]),
            ):
                plain = (
                    select(things.c.id)
                    .where(things.c.code.in_(codes), things.c.n.in_(ns))
                    .order_by("id")
                )
                got = conn.execute(stmt, {"codes": codes, "ns": ns}).scalars().all()
                assert got == conn.execute(plain).scalars().all()
            text = str(stmt.compile(conn))
            assert ("json_each" in text) == (conn.dialect.name == "sqlite")
            assert ("ANY" in text) == (conn.dialect.name == "postgresql")
    finally:
        metadata.drop_all(database.engine)
