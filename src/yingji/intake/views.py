"""Intake and incident API: reports in (JSON, batch, CAP), incidents out, the live stream."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow, allow_own_session
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import Database, utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, forbidden, invalid, validation_items
from yingji.core.pagination import Page, PageParams, page_params, paginate, sort_param
from yingji.core.responses import TypedRoute, content, errors, json_body
from yingji.core.validators import BigRowId, Text
from yingji.intake import (
    cap,
    categories,
    correction_export,
    corrections,
    policy_store,
    service,
    stream,
)
from yingji.intake.lifecycle import SCREENING_ROLES
from yingji.intake.models import Correction
from yingji.intake.policy import MergePolicyDoc
from yingji.intake.prepare import Prepared, Sender, prepare
from yingji.intake.runtime import IntakeRuntime
from yingji.intake.schemas import (
    BatchIn,
    BatchItem,
    BatchResult,
    CategoryOption,
    CorrectionRead,
    CorrectionResult,
    DeadlineDoneIn,
    IncidentDetail,
    IncidentRead,
    LevelRaiseIn,
    MergeIn,
    MergePolicyRead,
    MoveReportIn,
    ReclassifyIn,
    RelocateIn,
    ReportAccepted,
    ReportIn,
    SplitIn,
    TransitionIn,
)

router = APIRouter(prefix="/api/v1", tags=["intake 一口归集"], route_class=TypedRoute)

CAP_WRITE = allow(Role.admin, Role.duty_officer, integrations=True, channel="cap")
INCIDENT_READ_ROLES = (
    Role.admin,
    Role.committee,
    Role.hq_commander,
    Role.duty_officer,
    Role.department_operator,
    Role.subdistrict_operator,
    Role.grid_worker,
    Role.viewer,
)
INCIDENT_READ = allow(*INCIDENT_READ_ROLES)
# the same roles, without a database session held for as long as the stream stays open
STREAM_READ = allow_own_session(*INCIDENT_READ_ROLES)
INCIDENT_MOVE = allow(
    Role.admin, Role.duty_officer, Role.hq_commander, Role.committee, Role.subdistrict_operator
)
INCIDENT_LEVEL = allow(Role.admin, Role.duty_officer, Role.hq_commander, Role.committee)
INCIDENT_DEADLINE = allow(Role.admin, Role.duty_officer)
# the roles that screen (甄别研判) correct the machine: merge, split, move, re-classify, re-locate
SCREEN = allow(*sorted(SCREENING_ROLES, key=lambda r: r.value))
POLICY_READ = allow(Role.admin, Role.duty_officer, Role.hq_commander, Role.committee)
POLICY_WRITE = allow(Role.admin)

# Who may report; integrations are further bound to their token's channels (_check_channel).
report_principal = allow_own_session(
    Role.admin,
    Role.duty_officer,
    Role.subdistrict_operator,
    Role.grid_worker,
    Role.department_operator,
    integrations=True,
)


# Channels a person may report on; integrations are bound to the channels of their token.
_USER_CHANNELS: dict[Role, frozenset[str]] = {
    Role.grid_worker: frozenset({"grid"}),
    Role.subdistrict_operator: frozenset({"grid", "public", "alarm"}),
    Role.department_operator: frozenset({"notice", "public", "internet", "sensor"}),
}


def _runtime(request: Request) -> IntakeRuntime:
    return request.app.state.intake


def _check_channel(principal: Principal, channel: str) -> None:
    if principal.kind == "integration":
        if channel not in principal.channels:
            raise forbidden(
                f"集成令牌无权使用通道 {channel}", f"Integration token not allowed on {channel}"
            )
        return
    allowed = _USER_CHANNELS.get(principal.role)  # type: ignore[arg-type]  # a user's role; None only for integrations, which get nothing
    if allowed is not None and channel not in allowed:
        raise forbidden(f"您的角色不能通过通道 {channel} 报告", f"Your role cannot use {channel}")


def _sender(principal: Principal) -> Sender:
    return Sender(principal.kind, str(principal.id), principal.name)


JSON_MEDIA = "application/json"
UTF8_BOM = b"\xef\xbb\xbf"


def _parse_json(raw: bytes) -> Any:
    """The body as JSON (RFC 8259: UTF-8, a leading byte-order mark ignored, no NaN or
    Infinity, no lone surrogates, nesting within 1,024 levels), by orjson: a tenth of
    ``json.loads``'s time (2.4 % of a server's time per report, py-spy). The values are the
    same Python objects, so a report's canonical hash does not change."""
    if raw.startswith(UTF8_BOM):  # allowed by RFC 8259 §8.1, and json.loads skipped it
        raw = raw[len(UTF8_BOM) :]
    try:
        return orjson.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        where = (
            f"（第 {exc.lineno} 行第 {exc.colno} 列附近）"
            if isinstance(exc, json.JSONDecodeError)
            else "（不是 UTF-8 编码）"
        )
        raise ApiError(
            400,
            "malformed_json",
            f"请求体不是合法的 JSON{where}",
            f"Malformed JSON: {exc}",
            field="body",
        ) from None


