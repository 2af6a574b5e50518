"""Grid ledgers (台账) exported and imported: a whole sheet checked, then applied in one go."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit.service import Actor
from yingji.core.errors import (
    ApiError,
    validation_items,
)
from yingji.grid.checks import (
    GridRefs,
)
from yingji.grid.ledger import Ledger, LedgerRow, header_of
from yingji.grid.schemas import (
    NULLABLE_FIELDS,
    Code,
    ImportResult,
)
from yingji.grid.service.changes import (
    KINDS,
    KindSpec,
    Plan,
    apply_plan,
    finish,
    item_dict,
    load_refs,
    plan_item,
)
from yingji.grid.service.features import (
    list_stmt,
)
from yingji.org import service as org_service

MAX_REPORTED_ERRORS = 5_000


_CHUNK = 900


_code_adapter: TypeAdapter[str] = TypeAdapter(Code)


def export_items(db: Session, *, kind: str, territory: str | None) -> list[dict[str, Any]]:
    """Every item of a kind in the territory, by code, with its sub-district's name."""
    names = org_service.subdistrict_names(db)
    rows = db.scalars(list_stmt(KINDS[kind].model, subdistrict_code=territory))
    out = []
    for obj in rows:
        item = item_dict(kind, obj)
        item["subdistrict_name"] = names.get(obj.subdistrict_code, "")
        out.append(item)
    return out


