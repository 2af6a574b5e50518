"""One grid item through the API: read, create, update, delete, within the caller's territory."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor, snapshot
from yingji.core.errors import (
    conflict,
    forbidden,
    not_found,
)
from yingji.grid.service.changes import (
    KINDS,
    OUTSIDE_TERRITORY,
    KindSpec,
    apply_plan,
    finish,
    get_item,
    item_dict,
    load_refs,
    plan_item,
    problems_error,
    referrers,
)


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
        raise forbidden(*OUTSIDE_TERRITORY)
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
    finish(db, spec, code, [applied], actor)
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
        raise forbidden(*OUTSIDE_TERRITORY)
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
        finish(db, spec, code, [applied], actor)
    return item_dict(kind, obj)


def delete_item(db: Session, *, kind: str, code: str, actor: Actor, territory: str | None) -> None:
    """Delete one item; an area or line still referred to is a 409 naming what refers to it."""
    spec = KINDS[kind]
    obj = get_item(db, kind=kind, code=code)
    if obj is None:
        raise not_found(spec.zh, spec.en, field="code")
    _require_visible(spec, obj, territory)
    if kind != "points":
        lines, points = referrers(db, kind, code)
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
    finish(db, spec, code, [], actor)
