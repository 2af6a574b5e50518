"""Database engine, sessions and column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, ClassVar, Generic, TypeVar

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    DateTime,
    Dialect,
    Engine,
    Executable,
    MetaData,
    String,
    Table,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from yingji.core.checkpoint import BACKSTOP_PAGES

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # every model is mapped to one Table (no mapping to a join or a select): typed so, the
    # bulk helpers' Core statements take ``Model.__table__`` as it is
    __table__: ClassVar[Table]


JSONType = JSON().with_variant(JSONB(), "postgresql")


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware datetime")
    return value.astimezone(UTC)


@lru_cache(maxsize=1024)
def _utc_text(value: datetime) -> str:
    """Memoised on the UTC instant: a batch writes its one ``now`` a dozen times per report
    (received, created, updated, linked, routed, timeline, event). Keyed after conversion,
    because two local times equal to Python can be an hour apart (``fold`` in a repeated
    hour of a clock change)."""
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no timezone type; storing naive UTC there and aware UTC on PostgreSQL keeps
    comparisons and ordering identical on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """PostgreSQL's path (SQLite's is :meth:`bind_processor`): aware, in UTC."""
        return None if value is None else _as_utc(value)

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """On SQLite, straight to the text SQLAlchemy's DATETIME stores there
        (``YYYY-MM-DD HH:MM:SS.ffffff``, UTC) in one call instead of two: the two-step chain
        was 5 % of the intake writer's time (py-spy, ``yingji bench intake``)."""
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def process(value: datetime | None) -> str | None:
            return None if value is None else _utc_text(_as_utc(value))

        return process

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    # a server checkpoints the log from a thread of its own (core.checkpoint); a commit
    # does it only past the backstop
    cur.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_PAGES}")
    cur.close()


def json_text(value: Any) -> str:
    """JSON columns' serializer: orjson, a tenth of ``json.dumps``'s time on the timeline and
    event payloads the intake writes per report (py-spy, ``yingji bench intake``)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with SQLite set up for a server (WAL, foreign keys, waiting on locks)."""
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(postgres_driver(url), **kwargs)


def postgres_driver(url: str) -> str:
    """A PostgreSQL URL with the platform's driver, psycopg 3 (``postgresql://`` and
    ``postgres://`` alone would mean psycopg2, which is not installed)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


S = TypeVar("S", bound=Executable)


@dataclass(frozen=True)
class Among(Generic[S]):
    """One statement in three forms for "a column among a list parameter" (one or more such
    conditions), built once, each one statement text whatever the list's length:

    - PostgreSQL: ``= ANY(:param)`` with an array, which psycopg caches (an expanding ``IN``
      of hundreds of values was a new long text per call, parsed anew: 7 % of a server's
      time, py-spy);
    - SQLite: ``IN (SELECT value FROM json_each(:param))`` with the list as JSON, which the
      planner answers from the column's index like a list of values (an expanding ``IN``
      was rendered anew per call: the candidate lookup of a batch of 32 reports, 288
      merge keys, took 244 µs that way and takes 83 µs so);
    - anything else: an expanding ``IN (...)``."""

    any_array: S
    json_each: S
    in_list: S

    def on(self, conn: Connection) -> S:
        name = conn.dialect.name
        if name == "postgresql":
            return self.any_array
        return self.json_each if name == "sqlite" else self.in_list


def among(
    build: Callable[..., S],
    *lists: tuple[ColumnElement[Any], str] | tuple[ColumnElement[Any], str, Any],
) -> Among[S]:
    """``build(condition, ...)`` in each form for each ``(column, param[, item type])``
    given: ``column`` among the list ``param`` (of strings unless a type is given)."""
    any_array, json_each, in_list = [], [], []
    for column, param, *item_type in lists:
        array = ARRAY(item_type[0] if item_type else String)
        any_array.append(column == any_(bindparam(param, type_=array)))
        values = func.json_each(bindparam(param, type_=JSON)).table_valued("value")
        json_each.append(column.in_(select(values.c.value)))
        in_list.append(column.in_(bindparam(param, expanding=True)))
    return Among(build(*any_array), build(*json_each), build(*in_list))


class Database:
    """One engine and its session factory; the app keeps one on ``app.state.db``."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        # names this database in process-wide caches (the grid's locate index)
        self.cache_key = self.engine.url.render_as_string(hide_password=True)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self) -> Session:
        return self.sessionmaker()

    def sessions(self) -> Iterator[Session]:
        with self.sessionmaker() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
