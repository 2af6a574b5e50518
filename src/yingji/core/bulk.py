"""Bulk inserts straight to the database driver, for the intake writer's hot path.

SQLAlchemy's executemany builds a parameter dictionary per row, runs every value through its
type's processors one call at a time and wraps the driver's call in its execution context;
for the half dozen rows the intake writer inserts per report that was about a tenth of a
server's time under load (py-spy, ``yingji bench intake``). Here a table's statement is built
once per dialect and column list, each column's processor (the same SQLAlchemy would use,
from the type's public ``bind_processor``) is looked up once, and the rows go to the
driver's own ``executemany`` as tuples, on the session's connection and inside its
transaction. Every column but a serial ``id`` must be given: column defaults are not applied.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table, text

Processor = Callable[[Any], Any]

_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


@dataclass(frozen=True)
class _Statement:
    sql: str
    copy_sql: str  # PostgreSQL: the same columns by COPY
    names: tuple[str, ...]
    processors: tuple[tuple[int, Processor], ...]  # (position, processor) where one is needed

    def params(self, rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
        """Each row's values in column order, through the columns' processors (None too, as
        SQLAlchemy does: a JSON column stores ``null`` for it)."""
        names, processors, width = self.names, self.processors, len(self.names)
        out = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"bulk rows must all name the same columns: {sorted(row)}")
            values = [row[n] for n in names]
            for i, process in processors:
                values[i] = process(values[i])
            out.append(values)
        return out


@lru_cache(maxsize=256)
def _statement(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Statement:
    missing = [
        c.name
        for c in table.columns
        if c.name not in names and not (c.primary_key and c.name == "id")
    ]
    if missing:
        raise ValueError(f"bulk insert into {table.name} lacks columns: {', '.join(missing)}")
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(dialect.identifier_preparer.quote(n) for n in names)
    name = dialect.identifier_preparer.format_table(table)
    sql = f"INSERT INTO {name} ({columns}) VALUES ({', '.join([mark] * len(names))})"
    copy_sql = f"COPY {name} ({columns}) FROM STDIN"
    return _Statement(sql, copy_sql, names, _processors(dialect, table, names))


def _processors(
    dialect: Dialect, table: Table, names: tuple[str, ...]
) -> tuple[tuple[int, Processor], ...]:
    """(position, the column type's own bind processor) for each column that has one."""
    out = []
    for i, name in enumerate(names):
        process = table.columns[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            out.append((i, process))
    return tuple(out)


@lru_cache(maxsize=256)
def _update_statement(dialect: Dialect, table: Table, names: tuple[str, ...]) -> _Statement:
    """``UPDATE table SET <names but id> WHERE id = ?``, parameters in ``names`` order with
    ``id`` moved last."""
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    quote = dialect.identifier_preparer.quote
    columns = tuple(n for n in names if n != "id")
    sets = ", ".join(f"{quote(n)} = {mark}" for n in columns)
    sql = f"UPDATE {dialect.identifier_preparer.format_table(table)} SET {sets} WHERE id = {mark}"
    ordered = (*columns, "id")
    return _Statement(sql, "", ordered, _processors(dialect, table, ordered))


def update_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Update rows by ``id``: each row names its ``id`` and the same columns to set."""
    if not rows:
        return
    names = tuple(rows[0])
    if "id" not in names:
        raise ValueError(f"bulk update of {table.name} needs each row's id")
    statement = _update_statement(conn.dialect, table, names)
    cursor = _cursor(conn)
    try:
        cursor.executemany(statement.sql, statement.params(rows))
    finally:
        cursor.close()


def _cursor(conn: Connection) -> Any:
    """A cursor of the driver connection under ``conn`` (in its transaction): sqlite3's, or
    psycopg 3's, whose ``copy`` the PostgreSQL path uses."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver != "psycopg":
        raise RuntimeError(f"PostgreSQL needs the psycopg driver, not {conn.dialect.driver}")
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # a live connection always has its driver connection


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that all name the same columns (every column but a serial ``id``).

    On PostgreSQL by ``COPY … FROM STDIN``: about a quarter less of the server's CPU per row
    than psycopg's pipelined executemany, which parsed, dumped and synced each row in Python
    (17 % of a server's time on PostgreSQL, py-spy)."""
    if not rows:
        return
    statement = _statement(conn.dialect, table, tuple(rows[0]))
    cursor = _cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(statement.copy_sql) as copy:
                for values in statement.params(rows):
                    copy.write_row(values)
        else:
            cursor.executemany(statement.sql, statement.params(rows))
    finally:
        cursor.close()


def insert_with_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows into a table with a serial ``id`` and answer their ids, in the rows' order.

    On PostgreSQL the ids are drawn from the table's sequence first (one query) and the rows
    go in with them by ``COPY``; on SQLite each row is one
    execution of a cached statement, its id the cursor's ``lastrowid``. Both keep one
    statement text per table, which the drivers prepare once (a multi-row
    ``INSERT … RETURNING`` is a new text for every batch size). Adds ``id`` to each row on
    PostgreSQL.
    """
    if not rows:
        return []
    if conn.dialect.name == "postgresql":
        ids = sorted(conn.execute(_NEXT_IDS, {"table": table.name, "n": len(rows)}).scalars())
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        insert_rows(conn, table, rows)
        return ids
    statement = _statement(conn.dialect, table, tuple(rows[0]))
    cursor = _cursor(conn)
    try:
        out = []
        for values in statement.params(rows):
            cursor.execute(statement.sql, values)
            out.append(cursor.lastrowid)
        return out
    finally:
        cursor.close()