def _validate(payload: Any, prefix: str = "") -> ReportIn:
    if not isinstance(payload, dict):
        raise invalid(prefix or "body", "报告应为 JSON 对象", "A report must be a JSON object")
    try:
        return ReportIn.model_validate(payload)
    except ValidationError as exc:
        items = validation_items(list(exc.errors()))
        for i in items:
            i["field"] = f"{prefix}{i['field']}" if prefix else i["field"]
        first = items[0]
        raise ApiError(
            422,
            "validation_error",
            f"{first['field']}: {first['message']}",
            f"{first['field']}: {first['message_en']}",
            field=first["field"],
            errors=items,
        ) from None


def _prepare(
    db: Session | Database, report: ReportIn, payload: dict[str, Any], raw: str,
    principal: Principal, now: datetime, level_hint: str | None = None,
) -> Prepared:  # fmt: skip
    _check_channel(principal, report.channel)
    return prepare(
        db,
        report,
        raw_body=raw,
        payload=payload,
        sender=_sender(principal),
        now=now,
        level_hint=level_hint,
    )


@router.post(
    "/reports",
    status_code=201,
    response_model=ReportAccepted,
    responses={
        200: {
            "description": "重复提交（同一 source_id、同一内容）/ replay",
            "model": ReportAccepted,
        },
        **errors(400, 409, 413, 422),
    },
    # the body is read by ``accept_report`` itself (and by the fast path), not by FastAPI
    openapi_extra=json_body(ReportIn, "一条报告 / one report"),
)
async def post_report(
    request: Request,
    principal: Principal = Depends(report_principal),
) -> Response:
    """Take one report from any channel; 201 once committed, 200 for an identical replay,
    409 for a reused ``source_id`` with another body.

    In a server, ``ReportFastPath`` answers this path ahead of the router with the same
    ``accept_report``; the route documents it and serves any app built without the fast path.
    """
    return await accept_report(request, principal)


async def accept_report(request: Request, principal: Principal) -> Response:
    """Validate, prepare and commit one report; raises ``ApiError`` for every refusal."""
    raw = await request.body()
    payload = _parse_json(raw)
    report = _validate(payload)
    database = request.app.state.db  # no session: see ``prepare``
    prepared = _prepare(database, report, payload, raw.decode("utf-8"), principal, utcnow())
    (outcome,) = await _runtime(request).writer.submit_many([prepared])
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    return Response(
        outcome.result.model_dump_json(), status_code=outcome.status, media_type=JSON_MEDIA
    )


