"""The alarm's parts in a server process: taking an alarm in its transaction, the spool, its
replay on the scheduler loop, and the daily retention purge."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import exc as sa_exc

from yingji.alarm import service, spool
from yingji.alarm.config import AlarmSettings
from yingji.alarm.schemas import AlarmIn
from yingji.core.cache import database_key
from yingji.core.db import Database, utcnow
from yingji.core.errors import ApiError
from yingji.intake.config import IntakeSettings
from yingji.media.store import DiskStore

log = logging.getLogger("yingji.alarm")

REPLAY_EVERY_S = 1.0


class AlarmRuntime:
    def __init__(
        self, database: Database, bus: Any, *, settings: AlarmSettings,
        intake_settings: IntakeSettings, secret_key: str, spool_dir: Any, store: DiskStore,
    ) -> None:  # fmt: skip
        self.database = database
        self.bus = bus
        self.settings = settings
        self.intake_settings = intake_settings
        self.secret_key = secret_key
        self.spool = spool.Spool(spool_dir)
        self.store = store
        service.register_purge(database_key(database), store, settings.retention_days)

    def take(self, body: AlarmIn, payload: dict[str, Any], client_addr: str,
             received_at: datetime, *, spooled: bool = False) -> service.Created:  # fmt: skip
        """One alarm in one transaction, committed before this returns; its events published
        after. A 429 commits the record of the limited attempt before it is raised."""
        for attempt in (1, 2):
            with self.database.session() as db:
                try:
                    created = service.create(
                        db, body=body, payload=payload, client_addr=client_addr,
                        received_at=received_at, now=utcnow(), settings=self.settings,
                        intake_settings=self.intake_settings, spooled=spooled,
                        check_limits=not spooled,
                    )  # fmt: skip
                    db.commit()
                except ApiError as exc:
                    if exc.status == 429:
                        db.commit()
                    else:
                        db.rollback()
                    raise
                except sa_exc.IntegrityError:
                    # the same key from another request a moment earlier: answer that one
                    db.rollback()
                    if attempt == 2:
                        raise
                    continue
            if created.events:
                try:
                    self.bus.publish(created.events)
                except Exception:  # committed already; the streams catch up from the table
                    log.exception("publishing alarm events failed")
            return created
        raise AssertionError("unreachable")

    def spool_one(self, payload: dict[str, Any], client_addr: str, received_at: datetime) -> None:
        self.spool.append(spool.entry(payload, client_addr=client_addr, received_at=received_at))

    def replay(self, now: datetime) -> list[dict[str, Any]]:
        """A periodic job: write the spooled alarms once the database answers (each exactly
        once, by its idempotency key)."""
        if not self.spool.pending():
            return []

        def write(entry: dict[str, Any]) -> None:
            payload = entry["payload"]
            body = AlarmIn.model_validate(payload)
            at = datetime.fromisoformat(entry["received_at"])
            try:
                self.take(body, payload, entry.get("client_addr", ""), at, spooled=True)
            except ApiError as exc:
                # a key reused with another body while spooled: the first one stands, and
                # this one is logged (it was answered 202 with a secret for that key)
                log.error("spooled alarm %s not replayed: %s", body.idempotency_key, exc)

        done = self.spool.replay(write)
        if done:
            log.info("%d spooled alarms replayed", done)
        return []

    def ensure_purge(self) -> None:
        try:
            with self.database.session() as db:
                service.ensure_purge_timer(db, now=utcnow())
                db.commit()
        except Exception:  # an empty or unmigrated database: scheduled on the next start
            log.debug("alarm purge timer not scheduled", exc_info=True)
