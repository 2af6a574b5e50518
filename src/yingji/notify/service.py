"""The notification seam: a domain asks for notices; the scheduler delivers them.

A domain calls :func:`enqueue` inside its own transaction (a task assigned, a warning
issued): the messages and their delivery timers commit with the change or not at all — an
outbox, so a notice is never sent for a change that rolled back, nor lost for one that
committed. The scheduler then fires each delivery timer (:func:`_perform` makes the call
outside any transaction, :func:`_finish` records it): one attempt row per try; a try that
may pass later (a timeout, a 5xx) is retried after the backoff on the scheduler, until the
tries run out. Providers report delivery back through :func:`accept_receipt`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.db import Database
from yingji.core.errors import conflict, not_found
from yingji.notify.config import NotifySettings
from yingji.notify.models import NotifyAttempt, NotifyMessage, NotifyReceipt
from yingji.notify.providers import (
    Channel,
    DevProvider,
    Outgoing,
    Provider,
    SendResult,
    WebhookProvider,
)
from yingji.scheduling import timers
from yingji.scheduling.backoff import Backoff
from yingji.scheduling.models import Timer

DELIVER = "notify_deliver"
RECEIPT_STATUSES = ("delivered", "failed")


@dataclass(frozen=True)
class Notice:
    """What a domain asks to send. ``to`` is a phone number (sms, voice) or a URL (webhook)."""

    channel: Channel
    to: str
    text: str
    to_name: str = ""
    subject: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    source_type: str = ""
    source_id: str = ""
    source_kind: str = ""


@dataclass
class Registry:
    """The provider of each channel and the retry policy, set once at start-up."""

    providers: dict[Channel, Provider]
    policy: Backoff = field(default_factory=Backoff)

    def provider(self, channel: Channel) -> Provider:
        return self.providers[channel]


_registry = Registry({c: DevProvider() for c in Channel})


def configure(settings: NotifySettings) -> Registry:
    """Build the providers the settings name (the app calls this at start-up)."""
    secret = settings.webhook_secret.get_secret_value()

    def pick(kind: str, url: str | None) -> Provider:
        if kind == "dev":
            return DevProvider()
        return WebhookProvider(secret=secret, timeout_s=settings.timeout_s, url=url)

    global _registry
    _registry = Registry(
        {
            Channel.sms: pick(settings.sms_provider, settings.sms_gateway_url or None),
            Channel.voice: pick(settings.voice_provider, settings.voice_gateway_url or None),
            Channel.webhook: pick(settings.webhook_provider, None),
        },
        Backoff(
            base_s=settings.retry_base_s,
            max_s=max(settings.retry_max_s, settings.retry_base_s),
            max_attempts=settings.max_attempts,
        ),
    )
    return _registry


def use(registry: Registry) -> None:
    """Replace the registry (tests point a channel at a local server)."""
    global _registry
    _registry = registry


def registry() -> Registry:
    return _registry


# ------------------------------------------------------------------ asking
def enqueue(
    db: Session, notices: list[Notice], *, actor: audit.Actor, now: datetime
) -> list[NotifyMessage]:
    """Queue notices in the caller's transaction; each is delivered by the scheduler."""
    if not notices:
        return []
    rows = [
        NotifyMessage(
            channel=n.channel.value,
            recipient=n.to[:500],
            recipient_name=n.to_name[:200],
            subject=n.subject[:300],
            text=n.text,
            data=n.data,
            source_type=n.source_type,
            source_id=n.source_id,
            source_kind=n.source_kind,
            status="pending",
            provider="",
            provider_ref="",
            attempts=0,
            last_error="",
            created_at=now,
            updated_at=now,
        )
        for n in notices
    ]
    db.add_all(rows)
    db.flush()
    timers.schedule_many(
        db, [{"kind": DELIVER, "ref_id": m.id, "due_at": now, "payload": {"attempt": 1}}
             for m in rows], now=now,
    )  # fmt: skip
    audit.record_many(
        db, actor=actor,
        changes=[audit.Change("notify:enqueue", "notify_message", m.id,
                              after=audit.snapshot(m, exclude=("text", "data"))) for m in rows],
    )  # fmt: skip
    return rows


# ------------------------------------------------------------------ delivering (a timer)
ORDER_WAIT_S = 1.0


@dataclass(frozen=True)
class Tried:
    provider: str
    result: SendResult | None  # None: nothing to send (the message is no longer pending)
    waiting_for: int | None = None  # an earlier message about the same thing, not yet out


