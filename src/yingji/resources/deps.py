"""Request dependencies of the resources domain."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

_sqlite_writes = threading.Lock()


def serial_db(request: Request) -> Iterator[Session]:
    """A session for a request that changes stock or a team's status.

    On PostgreSQL, row locks and conditional updates keep parallel requests right. SQLite
    has one writer, and a transaction that has read cannot write once another has committed
    meanwhile; so there these writes of the process take turns (a platform on SQLite runs as
    one process). The conditional updates still refuse, rather than overdraw, whatever else
    happens.
    """
    database = request.app.state.db
    if not database.is_sqlite:
        with database.sessionmaker() as session:
            yield session
        return
    with _sqlite_writes, database.sessionmaker() as session:
        yield session
