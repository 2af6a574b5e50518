"""Querying and changing grid items, and their ledgers; the way in for other domains.

Locating positions lives in :mod:`yingji.grid.locating` and the grid's revision in
:mod:`yingji.grid.revision`; both are re-exported here, so other domains import only this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from shapely import prepared
from shapely.geometry import Point
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor, snapshot
from yingji.core.errors import (
    ApiError,
    conflict,
    forbidden,
    not_found,
    validation_items,
)
from yingji.grid.checks import (
    TOLERANCE_DEG,
    GridRefs,
    Problem,
    check_item,
    item_shape,
    line_length_m,
)
from yingji.grid.ledger import Ledger, LedgerRow, header_of
from yingji.grid.locating import MAX_LOCATE_DISTANCE_M as MAX_LOCATE_DISTANCE_M
from yingji.grid.locating import Position as Position
from yingji.grid.locating import build_index as build_index
from yingji.grid.locating import find as find
from yingji.grid.locating import locate as locate
from yingji.grid.locating import locate_index as locate_index
from yingji.grid.locating import located_facts as located_facts
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.revision import bump_revision as bump_revision
from yingji.grid.revision import current_revision as current_revision
from yingji.grid.schemas import (
    NULLABLE_FIELDS,
    AreaCreate,
    AreaUpdate,
    Code,
    ImportResult,
    LineCreate,
    LineUpdate,
    PointCreate,
    PointUpdate,
)
from yingji.org import service as org_service

GridModel = type[GridArea] | type[GridLine] | type[GridPoint]


def list_stmt(
    model: GridModel,
    *,
    subdistrict_code: str | None = None,
    area_code: str | None = None,
    q: str | None = None,
) -> Select[Any]:
    stmt = select(model).order_by(model.code)
    if subdistrict_code is not None:
        stmt = stmt.where(model.subdistrict_code == subdistrict_code)
    if area_code is not None and model is not GridArea:
        stmt = stmt.where(model.area_code == area_code)  # type: ignore[union-attr]
    if q:
        stmt = stmt.where(model.name.contains(q))
    return stmt


POINT_FEATURE_COLUMNS = (
    GridPoint.code,
    GridPoint.name,
    GridPoint.kind,
    GridPoint.subdistrict_code,
    GridPoint.area_code,
    GridPoint.responsible_name,
    GridPoint.responsible_phone,
    GridPoint.lon,
    GridPoint.lat,
)


def point_features(db: Session, *, subdistrict_code: str | None = None) -> dict[str, Any]:
    """Every point as a compact GeoJSON FeatureCollection: the few properties a map needs to
    draw and summarise a point (4,758 of them in the demo district), coordinates to 1e-6°
    (about 0.1 m)."""
    stmt = select(*POINT_FEATURE_COLUMNS).order_by(GridPoint.code)
    if subdistrict_code is not None:
        stmt = stmt.where(GridPoint.subdistrict_code == subdistrict_code)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 6), round(r.lat, 6)]},
            "properties": {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "subdistrict_code": r.subdistrict_code,
                "area_code": r.area_code,
                "responsible_name": r.responsible_name,
                "responsible_phone": r.responsible_phone,
            },
        }
        for r in db.execute(stmt)
    ]
    return {"type": "FeatureCollection", "features": features}


def points_version(db: Session, *, subdistrict_code: str | None = None) -> str:
    """A token that changes whenever the points of a territory may have: the grid revision,
    their count and their latest change (a replaced database changes it too)."""
    stmt = select(func.count(), func.max(GridPoint.updated_at))
    if subdistrict_code is not None:
        stmt = stmt.where(GridPoint.subdistrict_code == subdistrict_code)
    count, latest = db.execute(stmt).one()
    stamp = latest.timestamp() if latest is not None else 0
    return f"{current_revision(db)}-{count}-{stamp:.0f}"


def point_geometry(point: GridPoint) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [point.lon, point.lat]}


# --- one item: read, create, update, delete -----------------------------------------------------


@dataclass(frozen=True)
class KindSpec:
    """What differs between 面, 线 and 点 for the generic write and ledger code."""

    key: str  # URL segment: areas | lines | points
    model: Any
    object_type: str  # audit object type
    zh: str
    en: str
    create: type[BaseModel]
    update: type[BaseModel]


KINDS: dict[str, KindSpec] = {
    "areas": KindSpec(
        "areas", GridArea, "grid_area", "网格面", "grid area", AreaCreate, AreaUpdate
    ),
    "lines": KindSpec(
        "lines", GridLine, "grid_line", "网格线", "grid line", LineCreate, LineUpdate
    ),
    "points": KindSpec(
        "points", GridPoint, "grid_point", "网格点", "grid point", PointCreate, PointUpdate
    ),
}
# Fields whose change moves an item, so its placement and references are checked again.
_PLACEMENT_FIELDS = frozenset(
    {"geometry", "lon", "lat", "subdistrict_code", "area_code", "line_code"}
)
_OUTSIDE_TERRITORY = ("不能修改其他街道的网格数据", "Outside your sub-district")


def item_dict(kind: str, obj: Any) -> dict[str, Any]:
    """An item's columns as a dict, with a point's GeoJSON geometry, as the API shows it."""
    values = {c.key: getattr(obj, c.key) for c in obj.__table__.columns}
    if kind == "points":
        values["geometry"] = point_geometry(obj)
    return values


def get_item(db: Session, *, kind: str, code: str) -> Any | None:
    model = KINDS[kind].model
    return db.scalar(select(model).where(model.code == code))


def load_refs(db: Session) -> GridRefs:
    """Sub-districts, areas and lines as the placement rules need them."""
    subdistricts = {
        code: (name, geometry) for code, name, geometry in org_service.subdistrict_geometries(db)
    }
    areas = {
        code: (sub, geometry)
        for code, sub, geometry in db.execute(
            select(GridArea.code, GridArea.subdistrict_code, GridArea.geometry)
        )
    }
    lines = dict(db.execute(select(GridLine.code, GridLine.subdistrict_code)).all())
    return GridRefs(subdistricts=subdistricts, areas=areas, lines=lines)


@dataclass
class Plan:
    """One item's intended write: its merged values and what changes, or why it cannot be."""

    kind: str
    code: str
    existing: Any | None
    values: dict[str, Any]
    changed: set[str]
    problems: list[Problem]

    @property
    def action(self) -> str:
        if self.existing is None:
            return "create"
        return "update" if self.changed else "unchanged"


