"""Reading and publishing rule-table versions.

Each sub-domain registers its tables once (:func:`register`) with the default body, where it
comes from, whether it is confirmed, and a validator for bodies an admin publishes. Version 1
of every registered table is its default: it is answered from code until the first new
version is published, which stores version 1 beside it, so reads never write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor
from yingji.core.errors import conflict, invalid
from yingji.prevention.ruleset.models import RuleTableVersion


@dataclass(frozen=True)
class TableSpec:
    kind: str
    title_zh: str
    title_en: str
    default: Any
    source: str
    confirmed: bool
    # returns the normalised body or raises ZhValueError / ApiError
    validate: Callable[[Any], Any]


@dataclass(frozen=True)
class RuleTable:
    """The version in force: what a judgement uses and records."""

    kind: str
    version: int
    effective_from: date
    body: Any
    confirmed: bool
    source: str


_SPECS: dict[str, TableSpec] = {}
DEFAULT_EFFECTIVE = date(2000, 1, 1)


def register(spec: TableSpec) -> TableSpec:
    _SPECS[spec.kind] = spec
    return spec


def specs() -> dict[str, TableSpec]:
    return dict(_SPECS)


def spec(kind: str) -> TableSpec:
    found = _SPECS.get(kind)
    if found is None:
        raise invalid("kind", f"未知规则表：{kind}", f"Unknown rule table {kind!r}")
    return found


def _table(row: RuleTableVersion) -> RuleTable:
    return RuleTable(row.kind, row.version, row.effective_from, row.body, row.confirmed, row.source)


def _ensure_default(db: Session, table: TableSpec) -> None:
    exists = db.scalar(
        select(RuleTableVersion.id).where(RuleTableVersion.kind == table.kind).limit(1)
    )
    if exists is None:
        db.add(
            RuleTableVersion(
                kind=table.kind, version=1, effective_from=DEFAULT_EFFECTIVE,
                body=table.default, confirmed=table.confirmed, source=table.source,
                note="默认 / default",
            )
        )  # fmt: skip
        db.flush()


def in_force(db: Session, kind: str, *, on: date) -> RuleTable:
    """The version of ``kind`` in force on ``on`` (the latest effective on or before it)."""
    table = spec(kind)
    row = db.scalars(
        select(RuleTableVersion)
        .where(RuleTableVersion.kind == kind, RuleTableVersion.effective_from <= on)
        .order_by(RuleTableVersion.effective_from.desc(), RuleTableVersion.version.desc())
        .limit(1)
    ).first()
    if row is None:  # nothing stored yet, or every version starts later: the default applies
        return _default(table)
    return _table(row)


def _default(table: TableSpec) -> RuleTable:
    return RuleTable(table.kind, 1, DEFAULT_EFFECTIVE, table.default, table.confirmed, table.source)


def version(db: Session, kind: str, number: int) -> RuleTable | None:
    row = db.scalars(
        select(RuleTableVersion).where(
            RuleTableVersion.kind == kind, RuleTableVersion.version == number
        )
    ).first()
    if row is None and number == 1 and kind in _SPECS:
        return _default(_SPECS[kind])
    return None if row is None else _table(row)


def history(db: Session, kind: str) -> list[RuleTable]:
    """Every version, oldest first (the default alone until a version is published)."""
    table = spec(kind)
    rows = db.scalars(
        select(RuleTableVersion)
        .where(RuleTableVersion.kind == kind)
        .order_by(RuleTableVersion.version)
    ).all()
    return [_table(r) for r in rows] or [_default(table)]


def publish(
    db: Session,
    *,
    kind: str,
    body: Any,
    effective_from: date,
    confirmed: bool,
    source: str,
    note: str,
    actor: Actor,
    today: date,
) -> RuleTableVersion:
    """A new version from ``effective_from`` (today or later: history is never rewritten)."""
    table = spec(kind)
    if effective_from < today:
        raise conflict(
            "rules_backdated",
            "新规则版本不能早于今天生效（已有的判定不被改写）",
            "A new rule version cannot take effect before today (past judgements stand)",
            field="effective_from",
        )
    normalised = table.validate(body)
    _ensure_default(db, table)
    number = (
        db.scalar(select(func.max(RuleTableVersion.version)).where(RuleTableVersion.kind == kind))
        or 0
    ) + 1
    row = RuleTableVersion(
        kind=kind, version=number, effective_from=effective_from, body=normalised,
        confirmed=confirmed, source=source, note=note, created_by=actor.name or actor.id,
    )  # fmt: skip
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="rule_table", object_id=row.id,
        after={"kind": kind, "version": number, "effective_from": effective_from.isoformat()},
    )  # fmt: skip
    return row
