"""Inspection API: records one or in batches, tasks due, completion."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import ApiError, invalid, validation_items
from yingji.core.responses import TypedRoute, errors
from yingji.prevention.inspection import rules, service
from yingji.prevention.inspection.models import InspectionTask
from yingji.prevention.inspection.schemas import (
    BatchIn,
    Completion,
    CompletionRow,
    InspectionBatchResult,
    InspectionTaskRead,
    RecordIn,
    RecordResult,
    VoidIn,
)

router = APIRouter(
    prefix="/api/v1/prevention", tags=["prevention 双重预防"], route_class=TypedRoute
)

WRITE = allow(
    Role.admin,
    Role.enterprise_user,
    Role.department_operator,
    integrations=True,
    channel="inspections",
)
READ = allow(
    Role.admin,
    Role.committee,
    Role.hq_commander,
    Role.duty_officer,
    Role.department_operator,
    Role.subdistrict_operator,
    Role.enterprise_user,
    Role.viewer,
    integrations=True,
    channel="inspections",
)
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _parse(item: Any, prefix: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise invalid(
            prefix.rstrip(".") or "body", "记录应为 JSON 对象", "A record is a JSON object"
        )
    try:
        rec = RecordIn.model_validate(item)
    except ValidationError as exc:
        items = validation_items(list(exc.errors()))
        for i in items:
            i["field"] = f"{prefix}{i['field']}"
        first = items[0]
        raise ApiError(
            422,
            "validation_error",
            f"{first['field']}: {first['message']}",
            f"{first['field']}: {first['message_en']}",
            field=first["field"],
            errors=items,
        ) from None
    return {**rec.model_dump(), "raw": item}


@router.post(
    "/inspections",
    status_code=201,
    response_model=RecordResult,
    responses={
        200: {"description": "重复提交 / replay", "model": RecordResult},
        **errors(403, 404, 409, 422),
    },
)
def post_record(
    body: dict[str, Any],
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> JSONResponse:
    """One record (the phone page). ``source_id`` — or the ``Idempotency-Key`` header when
    the body has none — makes a retry safe: same body 200, another body 409."""
    if "source_id" not in body and idempotency_key:
        body = {**body, "source_id": idempotency_key}
    item = _parse(body, "")
    (o,) = service.write_records(
        db, [item], actor=principal.actor, scope=principal.enterprise_scope(), now=utcnow()
    )
    if o.error is not None:
        db.rollback()
        e = o.error
        raise ApiError(o.status, e["code"], e["message"], e["message_en"], field=e.get("field"))
    db.commit()
    return JSONResponse(RecordResult(**o.__dict__).model_dump(mode="json"), status_code=o.status)


@router.post(
    "/inspections:batch",
    response_model=InspectionBatchResult,
    status_code=201,
    responses={
        200: {"description": "全部为重复提交 / all replays", "model": InspectionBatchResult},
        **errors(403, 404, 409, 413, 422),
    },
)
def post_batch(
    body: BatchIn, principal: Principal = Depends(WRITE), db: Session = Depends(get_db)
) -> JSONResponse:
    """Up to 5,000 records from an enterprise's own system, each answered on its own; one
    audit row names the records created. 201 if any was written, 200 if all were replays."""
    if not 1 <= len(body.records) <= service.BATCH_MAX:
        raise ApiError(
            413 if body.records else 422,
            "batch_size",
            f"每批 1 到 {service.BATCH_MAX} 条记录（收到 {len(body.records)} 条）",
            f"A batch holds 1 to {service.BATCH_MAX} records ({len(body.records)} sent)",
            field="records",
        )
    results: list[RecordResult] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(body.records):
        try:
            parsed.append((i, _parse(raw, f"records.{i}.")))
        except ApiError as exc:
            results.append(RecordResult(index=i, status=exc.status, error=exc.body()))
    outcomes = service.write_records(
        db,
        [p for _, p in parsed],
        actor=principal.actor,
        scope=principal.enterprise_scope(),
        now=utcnow(),
    )
    db.commit()
    for o in outcomes:
        o.index = parsed[o.index][0]
        results.append(RecordResult(**o.__dict__))
    results.sort(key=lambda r: r.index)
    out = InspectionBatchResult(
        items=results,
        created=sum(r.status == 201 for r in results),
        replayed=sum(r.status == 200 for r in results),
        rejected=sum(r.status >= 400 for r in results),
    )
    if out.created:
        status = 201
    elif out.replayed == len(results):
        status = 200
    else:
        status = max((r.status for r in results if r.status >= 400), default=422)
        status = 409 if any(r.status == 409 for r in results) else status
    return JSONResponse(out.model_dump(mode="json"), status_code=status)


@router.post(
    "/inspections/{record_id}:void",
    response_model=RecordResult,
    responses=errors(403, 404, 409, 422),
)
def void_record(
    record_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    body: VoidIn,
    principal: Principal = Depends(WRITE),
    db: Session = Depends(get_db),
) -> RecordResult:
    """Correct a wrong record: it stops counting and its task is open again (audited)."""
    rec = service.void_record(
        db, record_id, reason=body.reason, actor=principal.actor,
        scope=principal.enterprise_scope(), now=utcnow(),
    )  # fmt: skip
    db.commit()
    return RecordResult(index=0, status=200, id=rec.id, backfilled=rec.backfilled,
                        task_id=rec.task_id, hazard_id=rec.hazard_id)  # fmt: skip


@router.get("/inspections/completion", response_model=Completion, responses=errors(422))
def get_completion(
    month: str = Query(description="YYYY-MM"),
    group_by: str = Query("enterprise", description="enterprise | subdistrict | industry"),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Completion:
    """应查 / 已查 / 漏查 of a month, from the rollup (no recount)."""
    if not MONTH.match(month):
        raise invalid("month", "月份格式应为 YYYY-MM", "month is YYYY-MM")
    if group_by not in service.GROUPS:
        raise invalid(
            "group_by",
            "分组应为 enterprise/subdistrict/industry",
            "group_by is enterprise, subdistrict or industry",
        )
    rows = service.completion(
        db,
        month=month,
        group_by=group_by,
        today=rules.local_day(utcnow()),
        enterprise=principal.enterprise_scope(),
        territory=principal.territory(),
    )
    return Completion(month=month, group_by=group_by, rows=[CompletionRow(**r) for r in rows])


@router.get(
    "/enterprises/{code}/inspection-tasks",
    response_model=list[InspectionTaskRead],
    responses=errors(403, 422),
)
def list_tasks(
    code: str,
    day: date = Query(description="本地日期 / local day"),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> list[InspectionTaskRead]:
    """The enterprise's tasks whose windows start on ``day`` (the phone page's today)."""
    principal.require_enterprise(code)
    t = InspectionTask
    rows = db.scalars(
        select(t)
        .where(
            t.enterprise_code == code,
            t.window_start >= rules._at(day),
            t.window_start < rules._at(date.fromordinal(day.toordinal() + 1)),
        )
        .order_by(t.window_start, t.id)
        .limit(2000)
    )
    return [InspectionTaskRead.model_validate(r, from_attributes=True) for r in rows]