def plan_item(
    db: Session,
    *,
    kind: str,
    code: str,
    existing: Any | None,
    incoming: dict[str, Any],
    refs: GridRefs,
    territory: str | None,
) -> Plan:
    """Merge validated ``incoming`` fields over ``existing`` (or defaults) and check the result.

    ``territory`` confines a sub-district operator: the item must stay in that sub-district.
    """
    spec = KINDS[kind]
    if existing is None:
        values = dict(incoming)
        if not values.get("subdistrict_code") and territory is not None:
            values["subdistrict_code"] = territory
        changed = set(values)
    else:
        current = item_dict(kind, existing)
        values = {**current, **incoming}
        changed = {k for k, v in incoming.items() if current.get(k) != v}
    values["code"] = code
    plan = Plan(kind, code, existing, values, changed, [])
    if territory is not None:
        for sub in {values.get("subdistrict_code"), getattr(existing, "subdistrict_code", None)}:
            if sub is not None and sub != territory:
                plan.problems.append(Problem("subdistrict_code", *_OUTSIDE_TERRITORY))
                return plan
    if existing is None or changed & _PLACEMENT_FIELDS:
        plan.problems.extend(check_item(kind, values, refs))
    if existing is not None and not plan.problems and changed & {"subdistrict_code", "geometry"}:
        plan.problems.extend(_dependent_problems(db, spec, existing, values, changed))
    return plan