def _existing_by_code(db: Session, model: Any, codes: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    unique = sorted({c for c in codes if c})
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        found.update({o.code: o for o in db.scalars(select(model).where(model.code.in_(chunk)))})
    return found


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 100 else text[:100] + "…"


class _RowErrors:
    """Errors of one ledger, each with the row number and column header the user sees."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.items: list[dict[str, Any]] = []
        self.rows: set[int] = set()

    def add(
        self, row: LedgerRow, field: str, zh: str, en: str, code: str = "invalid", value: Any = ...
    ) -> None:
        self.rows.add(row.number)
        column = row.labels.get(field) or header_of(self.kind, field)
        self.items.append(
            {
                "row": row.number,
                "column": column,
                "field": field,
                "code": code,
                "message": zh,
                "message_en": en,
                "value": _shown(row.values.get(field) if value is ... else value),
            }
        )


def _subdistrict_of_row(
    row: LedgerRow, values: dict[str, Any], refs: GridRefs, errors: _RowErrors
) -> bool:
    """Resolve 街道代码 / 街道 into ``values['subdistrict_code']``; False if they disagree."""
    name = values.pop("subdistrict_name", None)
    code = values.get("subdistrict_code")
    code = str(code).strip() if code not in (None, "") else ""
    by_name = None
    if isinstance(name, str) and name.strip():
        name = name.strip()
        by_name = refs.subdistrict_code_by_name(name) or refs.subdistrict_code_by_name(
            name + "街道"
        )
        if by_name is None:
            errors.add(
                row, "subdistrict_name", f"街道「{name}」不存在", f"Unknown sub-district {name}"
            )
            return False
        if code and code != by_name:
            errors.add(
                row,
                "subdistrict_name",
                f"街道「{name}」与街道代码 {code} 不一致",
                f"Sub-district {name} does not match code {code}",
            )
            return False
    code = code or by_name or ""
    if code:
        values["subdistrict_code"] = code
    else:
        values.pop("subdistrict_code", None)
    return True


def _plan_row(
    db: Session,
    *,
    kind: str,
    row: LedgerRow,
    existing: dict[str, Any],
    seen: dict[str, int],
    refs: GridRefs,
    territory: str | None,
    errors: _RowErrors,
) -> Plan | None:
    spec = KINDS[kind]
    for label, zh, en in row.problems:
        errors.add(row, label, zh, en, value=None)
    if row.problems:
        return None
    try:
        code = _code_adapter.validate_python(row.values.get("code"))
    except ValidationError as exc:
        raw = row.values.get("code")
        missing = raw in (None, "")
        errors.add(
            row,
            "code",
            "编码必填，不能为空" if missing else "编码只能含字母、数字、-、_、.，不超过 32 位",
            "Code is required" if missing else exc.errors()[0]["msg"],
        )
        return None
    if code in seen:
        errors.add(
            row,
            "code",
            f"编码 {code} 与第 {seen[code]} 行重复",
            f"Code {code} repeats row {seen[code]}",
        )
        return None
    seen[code] = row.number
    values = {k: v for k, v in row.values.items() if k != "code"}
    if not _subdistrict_of_row(row, values, refs, errors):
        return None
    # An empty number or choice cell means "as before" (or the default for a new item).
    values = {
        k: v
        for k, v in values.items()
        if not (v in (None, "") and k not in NULLABLE_FIELDS and k != "name")
    }
    obj = existing.get(code)
    try:
        if obj is None:
            incoming = spec.create.model_validate({**values, "code": code}).model_dump()
            incoming.pop("code")
        else:
            incoming = spec.update.model_validate(values).model_dump(exclude_unset=True)
    except ValidationError as exc:
        for item in validation_items(list(exc.errors())):
            field = item["field"].split(".")[0] or "code"
            zh, en = item["message"], item["message_en"]
            if item["code"] in ("string_too_short", "missing"):
                zh, en = "必填，不能为空", "Required"
            errors.add(row, field, zh, en, code=item["code"])
        return None
    plan = plan_item(
        db,
        kind=kind,
        code=code,
        existing=obj,
        incoming=incoming,
        refs=refs,
        territory=territory,
    )
    for problem in plan.problems:
        errors.add(row, problem.field, problem.message, problem.message_en)
    return None if plan.problems else plan


def import_ledger(
    db: Session,
    *,
    kind: str,
    ledger: Ledger,
    actor: Actor,
    territory: str | None,
    dry_run: bool = False,
) -> ImportResult:
    """Upsert a ledger's rows by code, all or nothing: one bad row and nothing is written.

    Every bad row is reported with its row number and column. Each created or changed item
    gets one audit row; unchanged rows are left alone.
    """
    spec = KINDS[kind]
    refs = load_refs(db)
    existing = _existing_by_code(
        db, spec.model, [str(r.values.get("code") or "").strip() for r in ledger.rows]
    )
    errors = _RowErrors(kind)
    seen: dict[str, int] = {}
    plans: list[Plan] = []
    for row in ledger.rows:
        plan = _plan_row(
            db,
            kind=kind,
            row=row,
            existing=existing,
            seen=seen,
            refs=refs,
            territory=territory,
            errors=errors,
        )
        if plan is not None:
            plans.append(plan)
    if errors.items:
        db.rollback()
        raise _import_error(spec, errors)
    result = ImportResult(
        kind=kind,
        dry_run=dry_run,
        rows=len(ledger.rows),
        created=sum(p.action == "create" for p in plans),
        updated=sum(p.action == "update" for p in plans),
        unchanged=sum(p.action == "unchanged" for p in plans),
    )
    if dry_run or not (result.created or result.updated):
        db.rollback()
        return result
    applied = [a for a in (apply_plan(db, p) for p in plans) if a is not None]
    finish(db, spec, "", applied, actor)  # no single code: the whole ledger
    return result


def _import_error(spec: KindSpec, errors: _RowErrors) -> ApiError:
    first = errors.items[0]
    total = len(errors.items)
    shown = errors.items[:MAX_REPORTED_ERRORS]
    more_zh = f"（列出前 {MAX_REPORTED_ERRORS} 处）" if total > MAX_REPORTED_ERRORS else ""
    more_en = f" (first {MAX_REPORTED_ERRORS} listed)" if total > MAX_REPORTED_ERRORS else ""
    return ApiError(
        422,
        "import_invalid",
        f"导入失败，未写入任何数据：{len(errors.rows)} 行共 {total} 处错误{more_zh}。"
        f"第 {first['row']} 行「{first['column']}」：{first['message']}",
        f"Import refused, nothing written: {total} errors in {len(errors.rows)} rows{more_en}. "
        f"Row {first['row']}, {first['column']}: {first['message_en']}",
        field=first["field"],
        errors=shown,
    )