@router.post(
    "/reports:batch",
    response_model=BatchResult,
    responses=errors(400, 413, 422),
    openapi_extra=json_body(BatchIn, "至多 1,000 条报告 / up to 1,000 reports"),
)
async def post_reports_batch(
    request: Request,
    principal: Principal = Depends(report_principal),
) -> BatchResult:
    """Up to 1,000 reports; each item is answered on its own (status and result or error)."""
    raw = await request.body()
    body = _parse_json(raw)
    limit = _runtime(request).settings.batch_max_items
    if not isinstance(body, dict) or not isinstance(body.get("reports"), list):
        raise invalid("reports", '应为 {"reports": [...]}', 'Expected {"reports": [...]}')
    items_in = body["reports"]
    if not 1 <= len(items_in) <= limit:
        raise invalid(
            "reports",
            f"每批 1 到 {limit} 份报告",
            f"A batch holds 1 to {limit} reports",
            code="batch_size",
        )
    now = utcnow()
    results: list[BatchItem | None] = [None] * len(items_in)
    prepared: list[tuple[int, Prepared]] = []
    with request.app.state.db.session() as db:
        for i, item in enumerate(items_in):
            try:
                report = _validate(item, prefix=f"reports.{i}.")
                raw_item = json.dumps(item, ensure_ascii=False)
                prepared.append((i, _prepare(db, report, item, raw_item, principal, now)))
            except ApiError as exc:
                results[i] = BatchItem(index=i, status=exc.status, error=exc.body())
    outcomes = await _runtime(request).writer.submit_many([p for _, p in prepared])
    for (i, _), outcome in zip(prepared, outcomes, strict=True):
        results[i] = BatchItem(
            index=i,
            status=outcome.status,
            result=outcome.result,
            error=outcome.error.body() if outcome.error else None,
        )
    final = [r for r in results if r is not None]
    return BatchResult(
        items=final,
        accepted=sum(1 for r in final if r.status == 201),
        replayed=sum(1 for r in final if r.status == 200),
        rejected=sum(1 for r in final if r.status >= 400),
    )


@router.post("/reports/cap", response_model=BatchResult, status_code=201, responses=errors(422))
async def post_cap(
    request: Request,
    principal: Principal = Depends(CAP_WRITE),
    db: Session = Depends(get_db),
) -> JSONResponse:
    """A CAP 1.2 alert (XML body): validated against the OASIS schema, parsed with entities
    and network off, one report per area. 422 if no area can be taken in."""
    raw = await request.body()
    root = cap.parse(raw)
    encoding = root.getroottree().docinfo.encoding or "utf-8"
    text = raw.decode(encoding, errors="replace")
    now = utcnow()
    results: list[BatchItem] = []
    prepared: list[tuple[int, Prepared]] = []
    for i, c in enumerate(cap.to_reports(root)):
        payload: dict[str, Any] = {
            "channel": "cap",
            "source_id": c.source_id[:128],
            "occurred_at": c.occurred_at.isoformat(),
            "reported_at": c.reported_at.isoformat(),
            "title": c.title,
            "text": c.text[:10_000],
            "category_code": c.category_code,
            "address": c.address,
            "extra": c.extra,
        }
        if c.lon is not None:
            payload["location"] = {"lon": c.lon, "lat": c.lat, "crs": "wgs84"}
        try:
            report = _validate(payload)
            hint = None if c.level_provisional else c.level
            prepared.append((i, _prepare(db, report, payload, text, principal, now, hint)))
        except ApiError as exc:
            results.append(BatchItem(index=i, status=exc.status, error=exc.body()))
    db.close()
    if not prepared:
        first = results[0].error or {}
        raise ApiError(
            422,
            first.get("code", "cap_rejected"),
            first.get("message", "CAP 消息无法收录"),
            first.get("message_en", "The CAP message could not be taken in"),
            field=first.get("field"),
            errors=[r.error for r in results if r.error],
        )
    outcomes = await _runtime(request).writer.submit_many([p for _, p in prepared])
    for (i, _), o in zip(prepared, outcomes, strict=True):
        results.append(
            BatchItem(
                index=i, status=o.status, result=o.result, error=o.error.body() if o.error else None
            )
        )
    results.sort(key=lambda r: r.index)
    body = BatchResult(
        items=results,
        accepted=sum(1 for r in results if r.status == 201),
        replayed=sum(1 for r in results if r.status == 200),
        rejected=sum(1 for r in results if r.status >= 400),
    )
    status = 201 if body.accepted else (200 if body.replayed else 409)
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


def _levels(level: str | None) -> list[str] | None:
    if not level:
        return None
    out = [x.strip().upper() for x in level.split(",") if x.strip()]
    bad = [x for x in out if x not in ("I", "II", "III", "IV")]
    if bad:
        raise invalid("level", f"未知级别：{', '.join(bad)}", f"Unknown level: {', '.join(bad)}")
    return out