def _dependent_problems(
    db: Session, spec: KindSpec, existing: Any, values: dict[str, Any], changed: set[str]
) -> list[Problem]:
    """An area or line that others refer to cannot leave its sub-district or its points."""
    if spec.key == "points":
        return []
    problems = []
    lines, points = _referrers(db, spec.key, existing.code)
    if "subdistrict_code" in changed and (lines or points):
        problems.append(
            Problem(
                "subdistrict_code",
                f"仍有 {lines} 条线、{points} 个点属于该{spec.zh}，不能改到其他街道",
                f"{lines} lines and {points} points still refer to it; "
                "it cannot move to another sub-district",
            )
        )
    if spec.key == "areas" and "geometry" in changed and points:
        shape_ = prepared.prep(item_shape("areas", values).buffer(TOLERANCE_DEG))
        outside = [
            code
            for code, lon, lat in db.execute(
                select(GridPoint.code, GridPoint.lon, GridPoint.lat)
                .where(GridPoint.area_code == existing.code)
                .order_by(GridPoint.code)
            )
            if not shape_.covers(Point(lon, lat))
        ]
        if outside:
            sample = "、".join(outside[:5]) + ("等" if len(outside) > 5 else "")
            problems.append(
                Problem(
                    "geometry",
                    f"修改后有 {len(outside)} 个点不在面内（{sample}）",
                    f"{len(outside)} of its points would lie outside ({', '.join(outside[:5])})",
                )
            )
    return problems


def _referrers(db: Session, kind: str, code: str) -> tuple[int, int]:
    """How many lines and points name this area (or points this line)."""
    if kind == "areas":
        lines = db.scalar(select(func.count()).where(GridLine.area_code == code)) or 0
        points = db.scalar(select(func.count()).where(GridPoint.area_code == code)) or 0
        return int(lines), int(points)
    points = db.scalar(select(func.count()).where(GridPoint.line_code == code)) or 0
    return 0, int(points)


@dataclass
class Applied:
    """A written plan awaiting its audit row: the object and its snapshot before the change."""

    plan: Plan
    obj: Any
    before: dict[str, Any] | None


def apply_plan(db: Session, plan: Plan) -> Applied | None:
    """Stage a checked plan's write in the session (no flush); None if nothing changes."""
    spec = KINDS[plan.kind]
    if plan.action == "unchanged":
        return None
    columns = spec.model.__table__.columns
    fields = {
        k: v for k, v in plan.values.items() if k in columns and k not in ("id", "updated_at")
    }
    changed = set(fields) if plan.existing is None else plan.changed & set(fields)
    if plan.kind == "lines" and "geometry" in changed:
        fields["length_m"] = line_length_m(fields["geometry"])
        changed.add("length_m")
    if plan.existing is None:
        obj = spec.model(**fields)
        db.add(obj)
        return Applied(plan, obj, None)
    before = snapshot(plan.existing)
    for key in changed:
        setattr(plan.existing, key, fields[key])
    return Applied(plan, plan.existing, before)


def audit_applied(db: Session, applied: list[Applied], *, actor: Actor) -> None:
    """Flush the staged writes once, then add one audit row per item with before and after."""
    db.flush()
    audit.record_many(
        db,
        actor=actor,
        changes=[
            audit.Change(
                action=item.plan.action,
                object_type=KINDS[item.plan.kind].object_type,
                object_id=item.obj.code,
                before=item.before,
                after=snapshot(item.obj),
            )
            for item in applied
        ],
    )


def problems_error(problems: list[Problem]) -> ApiError:
    """422 listing every problem of one item."""
    first = problems[0]
    return ApiError(
        422,
        "invalid",
        first.message,
        first.message_en,
        field=first.field,
        errors=[
            {"field": p.field, "code": "invalid", "message": p.message, "message_en": p.message_en}
            for p in problems
        ],
    )


def _finish(db: Session, spec: KindSpec, code: str, applied: list[Applied], actor: Actor) -> None:
    """Audit, bump the grid revision and commit; a concurrent duplicate becomes a 409."""
    try:
        audit_applied(db, applied, actor=actor)
        bump_revision(db)
        db.commit()
    except IntegrityError as exc:
        db.rollback()
        what_zh, what_en = f"{spec.zh} {code}".strip(), f"{spec.en} {code}".strip()
        raise conflict(
            "conflict",
            f"{what_zh} 与同时进行的修改冲突（编码重复或引用已删除），请刷新后重试",
            f"{what_en} conflicts with a concurrent change; reload and retry",
            field="code",
        ) from exc


