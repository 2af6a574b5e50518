"""Nothing lost: alarms taken while the database is unreachable are spooled (fsync'd), answered
202, and replayed into the database exactly once when it returns."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tests.alarm.proxy import Proxy
from tests.conftest import ON_POSTGRES
from yingji.alarm.models import Alarm
from yingji.alarm.spool import Spool
from yingji.app import create_app
from yingji.config import Settings


def test_a_spool_replays_every_line_once_and_keeps_a_file_until_all_are_in(tmp_path: Path):
    spool = Spool(tmp_path / "spool")
    for i in range(5):
        spool.append({"n": i})
    seen: list[int] = []

    def failing(entry: dict[str, Any]) -> None:
        if entry["n"] == 3:
            raise ConnectionError("database away")
        seen.append(entry["n"])

    with pytest.raises(ConnectionError):
        spool.replay(failing)
    assert spool.pending()  # the file stays: not every line is in
    spool.append({"n": 5})  # taken while replaying failed: a new file
    # a torn last line (a crash in the middle of a write) was never acknowledged: skipped
    leftover = next((tmp_path / "spool").glob("*.replaying"))
    with leftover.open("ab") as f:
        f.write(b'{"n": 9')
    again: list[int] = []
    spool.replay(lambda e: again.append(e["n"]))
    assert seen == [0, 1, 2]
    # lines already written are written again (the idempotency key makes that harmless);
    # none is lost, and the torn one is not taken
    assert sorted(again) == [0, 1, 2, 3, 4, 5]
    assert not spool.pending()


@pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL behind a proxy the test controls")
def test_alarms_taken_while_postgres_is_unreachable_are_in_it_exactly_once(
    settings: Settings, demo: Any, alarm_body: Any, tmp_path: Path
):
    url = make_url(settings.database_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(
        settings.model_copy(update={"database_url": proxied, "data_dir": tmp_path}),
        migrate_on_start=False,
    )
    acked: dict[str, int] = {}
    try:
        with TestClient(app) as client:
            bodies = [alarm_body() for _ in range(24)]
            for i, body in enumerate(bodies):
                if i == 8:
                    proxy.down()
                if i == 16:
                    proxy.restore()
                started = time.monotonic()
                r = client.post("/api/v1/alarms", json=body)
                assert time.monotonic() - started < 5.0
                assert r.status_code in (201, 202), r.text
                acked[body["idempotency_key"]] = r.status_code
            assert list(acked.values())[8:16] == [202] * 8, acked
            spool_dir = tmp_path / "alarm-spool"
            deadline = time.monotonic() + 30
            while any(spool_dir.glob("*")) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not any(spool_dir.glob("*")), "the spool was not replayed"
            # the caller's outbox sends the same POST again: now it learns the id
            again = client.post("/api/v1/alarms", json=bodies[9])
            assert again.status_code == 200 and again.json()["id"]
    finally:
        proxy.close()
        app.state.db.dispose()
    with demo.session() as s:
        rows = s.execute(
            select(Alarm.idempotency_key, func.count(), func.bool_or(Alarm.spooled))
            .where(Alarm.idempotency_key.in_(list(acked)))
            .group_by(Alarm.idempotency_key)
        ).all()
    counts = {k: n for k, n, _ in rows}
    assert counts == {k: 1 for k in acked}
    assert {k for k, _, spooled in rows if spooled} == {
        k for k, status in acked.items() if status == 202
    }
    assert orjson.dumps(sorted(counts)) == orjson.dumps(sorted(acked))
