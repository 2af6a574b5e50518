"""Alarm API under ``/api/v1/alarms``: the citizen's button (no login, a per-alarm secret
after), the station's answers, and the staff's lists."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from yingji.alarm import rules, service
from yingji.alarm.runtime import AlarmRuntime
from yingji.alarm.schemas import (
    AlarmAccepted,
    AlarmDetail,
    AlarmIn,
    AlarmRead,
    AlarmStatus,
    LimitedRead,
    MediaState,
    PositionIn,
    PositionRead,
    StationMoveIn,
)
from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, forbidden, invalid, validation_items
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute, errors, json_body
from yingji.media.config import get_media_settings

log = logging.getLogger("yingji.alarm")

router = APIRouter(prefix="/api/v1/alarms", tags=["alarm 一键报警"], route_class=TypedRoute)

Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
STAFF = allow(
    Role.admin, Role.committee, Role.hq_commander, Role.duty_officer,
    Role.subdistrict_operator, Role.viewer, Role.station,
)  # fmt: skip
STATION = allow(Role.station, Role.duty_officer, Role.admin)
LIMITED_READ = allow(Role.admin, Role.duty_officer)
SECRET_HEADER = Header(None, alias="X-Alarm-Secret", description="报警凭据 / the alarm's secret")
JSON = "application/json"


def _runtime(request: Request) -> AlarmRuntime:
    return request.app.state.alarm


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ApiError(400, "malformed_json", "请求体不是合法的 JSON", "Malformed JSON",
                       field="body") from None  # fmt: skip
    if not isinstance(payload, dict):
        raise invalid("body", "报警应为 JSON 对象", "An alarm must be a JSON object")
    return payload


def _validate(payload: dict[str, Any]) -> AlarmIn:
    try:
        return AlarmIn.model_validate(payload)
    except ValidationError as exc:
        items = validation_items(list(exc.errors()))
        first = items[0]
        raise ApiError(
            422, "validation_error", f"{first['field']}: {first['message']}",
            f"{first['field']}: {first['message_en']}", field=first["field"], errors=items,
        ) from None  # fmt: skip


def unreachable(exc: BaseException) -> bool:
    """The database cannot be reached (refused, reset, timed out, the pool empty): the
    alarm goes to the spool. A constraint or a programming error is not this."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError)


def _accepted(created: service.Created, secret: str) -> AlarmAccepted:
    a = created.alarm
    return AlarmAccepted(
        id=a.id, idempotency_key=a.idempotency_key, secret=secret, status="received",
        replayed=created.replayed, outside_district=a.outside_district,
        position_note=a.position_note, numbers=service.numbers(),
    )  # fmt: skip


@router.post(
    "",
    status_code=201,
    response_model=AlarmAccepted,
    responses={
        200: {"description": "同一幂等键、同一内容的重发 / replay", "model": AlarmAccepted},
        202: {"description": "数据库暂不可达，已写入本地缓存，恢复后补录 / spooled",
              "model": AlarmAccepted},
        **errors(400, 409, 413, 422, 429),
    },
    openapi_extra=json_body(AlarmIn, "一次一键报警 / one alarm"),
)  # fmt: skip
async def post_alarm(request: Request) -> Response:
    """Take an alarm; no login. 201 once committed (with the alarm's secret for its media and
    status), 200 for the same key and body again, 409 for the key with another body, 429 past
    a device's limit (recorded), 202 when the database is unreachable (spooled, fsync'd)."""
    raw = await request.body()
    payload = _parse(raw)
    body = _validate(payload)
    runtime = _runtime(request)
    secret = rules.secret_for(runtime.secret_key, body.idempotency_key)
    addr = _client(request)
    now = utcnow()
    try:
        created = await asyncio.to_thread(runtime.take, body, payload, addr, now)
    except ApiError:
        raise
    except Exception as exc:
        if not unreachable(exc):
            raise
        log.warning("database unreachable: alarm %s spooled", body.idempotency_key)
        await asyncio.to_thread(runtime.spool_one, payload, addr, now)
        answer = AlarmAccepted(
            id=None, idempotency_key=body.idempotency_key, secret=secret, status="spooled",
            numbers=service.numbers(),
        )  # fmt: skip
        return Response(answer.model_dump_json(), status_code=202, media_type=JSON)
    status = 200 if created.replayed else 201
    return Response(_accepted(created, secret).model_dump_json(), status_code=status,
                    media_type=JSON)  # fmt: skip


