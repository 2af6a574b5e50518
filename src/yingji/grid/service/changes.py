"""A change to one grid item, planned then applied: what each kind is (``KINDS``), the checks
a change must pass against the grid as it is (its references, its dependants), the audit
rows and the revision bump. One-item writes and ledger imports both go through here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from shapely import prepared
from shapely.geometry import Point
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor, snapshot
from yingji.core.errors import (
    ApiError,
    conflict,
)
from yingji.grid.checks import (
    TOLERANCE_DEG,
    GridRefs,
    Problem,
    check_item,
    item_shape,
    line_length_m,
)
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.grid.revision import bump_revision
from yingji.grid.schemas import (
    AreaCreate,
    AreaUpdate,
    LineCreate,
    LineUpdate,
    PointCreate,
    PointUpdate,
)
from yingji.grid.service.features import (
    point_geometry,
)
from yingji.org import service as org_service


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


_PLACEMENT_FIELDS = frozenset(
    {"geometry", "lon", "lat", "subdistrict_code", "area_code", "line_code"}
)


OUTSIDE_TERRITORY = ("不能修改其他街道的网格数据", "Outside your sub-district")


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
                plan.problems.append(Problem("subdistrict_code", *OUTSIDE_TERRITORY))
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
    lines, points = referrers(db, spec.key, existing.code)
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


def referrers(db: Session, kind: str, code: str) -> tuple[int, int]:
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


def finish(db: Session, spec: KindSpec, code: str, applied: list[Applied], actor: Actor) -> None:
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