def _waiting(db: Session, batch: list[NotifyMessage]) -> dict[int, int]:
    """For each message, an earlier one to the same recipient about the same thing that is
    still to go (one read for the batch): it waits for that one, so a receiver gets a
    warning's Cancel after its Alert."""
    keyed = [m for m in batch if m.source_type]
    if not keyed:
        return {}
    pending = db.execute(
        select(NotifyMessage.id, NotifyMessage.source_type, NotifyMessage.source_id,
               NotifyMessage.recipient)
        .where(
            NotifyMessage.status == "pending",
            NotifyMessage.source_id.in_({m.source_id for m in keyed}),
            NotifyMessage.id < max(m.id for m in keyed),
        )
    ).all()  # fmt: skip
    first: dict[tuple[str, str, str], int] = {}
    for pid, stype, sid, rcpt in pending:
        key = (stype, sid, rcpt)
        first[key] = min(first.get(key, pid), pid)
    out = {}
    for m in keyed:
        earliest = first.get((m.source_type, m.source_id, m.recipient))
        if earliest is not None and earliest < m.id:
            out[m.id] = earliest
    return out


def _perform(database: Database, batch: list[Timer]) -> dict[int, Tried]:
    """Hand each message to its channel's provider, outside any transaction: one read for
    the batch, the calls made concurrently."""
    with database.session() as db:
        msgs = {
            m.id: m
            for m in db.scalars(
                select(NotifyMessage).where(NotifyMessage.id.in_({t.ref_id for t in batch}))
            )
        }
        waiting = _waiting(db, [m for m in msgs.values() if m.status == "pending"])
        db.expunge_all()
    out: dict[int, Tried] = {}
    calls: list[tuple[int, Provider, Outgoing]] = []
    for t in batch:
        m = msgs.get(t.ref_id)
        if m is None or m.status != "pending":
            out[t.id] = Tried("", None)
        elif m.id in waiting:
            out[t.id] = Tried("", None, waiting_for=waiting[m.id])
        else:
            channel = Channel(m.channel)
            calls.append((t.id, _registry.provider(channel), Outgoing(
                message_id=m.id, channel=channel, to=m.recipient, to_name=m.recipient_name,
                subject=m.subject, text=m.text, data=dict(m.data or {}),
                attempt=timers.attempt_of(t),
            )))  # fmt: skip
    results = timers.io_map(lambda c: c[1].send(c[2]), calls)
    for (timer_id, provider, _), result in zip(calls, results, strict=True):
        out[timer_id] = Tried(provider.name, result)
    return out


def _finish(
    db: Session, tried: list[tuple[Timer, Tried]], now: datetime
) -> tuple[dict[int, str], list[Any]]:
    """Record each try; retry later, or give up, as the result and the policy say."""
    msgs = {
        m.id: m
        for m in db.scalars(
            select(NotifyMessage).where(NotifyMessage.id.in_({t.ref_id for t, _ in tried}))
        )
    }
    outcomes: dict[int, str] = {}
    changes: list[audit.Change] = []
    for timer, attempt_result in tried:
        m = msgs.get(timer.ref_id)
        if attempt_result.waiting_for is not None and m is not None:
            # the same try again shortly (not counted: nothing was sent)
            timers.schedule(
                db, kind=DELIVER, ref_id=m.id, due_at=now + timedelta(seconds=ORDER_WAIT_S),
                payload=dict(timer.payload or {}),
            )  # fmt: skip
            outcomes[timer.id] = "waiting"
            continue
        result = attempt_result.result
        if result is None or m is None or m.status != "pending":
            outcomes[timer.id] = "skipped"
            continue
        outcomes[timer.id] = _record(db, m, timer, attempt_result.provider, result, now, changes)
    audit.record_many(db, actor=audit.SYSTEM, changes=changes)
    return outcomes, []


def _record(
    db: Session, m: NotifyMessage, timer: Timer, provider: str, result: SendResult,
    now: datetime, changes: list[audit.Change],
) -> str:  # fmt: skip
    before = {"status": m.status, "attempts": m.attempts}
    attempt = timers.attempt_of(timer)
    m.attempts, m.provider, m.updated_at = attempt, provider, now
    next_try: datetime | None = None
    if result.status == "sent":
        outcome = "sent"
        m.status, m.sent_at, m.provider_ref, m.last_error = "sent", now, result.provider_ref, ""
    else:
        m.last_error = result.error[:300]
        scheduled = None
        if result.retryable:
            _, scheduled = timers.retry(db, timer, now=now, policy=_registry.policy,
                                        error=result.error)  # fmt: skip
        if scheduled is not None:
            outcome, next_try = "failed", scheduled.due_at
        else:
            outcome, m.status = "gave_up", "failed"
    db.add(
        NotifyAttempt(
            message_id=m.id, attempt=attempt, provider=provider, outcome=outcome,
            http_status=result.http_status, error=result.error[:300],
            elapsed_ms=result.elapsed_ms, next_try_at=next_try, at=now,
        )
    )  # fmt: skip
    if m.status != before["status"]:
        changes.append(
            audit.Change(
                f"notify:{m.status}", "notify_message", m.id, before=before,
                after={"status": m.status, "attempts": m.attempts}, reason=result.error or None,
            )
        )  # fmt: skip
    return outcome if outcome != "failed" else timers.RETRY_SCHEDULED