def _require_visible(spec: KindSpec, obj: Any, territory: str | None) -> None:
    if territory is not None and obj.subdistrict_code != territory:
        raise forbidden("无权访问其他街道的网格数据", "Outside your sub-district")


def read_one(db: Session, *, kind: str, code: str, territory: str | None) -> dict[str, Any]:
    """One item by code, if the caller's territory covers it."""
    spec = KINDS[kind]
    obj = get_item(db, kind=kind, code=code)
    if obj is None:
        raise not_found(spec.zh, spec.en, field="code")
    _require_visible(spec, obj, territory)
    return item_dict(kind, obj)


def create_item(
    db: Session, *, kind: str, data: BaseModel, actor: Actor, territory: str | None
) -> dict[str, Any]:
    """Create one item (code unique → 409), audited, in one transaction."""
    spec = KINDS[kind]
    incoming = data.model_dump()
    code = incoming.pop("code")
    if territory is not None and incoming.get("subdistrict_code") not in (None, territory):
        raise forbidden(*_OUTSIDE_TERRITORY)
    if get_item(db, kind=kind, code=code) is not None:
        raise conflict(
            "duplicate_code", f"{spec.zh}编码 {code} 已存在", f"{spec.en} {code} exists", "code"
        )
    plan = plan_item(
        db,
        kind=kind,
        code=code,
        existing=None,
        incoming=incoming,
        refs=load_refs(db),
        territory=territory,
    )
    if plan.problems:
        raise problems_error(plan.problems)
    applied = apply_plan(db, plan)
    assert applied is not None  # a new item always changes something
    _finish(db, spec, code, [applied], actor)
    return item_dict(kind, applied.obj)


def update_item(
    db: Session,
    *,
    kind: str,
    code: str,
    changes: dict[str, Any],
    actor: Actor,
    territory: str | None,
) -> dict[str, Any]:
    """Change some fields of one item; moving it out of the caller's territory is refused."""
    spec = KINDS[kind]
    obj = get_item(db, kind=kind, code=code)
    if obj is None:
        raise not_found(spec.zh, spec.en, field="code")
    _require_visible(spec, obj, territory)
    if territory is not None and changes.get("subdistrict_code") not in (None, territory):
        raise forbidden(*_OUTSIDE_TERRITORY)
    plan = plan_item(
        db,
        kind=kind,
        code=code,
        existing=obj,
        incoming=changes,
        refs=load_refs(db),
        territory=territory,
    )
    if plan.problems:
        raise problems_error(plan.problems)
    applied = apply_plan(db, plan)
    if applied is not None:
        _finish(db, spec, code, [applied], actor)
    return item_dict(kind, obj)


def delete_item(db: Session, *, kind: str, code: str, actor: Actor, territory: str | None) -> None:
    """Delete one item; an area or line still referred to is a 409 naming what refers to it."""
    spec = KINDS[kind]
    obj = get_item(db, kind=kind, code=code)
    if obj is None:
        raise not_found(spec.zh, spec.en, field="code")
    _require_visible(spec, obj, territory)
    if kind != "points":
        lines, points = _referrers(db, kind, code)
        if lines or points:
            parts_zh = "、".join(
                p
                for p in (f"{lines} 条线" if lines else "", f"{points} 个点" if points else "")
                if p
            )
            raise conflict(
                "in_use",
                f"{spec.zh} {code} 仍被 {parts_zh} 引用，请先修改或删除它们",
                f"{spec.en} {code} is still referred to by {lines} lines and {points} points; "
                "change or delete them first",
                field="code",
            )
    audit.record(
        db,
        actor=actor,
        action="delete",
        object_type=spec.object_type,
        object_id=code,
        before=snapshot(obj),
        after=None,
    )
    db.delete(obj)
    _finish(db, spec, code, [], actor)


# --- ledgers: export and import ------------------------------------------------------------------

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
    _finish(db, spec, "", applied, actor)  # no single code: the whole ledger
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