@router.get("/incidents", response_model=Page[IncidentRead])
def list_incidents(
    status: Text | None = Query(
        None,
        description="状态，可逗号分隔；默认不含已合并 / status, comma-separated; "
        "merged ones only when asked for",
    ),
    level: Text | None = Query(None, description="级别 I–IV，可逗号分隔"),
    category: Text | None = Query(None, description="GB/T 35561 代码或其前缀 / code or prefix"),
    subdistrict: Text | None = Query(None, description="街道代码"),
    headquarters: Text | None = Query(None, description="指挥部代码"),
    channel: Text | None = Query(None, description="报告通道"),
    since: datetime | None = Query(None, description="发生时间起（含）"),
    until: datetime | None = Query(None, description="发生时间止（不含）"),
    sort: str | None = Depends(sort_param),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(INCIDENT_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Incidents, newest first unless ``sort`` says otherwise (e.g. ``-level,occurred_at``).

    Incidents merged away into another are listed only when ``status`` asks for ``merged``.
    """
    territory = principal.territory()
    if territory is not None:
        if subdistrict is not None and subdistrict != territory:
            raise forbidden("无权访问其他街道的数据", "Outside your sub-district")
        subdistrict = territory
    stmt = service.list_stmt(
        status=[s.strip() for s in status.split(",")] if status else None,
        level=_levels(level),
        category=category,
        subdistrict=subdistrict,
        headquarters=headquarters,
        channel=channel,
        since=since,
        until=until,
        sort=sort,
        hide_merged=True,
    )
    rows, total = paginate(db, stmt, params)
    org = service.organisation(db)
    return {
        "items": [service.incident_read(r, org) for r in rows],
        "total": total,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, responses=errors(404))
def get_incident(
    incident_id: BigRowId,
    principal: Principal = Depends(INCIDENT_READ),
    db: Session = Depends(get_db),
) -> IncidentDetail:
    """An incident with its reports (verbatim), timeline and routing."""
    incident = service.get_incident(db, incident_id, territory=principal.territory())
    return service.incident_detail(db, incident, service.organisation(db))


def _change(request: Request, db: Session, events: list[dict[str, Any]]) -> None:
    db.commit()
    _runtime(request).bus.publish(events)


@router.post(
    "/incidents/{incident_id}/transitions", response_model=IncidentRead, responses=errors(404, 409)
)
def transition(
    incident_id: BigRowId,
    body: TransitionIn,
    request: Request,
    principal: Principal = Depends(INCIDENT_MOVE),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Screen (verify / false alarm) or move an incident along its lifecycle."""
    incident = service.get_incident(db, incident_id, territory=principal.territory())
    org = service.organisation(db)
    events = service.transition(
        db,
        incident=incident,
        to=body.to,
        reason=body.reason,
        actor=principal.actor,
        role=principal.role,
        org=org,
        now=utcnow(),
    )
    _change(request, db, events)
    return service.incident_read(incident, org)


@router.post(
    "/incidents/{incident_id}/level", response_model=IncidentRead, responses=errors(404, 409)
)
def raise_level(
    incident_id: BigRowId,
    body: LevelRaiseIn,
    request: Request,
    principal: Principal = Depends(INCIDENT_LEVEL),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Raise the incident's level, with a reason (it never goes down)."""
    incident = service.get_incident(db, incident_id, territory=principal.territory())
    org = service.organisation(db)
    events = service.raise_level(
        db,
        incident=incident,
        level=body.level,
        reason=body.reason,
        actor=principal.actor,
        org=org,
        now=utcnow(),
    )
    _change(request, db, events)
    return service.incident_read(incident, org)


@router.post(
    "/incidents/{incident_id}/deadlines", response_model=IncidentRead, responses=errors(404, 409)
)
def deadline_done(
    incident_id: BigRowId,
    body: DeadlineDoneIn,
    request: Request,
    principal: Principal = Depends(INCIDENT_DEADLINE),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Record that a statutory report (county, city, province, state) was made."""
    incident = service.get_incident(db, incident_id, territory=None)
    org = service.organisation(db)
    events = service.deadline_done(
        db, incident=incident, step=body.step, note=body.note, actor=principal.actor, org=org,
        now=utcnow(),
    )  # fmt: skip
    _change(request, db, events)
    return service.incident_read(incident, org)


# ------------------------------------------------------------------ a duty officer's corrections
def _correction_read(c: Correction) -> CorrectionRead:
    return CorrectionRead(
        id=c.id, at=c.at, kind=c.kind,
        actor={"type": c.actor_type, "id": c.actor_id, "name": c.actor_name},
        reason=c.reason, incident_id=c.incident_id, incident_ids=c.incident_ids,
        report_ids=c.report_ids, data=c.data,
    )  # fmt: skip


def _corrected(request: Request, db: Session, done: corrections.Corrected) -> CorrectionResult:
    _change(request, db, done.events)
    org = service.organisation(db)
    return CorrectionResult(
        incident=IncidentRead(**service.incident_read(done.incident, org)),
        others=[IncidentRead(**service.incident_read(o, org)) for o in done.others],
        correction=_correction_read(done.correction),
    )


@router.post(
    "/incidents/merge", response_model=CorrectionResult,
    responses=errors(404, 409),
)  # fmt: skip
def merge_incidents(
    body: MergeIn,
    request: Request,
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> CorrectionResult:
    """Merge two or more incidents into the lead the officer picked (a reason is required).
    Refused: fewer than two, an incident into itself, a closed, false-alarm or merged
    incident, two incidents that each run a plan."""
    done = corrections.merge_incidents(
        db, lead_id=body.lead_id, incident_ids=body.incident_ids, reason=body.reason,
        actor=principal.actor, org=service.organisation(db), now=utcnow(),
    )  # fmt: skip
    return _corrected(request, db, done)


@router.post(
    "/incidents/{incident_id}/reports/{report_id}/split", status_code=201,
    response_model=CorrectionResult, responses=errors(404, 409),
)  # fmt: skip
def split_report(
    incident_id: BigRowId,
    report_id: BigRowId,
    body: SplitIn,
    request: Request,
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> CorrectionResult:
    """Split a report out into a new incident (``incident``; ``others``: the one it left).
    Refused for an incident's only report."""
    done = corrections.split_report(
        db, incident_id=incident_id, report_id=report_id, reason=body.reason,
        actor=principal.actor, org=service.organisation(db),
        settings=_runtime(request).settings, now=utcnow(),
    )  # fmt: skip
    return _corrected(request, db, done)


@router.post(
    "/incidents/{incident_id}/reports/{report_id}/move", response_model=CorrectionResult,
    responses=errors(404, 409),
)  # fmt: skip
def move_report(
    incident_id: BigRowId,
    report_id: BigRowId,
    body: MoveReportIn,
    request: Request,
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> CorrectionResult:
    """Move a report to another open incident (``incident``: the target)."""
    done = corrections.move_report(
        db, incident_id=incident_id, report_id=report_id, to_incident_id=body.to_incident_id,
        reason=body.reason, actor=principal.actor, org=service.organisation(db), now=utcnow(),
    )  # fmt: skip
    return _corrected(request, db, done)


@router.post(
    "/incidents/{incident_id}/category", response_model=CorrectionResult,
    responses=errors(404, 409),
)  # fmt: skip
def reclassify(
    incident_id: BigRowId,
    body: ReclassifyIn,
    request: Request,
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> CorrectionResult:
    """Re-classify (GB/T 35561 code): level and routing recomputed; the parties that lose
    and gain the incident are told on the stream."""
    done = corrections.reclassify(
        db, incident_id=incident_id, category_code=body.category_code, reason=body.reason,
        actor=principal.actor, org=service.organisation(db), now=utcnow(),
    )  # fmt: skip
    return _corrected(request, db, done)


@router.post(
    "/incidents/{incident_id}/location", response_model=CorrectionResult,
    responses=errors(404, 409),
)  # fmt: skip
def relocate(
    incident_id: BigRowId,
    body: RelocateIn,
    request: Request,
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> CorrectionResult:
    """Re-locate: a point picked on the map or an address typed; sub-district, grid and
    routing follow. Refused outside the district or with swapped coordinates."""
    done = corrections.relocate(
        db, incident_id=incident_id, lon=body.lon, lat=body.lat, crs=body.crs,
        address=body.address, reason=body.reason, actor=principal.actor,
        org=service.organisation(db), now=utcnow(),
    )  # fmt: skip
    return _corrected(request, db, done)


@router.get(
    "/screening/categories", response_model=list[CategoryOption],
    responses=errors(),
)  # fmt: skip
def list_categories(principal: Principal = Depends(SCREEN)) -> list[CategoryOption]:
    """The categories a re-classification may choose, in code order."""
    out = []
    for code, c in sorted(categories.table().items()):
        path = categories.path(code)
        if path is not None:
            out.append(CategoryOption(code=code, name=c.name, name_en=c.name_en,
                                      display=path.display))  # fmt: skip
    return out


@router.get(
    "/screening/corrections", response_model=Page[CorrectionRead],
    responses=errors(),
)  # fmt: skip
def list_corrections(
    incident: BigRowId | None = Query(None, description="事件编号 / incident id"),
    params: PageParams = Depends(page_params),
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """The duty officers' corrections, newest first."""
    stmt = service.corrections_stmt(incident_id=incident)
    rows, total = paginate(db, stmt, params)
    return {
        "items": [_correction_read(c) for c in rows],
        "total": total,
        "limit": params.limit,
        "offset": params.offset,
    }


@router.get(
    "/screening/corrections/export.jsonl", response_class=Response,
    responses=content(
        "application/x-ndjson", "更正样本 / corrections as labelled examples", binary=False
    ),
)  # fmt: skip
def export_corrections(
    principal: Principal = Depends(SCREEN),
    db: Session = Depends(get_db),
) -> Response:
    """The reports the corrections touched, labelled, in the corpus format (JSON Lines)."""
    text = "".join(f"{line}\n" for line in correction_export.export_lines(db))
    return Response(
        text,
        media_type="application/x-ndjson; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="corrections.jsonl"'},
    )


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses=content("text/event-stream", "实时事件流 (SSE) / live events", binary=False),
)
async def live_stream(
    request: Request,
    subdistrict: Text | None = Query(None, description="街道代码"),
    headquarters: Text | None = Query(None, description="指挥部代码"),
    level: Text | None = Query(None, description="级别 I–IV，可逗号分隔"),
    last_event_id: str | None = Header(None, alias="Last-Event-ID"),
    principal: Principal = Depends(STREAM_READ),
) -> StreamingResponse:
    """Server-Sent Events of incident events; reconnect with ``Last-Event-ID`` to replay."""
    territory = principal.territory()
    if territory is not None:
        if subdistrict is not None and subdistrict != territory:
            raise forbidden("无权访问其他街道的数据", "Outside your sub-district")
        subdistrict = territory
    after: int | None = None
    if last_event_id:
        if not last_event_id.strip().isdigit():
            raise invalid(
                "Last-Event-ID", "Last-Event-ID 应为整数", "Last-Event-ID must be an integer"
            )
        after = int(last_event_id)
    flt = stream.StreamFilter(subdistrict, headquarters, frozenset(_levels(level) or []))
    runtime = _runtime(request)
    generator = stream.events(request.app.state.db, runtime.bus, last_event_id=after, flt=flt)
    await asyncio.sleep(0)
    return StreamingResponse(
        generator,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


class MergePolicyPut(MergePolicyDoc):
    """A whole merge policy (``GET``'s ``policy``), and why it changes (for the audit log)."""

    reason: str = ""


@router.get("/intake/merge-policy", response_model=MergePolicyRead)
def read_merge_policy(
    principal: Principal = Depends(POLICY_READ), db: Session = Depends(get_db)
) -> dict[str, Any]:
    """The merge policy in force: radius and window per category, scene pairs, evidence."""
    return policy_store.read(db)


@router.put("/intake/merge-policy", response_model=MergePolicyRead)
def replace_merge_policy(
    body: MergePolicyPut,
    principal: Principal = Depends(POLICY_WRITE),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Replace the merge policy (admin): the next report written follows it. Audited."""
    doc = MergePolicyDoc.model_validate(body.model_dump(exclude={"reason"}))
    out = policy_store.replace(db, doc, actor=principal.actor, reason=body.reason, now=utcnow())
    db.commit()
    policy_store.forget()
    return out
