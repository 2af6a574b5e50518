"""Notification API under ``/api/v1/notify``: the record of messages and their tries, a
hand-sent notice for checking a provider, and the callback for providers' receipts."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from yingji.audit.service import Actor
from yingji.auth.permissions import allow, principal_on_own_session
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors, raises
from yingji.notify import service, signing
from yingji.notify.config import get_notify_settings
from yingji.notify.models import NotifyMessage
from yingji.notify.providers import Channel
from yingji.notify.schemas import (
    NoticeIn,
    NoticeRead,
    NoticeReceiptRead,
    ReceiptAccepted,
    ReceiptIn,
)

router = APIRouter(prefix="/api/v1/notify", tags=["notify 通知"], route_class=TypedRoute)
# The record holds phone numbers and addresses: the command roles read it.
READ = allow(Role.admin, Role.duty_officer, Role.committee, Role.hq_commander)
SEND = allow(Role.admin)
RECEIPTS_CHANNEL = "receipts"
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _read(db: Session, m: NotifyMessage, *, receipts: bool = False) -> NoticeRead:
    out = NoticeRead(**service.read(m, service.attempts_of(db, [m.id])[m.id]))
    if receipts:
        out.receipts = [
            NoticeReceiptRead(
                id=r.id, status=r.status, detail=r.detail, provider_ref=r.provider_ref,
                reported_at=r.reported_at, received_at=r.received_at,
            )
            for r in service.receipts_of(db, m.id)
        ]  # fmt: skip
    return out


@router.get("/messages", response_model=Page[NoticeRead])
def list_messages(
    channel: Channel | None = Query(None),
    status: str | None = Query(None, pattern=r"^(pending|sent|delivered|failed)$"),
    source_type: str | None = Query(None, max_length=32, pattern=r"^[a-z_]+$"),
    source_id: str | None = Query(None, max_length=64, pattern=r"^[0-9A-Za-z_-]+$"),
    page: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[NoticeRead]:
    """Every notice the platform sent or is sending, newest first, with each try."""
    stmt = service.list_stmt(
        channel=channel.value if channel else None, status=status, source_type=source_type,
        source_id=source_id,
    )  # fmt: skip
    rows, total = paginate(db, stmt, page)
    tries = service.attempts_of(db, [m.id for m in rows])
    return Page[NoticeRead](
        items=[NoticeRead(**service.read(m, tries[m.id])) for m in rows], total=total,
        limit=page.limit, offset=page.offset,
    )  # fmt: skip


@router.get("/messages/{message_id}", response_model=NoticeRead, responses=errors(404))
def get_message(
    message_id: Id, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> NoticeRead:
    return _read(db, service.get(db, message_id), receipts=True)


@router.post("/messages", response_model=NoticeRead, status_code=201)
def send_message(
    body: NoticeIn, principal: Principal = Depends(SEND), db: Session = Depends(get_db)
) -> NoticeRead:
    """Queue a notice by hand, delivered like any other (checking a gateway end to end)."""
    if body.channel is Channel.webhook and not body.to.startswith(("http://", "https://")):
        raise invalid("to", "webhook 的收件地址须为 http(s) URL", "A webhook needs an http(s) URL")
    (m,) = service.enqueue(
        db,
        [service.Notice(channel=body.channel, to=body.to, to_name=body.to_name,
                        subject=body.subject, text=body.text, source_type="manual",
                        source_id=str(principal.id), source_kind="manual")],
        actor=principal.actor, now=utcnow(),
    )  # fmt: skip
    db.commit()
    return _read(db, m)


@raises(401, 403)
async def receipt_sender(request: Request) -> Actor:
    """Who sends a receipt: a provider signing the body with ``YINGJI_NOTIFY_RECEIPT_SECRET``
    (the same headers as our own webhooks), or an integration token with the ``receipts``
    channel."""
    settings = get_notify_settings()
    signature = request.headers.get(signing.SIGNATURE_HEADER)
    if signature is not None:
        ok = signing.verify(
            settings.receipt_secret.get_secret_value(),
            timestamp=request.headers.get(signing.TIMESTAMP_HEADER, ""),
            body=await request.body(), signature=signature, now_s=time.time(),
            tolerance_s=settings.signature_tolerance_s,
        )  # fmt: skip
        if not ok:
            raise ApiError(401, "bad_signature", "签名无效或已过期",
                           "The signature is invalid or too old")  # fmt: skip
        return Actor(type="provider", id="signed", name="签名回执 / signed receipt")
    return _token_sender(request)


def _token_sender(request: Request) -> Actor:
    principal = principal_on_own_session(request)  # 401 without a valid token
    if principal.kind != "integration" or RECEIPTS_CHANNEL not in principal.channels:
        raise ApiError(403, "forbidden", "须使用带 receipts 通道的集成令牌",
                       "An integration token with the receipts channel is needed")  # fmt: skip
    return principal.actor


@router.post(
    "/receipts", response_model=ReceiptAccepted, status_code=201, responses=errors(404, 409)
)
def accept_receipt(
    body: ReceiptIn, sender: Actor = Depends(receipt_sender), db: Session = Depends(get_db)
) -> ReceiptAccepted:
    """A provider's delivery receipt (delivered / failed) for a message it took."""
    if body.message_id is None and not body.provider_ref:
        raise invalid("message_id", "须给出 message_id 或 provider_ref",
                      "Give message_id or provider_ref")  # fmt: skip
    if body.reported_at is not None and body.reported_at.tzinfo is None:
        raise invalid("reported_at", "时间须带时区", "reported_at needs a time zone")
    receipt = service.accept_receipt(
        db, message_id=body.message_id, provider_ref=body.provider_ref, status=body.status,
        detail=body.detail, reported_at=body.reported_at, received_by=sender, now=utcnow(),
    )  # fmt: skip
    db.commit()
    return ReceiptAccepted(receipt_id=receipt.id, message_id=receipt.message_id,
                           status=receipt.status)  # fmt: skip