timers.io_handler(DELIVER, perform=_perform, finish=_finish)


# ------------------------------------------------------------------ receipts
def accept_receipt(
    db: Session, *, message_id: int | None, provider_ref: str | None, status: str,
    detail: str, reported_at: datetime | None, received_by: audit.Actor, now: datetime,
) -> NotifyReceipt:  # fmt: skip
    """A provider's word on a message it took: delivered or failed. Kept as received; the
    message's status follows (a receipt for a message already settled the other way is
    kept too, and the later word wins: a provider may report ``failed`` after a retry)."""
    conds = []
    if message_id is not None:
        conds.append(NotifyMessage.id == message_id)
    if provider_ref:
        conds.append(NotifyMessage.provider_ref == provider_ref)
    m = db.scalar(select(NotifyMessage).where(or_(*conds)).limit(1)) if conds else None
    if m is None:
        raise not_found("通知消息", "Message", field="message_id")
    if m.status == "pending" and not m.provider_ref:
        raise conflict(
            "not_sent", "消息尚未发出", "The message has not been sent yet", "message_id"
        )
    before = {"status": m.status}
    receipt = NotifyReceipt(
        message_id=m.id, status=status, detail=detail[:300], provider_ref=provider_ref or "",
        reported_at=reported_at, received_at=now,
        received_by=f"{received_by.type}:{received_by.id}"[:100],
    )  # fmt: skip
    db.add(receipt)
    m.status, m.updated_at = status, now
    if status == "delivered":
        m.delivered_at = reported_at or now
    db.flush()
    audit.record(
        db, actor=received_by, action="notify:receipt", object_type="notify_message",
        object_id=m.id, before=before, after={"status": m.status, "receipt_id": receipt.id},
    )  # fmt: skip
    return receipt


# ------------------------------------------------------------------ reading
def list_stmt(
    *, channel: str | None = None, status: str | None = None, source_type: str | None = None,
    source_id: str | None = None,
) -> Select[NotifyMessage]:  # fmt: skip
    stmt = select(NotifyMessage).order_by(NotifyMessage.id.desc())
    if channel:
        stmt = stmt.where(NotifyMessage.channel == channel)
    if status:
        stmt = stmt.where(NotifyMessage.status == status)
    if source_type:
        stmt = stmt.where(NotifyMessage.source_type == source_type)
    if source_id:
        stmt = stmt.where(NotifyMessage.source_id == source_id)
    return stmt


def troubled(db: Session, *, source_type: str, source_ids: list[str]) -> set[str]:
    """Of these sources, the ones with a message that failed or whose last try failed (a
    retry may still be due): what a duty officer must see at once."""
    if not source_ids:
        return set()
    rows = db.execute(
        select(NotifyMessage.source_id).where(
            NotifyMessage.source_type == source_type,
            NotifyMessage.source_id.in_(source_ids),
            or_(NotifyMessage.status == "failed", NotifyMessage.last_error != ""),
        )
    ).scalars()
    return set(rows)


def get(db: Session, message_id: int) -> NotifyMessage:
    m = db.get(NotifyMessage, message_id)
    if m is None:
        raise not_found("通知消息", "Message", field="message_id")
    return m


def attempts_of(db: Session, message_ids: list[int]) -> dict[int, list[NotifyAttempt]]:
    out: dict[int, list[NotifyAttempt]] = {i: [] for i in message_ids}
    if message_ids:
        for a in db.scalars(
            select(NotifyAttempt).where(NotifyAttempt.message_id.in_(message_ids))
            .order_by(NotifyAttempt.message_id, NotifyAttempt.attempt, NotifyAttempt.id)
        ):  # fmt: skip
            out[a.message_id].append(a)
    return out


def receipts_of(db: Session, message_id: int) -> list[NotifyReceipt]:
    return list(
        db.scalars(
            select(NotifyReceipt)
            .where(NotifyReceipt.message_id == message_id)
            .order_by(NotifyReceipt.id)
        )
    )


def read(m: NotifyMessage, attempts: list[NotifyAttempt]) -> dict[str, Any]:
    return {
        "id": m.id, "channel": m.channel, "recipient": m.recipient,
        "recipient_name": m.recipient_name, "subject": m.subject, "text": m.text,
        "source_type": m.source_type, "source_id": m.source_id, "source_kind": m.source_kind,
        "status": m.status, "provider": m.provider, "provider_ref": m.provider_ref,
        "attempts": m.attempts, "last_error": m.last_error, "created_at": m.created_at,
        "sent_at": m.sent_at, "delivered_at": m.delivered_at,
        "tries": [
            {"attempt": a.attempt, "provider": a.provider, "outcome": a.outcome,
             "http_status": a.http_status, "error": a.error, "elapsed_ms": a.elapsed_ms,
             "next_try_at": a.next_try_at, "at": a.at}
            for a in attempts
        ],
    }  # fmt: skip