def _own(db: Session, request: Request, alarm_id: int, secret: str | None) -> Any:
    alarm = service.get(db, alarm_id)
    service.check_secret(alarm, secret, _runtime(request).secret_key)
    return alarm


@router.post(
    "/{alarm_id}/positions", status_code=201, response_model=PositionRead,
    responses=errors(403, 404),
)  # fmt: skip
def post_position(
    request: Request,
    alarm_id: Id,
    body: PositionIn,
    secret: str | None = SECRET_HEADER,
    db: Session = Depends(get_db),
) -> PositionRead:
    """A better fix of the caller's position, after the first (with the alarm's secret)."""
    alarm = _own(db, request, alarm_id, secret)
    pos = service.refine_position(
        db, alarm, lon=body.lon, lat=body.lat, crs=body.crs, accuracy_m=body.accuracy_m,
        now=utcnow(),
    )  # fmt: skip
    db.commit()
    return PositionRead(lon=pos.lon, lat=pos.lat, accuracy_m=pos.accuracy_m, at=pos.at)


MediaKindParam = Annotated[str, Header(alias="X-Media-Kind", pattern="^(image|audio|video)$",
                                       description="image | audio | video")]  # fmt: skip


@router.put(
    "/{alarm_id}/media/{n}", response_model=MediaState, responses=errors(403, 404, 409, 413, 415)
)
def put_media(
    request: Request,
    alarm_id: Id,
    n: Annotated[int, Path(ge=1, le=100)],
    kind: MediaKindParam,
    data: bytes = Body(media_type="application/octet-stream"),
    offset: int = Header(0, alias="Upload-Offset", ge=0, le=2**53),
    length: int | None = Header(None, alias="Upload-Length", ge=1, le=2**53),
    checksum: str | None = Header(
        None,
        alias="Upload-Checksum",
        pattern="^sha256 [0-9a-fA-F]{64}$",
        description="sha256 <hex>，首个分片必填 / on the first chunk",
    ),
    secret: str | None = SECRET_HEADER,
    db: Session = Depends(get_db),
) -> MediaState:
    """One chunk of the ``n``-th photo or recording (with the alarm's secret), at
    ``Upload-Offset`` (the bytes received so far; otherwise a 409 whose ``Upload-Offset`` says
    where to resume). The first chunk declares ``Upload-Length`` and ``Upload-Checksum``; the
    last completes the file, checked by content through the shared media store."""
    alarm = _own(db, request, alarm_id, secret)
    settings = _runtime(request).settings
    row, up = service.put_media(
        db, request.app.state.media_store, alarm=alarm, n=n, kind=kind, offset=offset,
        length=length, sha256=checksum.split(" ", 1)[1] if checksum else None, data=data,
        settings=settings, media_settings=get_media_settings(), now=utcnow(),
    )  # fmt: skip
    db.commit()
    return MediaState(n=row.n, kind=row.declared_kind, status=row.status,
                      offset=up.received_bytes, size_bytes=up.size_bytes)  # fmt: skip


@router.get("/{alarm_id}/media/{n}", response_model=MediaState, responses=errors(403, 404))
def get_media_state(
    request: Request,
    alarm_id: Id,
    n: Annotated[int, Path(ge=1, le=100)],
    secret: str | None = SECRET_HEADER,
    db: Session = Depends(get_db),
) -> MediaState:
    """Where the ``n``-th upload stands: resume at ``offset``."""
    alarm = _own(db, request, alarm_id, secret)
    return MediaState(**service.media_state(db, alarm, n))


@router.get(
    "/{alarm_id}/status",
    response_model=AlarmStatus,
    responses={
        200: {"description": "JSON，或 Accept: text/event-stream 时为实时流 / or live (SSE)",
              "content": {"text/event-stream": {"schema": {"type": "string"}}}},
        **errors(403, 404),
    },
)  # fmt: skip
async def get_status(
    request: Request,
    alarm_id: Id,
    secret: str | None = SECRET_HEADER,
    secret_q: str | None = Query(None, alias="secret", description="EventSource 无法设请求头"),
    accept: str = Header("", alias="Accept"),
) -> Response:
    """The caller's view (with the alarm's secret, as header or ``?secret=`` for
    EventSource): received, who was told, the station's progress. ``Accept:
    text/event-stream`` keeps it open and sends each change until the station arrives."""
    database = request.app.state.db
    given = secret or secret_q

    def look() -> dict[str, Any]:
        with database.session() as db:
            alarm = _own(db, request, alarm_id, given)
            return AlarmStatus(**service.status_view(db, alarm)).model_dump(mode="json")

    first = await asyncio.to_thread(look)
    if "text/event-stream" not in accept:
        return JSONResponse(first)
    limit_s = _runtime(request).settings.status_stream_s

    async def events() -> AsyncIterator[bytes]:
        last = first
        yield b"event: status\ndata: " + orjson.dumps(first) + b"\n\n"
        waited = 0.0
        quiet = 0.0
        while waited < limit_s and last["status"] != "arrived":
            await asyncio.sleep(1.0)
            waited += 1.0
            quiet += 1.0
            if await request.is_disconnected():
                return
            try:
                now = await asyncio.to_thread(look)
            except Exception:
                continue  # the database away for a moment: the page keeps what it has
            if now != last:
                last, quiet = now, 0.0
                yield b"event: status\ndata: " + orjson.dumps(now) + b"\n\n"
            elif quiet >= 15.0:
                quiet = 0.0
                yield b": keep-alive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


# ------------------------------------------------------------------ staff
def _shows_phone(principal: Principal) -> bool:
    return principal.role is not None and principal.role.value in service.PHONE_ROLES


def _page(db: Session, stmt: Any, params: PageParams, principal: Principal) -> dict[str, Any]:
    rows, total = paginate(db, stmt, params)
    bad = service.troubled(db, rows)
    show = _shows_phone(principal)
    return {
        "items": [AlarmRead(**service.read(a, show_phone=show, failed=a.id in bad)) for a in rows],
        "total": total, "limit": params.limit, "offset": params.offset,
    }  # fmt: skip


@router.get("", response_model=Page[AlarmRead])
def list_alarms(
    kind: rules.Kind | None = Query(None),
    since: datetime | None = Query(None, description="收到时间起（含）"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(STAFF),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Alarms, newest first, each with whether a delivery failed. Phone numbers are masked
    for roles that do not call back; a station sees the alarms given to it."""
    station = principal.scope_code if principal.role == Role.station else None
    territory = None if principal.role == Role.station else principal.territory()
    stmt = service.list_stmt(
        territory=territory, station_subdistrict=station or None,
        kind=kind.value if kind else None, since=since,
    )  # fmt: skip
    return _page(db, stmt, params, principal)


@router.get("/limited", response_model=Page[LimitedRead])
def list_limited(
    since: datetime | None = Query(None),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(LIMITED_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Alarms refused by a limit (429), kept: the duty officer sees every attempt."""
    rows, total = paginate(db, service.limited_stmt(since=since), params)
    return {
        "items": [LimitedRead(id=r.id, device_id=r.device_id, client_addr=r.client_addr,
                              limit=r.limit, phone=r.phone, at=r.at) for r in rows],
        "total": total, "limit": params.limit, "offset": params.offset,
    }  # fmt: skip


def _visible(principal: Principal, alarm: Any) -> None:
    if principal.role == Role.station:
        if alarm.station_subdistrict_code != principal.scope_code:
            raise forbidden("该报警未派给本站", "This alarm was not given to your station")
        return
    territory = principal.territory()
    if territory is not None and alarm.subdistrict_code != territory:
        raise forbidden("无权访问其他街道的数据", "Outside your sub-district")


@router.get("/{alarm_id}", response_model=AlarmDetail, responses=errors(404))
def get_alarm(
    alarm_id: Id,
    principal: Principal = Depends(STAFF),
    db: Session = Depends(get_db),
) -> AlarmDetail:
    """An alarm with its deliveries (each try), media, positions and call-back link."""
    alarm = service.get(db, alarm_id)
    _visible(principal, alarm)
    return AlarmDetail(**service.detail(db, alarm, show_phone=_shows_phone(principal)))


@router.post("/{alarm_id}/station", response_model=AlarmDetail, responses=errors(404, 409))
def station_move(
    request: Request,
    alarm_id: Id,
    body: StationMoveIn,
    principal: Principal = Depends(STATION),
    db: Session = Depends(get_db),
) -> AlarmDetail:
    """The station accepts, is on the way, has arrived (forward only; the same step again is
    answered as it stands). A duty officer may record it for a station that phoned in."""
    alarm = service.get(db, alarm_id)
    _visible(principal, alarm)
    events = service.station_move(db, alarm, to=body.status, actor=principal.actor, now=utcnow())
    db.commit()
    if events:
        request.app.state.bus.publish(events)
    return AlarmDetail(**service.detail(db, alarm, show_phone=_shows_phone(principal)))
