"""Risk points, hazard sources, assessments and controls: queries and audited changes.

An assessment grades the point with the band table in force on the day (Beijing), stores
the version it used, becomes the point's colour and control level, and rolls the enterprise's
overall colour up (the most serious of its active points) through the enterprise directory.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor
from yingji.core.errors import ZhValueError, conflict, invalid, not_found
from yingji.enterprise import directory
from yingji.prevention.risk import rules, tables
from yingji.prevention.risk.models import ControlMeasure, HazardSource, RiskAssessment, RiskPoint
from yingji.prevention.ruleset import service as ruleset
from yingji.scheduling import clock


def scope_codes(db: Session, *, enterprise: str | None, territory: str | None) -> set[str] | None:
    """The enterprise codes a caller may see; None for the whole district."""
    if enterprise is not None:
        return {enterprise}
    if territory is not None:
        return {e.code for e in directory.find(db, subdistrict_code=territory)}
    return None


def points_stmt(
    *,
    codes: set[str] | None,
    enterprise_code: str | None = None,
    colour: str | None = None,
    kind: str | None = None,
    active: bool | None = True,
) -> Select[Any]:
    stmt = select(RiskPoint)
    if codes is not None:
        stmt = stmt.where(RiskPoint.enterprise_code.in_(sorted(codes)))
    if enterprise_code:
        stmt = stmt.where(RiskPoint.enterprise_code == enterprise_code.upper())
    if colour == "none":
        stmt = stmt.where(RiskPoint.colour.is_(None))
    elif colour:
        stmt = stmt.where(RiskPoint.colour == colour)
    if kind:
        stmt = stmt.where(RiskPoint.kind == kind)
    if active is not None:
        stmt = stmt.where(RiskPoint.active.is_(active))
    return stmt.order_by(RiskPoint.enterprise_code, RiskPoint.code)


def counts(db: Session, point_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(hazard sources, active controls) per risk point."""
    if not point_ids:
        return {}
    sources = dict(
        db.execute(
            select(HazardSource.risk_point_id, func.count())
            .where(HazardSource.risk_point_id.in_(point_ids))
            .group_by(HazardSource.risk_point_id)
        ).all()
    )
    controls = dict(
        db.execute(
            select(ControlMeasure.risk_point_id, func.count())
            .where(ControlMeasure.risk_point_id.in_(point_ids), ControlMeasure.active.is_(True))
            .group_by(ControlMeasure.risk_point_id)
        ).all()
    )
    return {i: (int(sources.get(i, 0)), int(controls.get(i, 0))) for i in point_ids}


def get_point(db: Session, point_id: int) -> RiskPoint:
    row = db.get(RiskPoint, point_id)
    if row is None:
        raise not_found(f"风险点 {point_id}", f"risk point {point_id}", field="risk_point_id")
    return row


def create_point(db: Session, *, data: dict[str, Any], actor: Actor) -> RiskPoint:
    ent = directory.require(db, data["enterprise_code"].upper())
    data = {**data, "enterprise_code": ent.code}
    if data.get("unit_id") is not None and data["unit_id"] not in {
        u.id for u in directory.units(db, ent.code)
    }:
        raise invalid("unit_id", "该单元不属于此企业", "The unit is not the enterprise's")
    taken = db.scalar(
        select(RiskPoint.id).where(
            RiskPoint.enterprise_code == ent.code, RiskPoint.code == data["code"]
        )
    )
    if taken is not None:
        raise conflict(
            "risk_point_exists", f"风险点编码 {data['code']} 已存在",
            f"Risk point {data['code']} exists", field="code",
        )  # fmt: skip
    tag = data.pop("tag", None) or f"YJ-{ent.code[-6:]}-{data['code']}"
    if db.scalar(select(RiskPoint.id).where(RiskPoint.tag == tag)) is not None:
        raise conflict("tag_taken", f"标签 {tag} 已被使用", f"Tag {tag} is in use", field="tag")
    row = RiskPoint(**data, tag=tag)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="risk_point", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def update_point(
    db: Session, row: RiskPoint, *, changes: dict[str, Any], actor: Actor, now: datetime
) -> RiskPoint:
    before = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    db.flush()
    if "active" in changes:
        rollup(db, row.enterprise_code, now=now)
    audit.record(
        db, actor=actor, action="update", object_type="risk_point", object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def rollup(db: Session, enterprise_code: str, *, now: datetime) -> str | None:
    """Set the enterprise's colour to the most serious of its active points'."""
    colours = db.scalars(
        select(RiskPoint.colour)
        .where(RiskPoint.enterprise_code == enterprise_code, RiskPoint.active.is_(True))
        .distinct()
    ).all()
    colour = rules.worst(list(colours))
    directory.set_risk_colour(db, enterprise_code, colour, now=now)
    return colour


def assess(
    db: Session, point: RiskPoint, *, body: dict[str, Any], actor: Actor, now: datetime
) -> tuple[RiskAssessment, bool]:
    """Grade ``point`` by the method in ``body``; (the assessment, its table's confirmation)."""
    method = body["method"]
    today = clock.local_date()
    try:
        if method == "LEC":
            table = ruleset.in_force(db, tables.LEC_BANDS.kind, on=today)
            grade = rules.lec(body["l"], body["e"], body["c"], table.body)
            inputs = {"l": body["l"], "e": body["e"], "c": body["c"]}
        elif method == "LS":
            table = ruleset.in_force(db, tables.LS_BANDS.kind, on=today)
            grade = rules.ls(body["l"], body["s"], table.body)
            inputs = {"l": body["l"], "s": body["s"]}
        else:
            table = ruleset.in_force(db, tables.DIRECT_ITEMS.kind, on=today)
            grade = rules.direct(body["items"], table.body)
            texts = {i["code"]: i["text"] for i in table.body}
            inputs = {"items": [{"code": c, "text": texts[c]} for c in body["items"]]}
    except ZhValueError as exc:
        field = "items" if method == "direct" else _factor_field(exc)
        raise invalid(field, exc.zh, str(exc), code="invalid_factor") from exc
    row = RiskAssessment(
        risk_point_id=point.id, method=method, inputs=inputs, score=grade.score,
        colour=grade.colour, level=grade.level, rule_kind=table.kind, rule_version=table.version,
        assessed_by=actor.name or actor.id, assessed_at=now, note=body.get("note", ""),
    )  # fmt: skip
    db.add(row)
    db.flush()
    before = {"colour": point.colour, "score": point.score}
    point.colour = None if grade.colour == "ungraded" else grade.colour
    point.score = grade.score
    point.latest_assessment_id = row.id
    point.control_level = rules.CONTROL_LEVEL.get(grade.colour, point.control_level)
    db.flush()
    rollup(db, point.enterprise_code, now=now)
    audit.record(
        db, actor=actor, action="assess", object_type="risk_point", object_id=point.id,
        before=before, after={"colour": grade.colour, "score": grade.score, "method": method,
                              "rule": f"{table.kind} v{table.version}"},
    )  # fmt: skip
    return row, table.confirmed


def _factor_field(exc: ZhValueError) -> str:
    text = str(exc)
    for name in ("L", "E", "C", "S"):
        if text.startswith(f"{name} "):
            return name.lower()
    return "method"


def assessments(db: Session, point_id: int) -> list[RiskAssessment]:
    return list(
        db.scalars(
            select(RiskAssessment)
            .where(RiskAssessment.risk_point_id == point_id)
            .order_by(RiskAssessment.assessed_at.desc(), RiskAssessment.id.desc())
        )
    )


def is_confirmed(db: Session, kind: str, version: int) -> bool:
    table = ruleset.version(db, kind, version)
    return bool(table and table.confirmed)


# --- hazard sources and controls ----------------------------------------------------------


def sources(db: Session, point_id: int) -> list[HazardSource]:
    return list(
        db.scalars(
            select(HazardSource)
            .where(HazardSource.risk_point_id == point_id)
            .order_by(HazardSource.id)
        )
    )


def add_source(
    db: Session, point: RiskPoint, *, data: dict[str, Any], actor: Actor
) -> HazardSource:
    row = HazardSource(enterprise_code=point.enterprise_code, **data)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="hazard_source", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def get_source(db: Session, source_id: int) -> HazardSource:
    row = db.get(HazardSource, source_id)
    if row is None:
        raise not_found(f"危险源 {source_id}", f"hazard source {source_id}", field="source_id")
    return row


def update_row(
    db: Session, row: Any, *, changes: dict[str, Any], actor: Actor, object_type: str
) -> Any:
    before = audit.snapshot(row)
    for key, value in changes.items():
        setattr(row, key, value)
    db.flush()
    audit.record(
        db, actor=actor, action="update", object_type=object_type, object_id=row.id,
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


def controls(db: Session, point_id: int) -> list[ControlMeasure]:
    return list(
        db.scalars(
            select(ControlMeasure)
            .where(ControlMeasure.risk_point_id == point_id)
            .order_by(ControlMeasure.id)
        )
    )


def add_control(
    db: Session, point: RiskPoint, *, data: dict[str, Any], actor: Actor
) -> ControlMeasure:
    """A control measure; its level follows the point's colour unless given."""
    level = data.pop("control_level", None) or rules.CONTROL_LEVEL.get(point.colour or "", "post")
    row = ControlMeasure(
        risk_point_id=point.id, enterprise_code=point.enterprise_code, control_level=level, **data
    )
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="control_measure", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def get_control(db: Session, control_id: int) -> ControlMeasure:
    row = db.get(ControlMeasure, control_id)
    if row is None:
        raise not_found(f"管控措施 {control_id}", f"control {control_id}", field="control_id")
    return row


def risk_map(db: Session, stmt: Select[Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Points with a position as GeoJSON features, and the count per colour."""
    features: list[dict[str, Any]] = []
    tally = {"red": 0, "orange": 0, "yellow": 0, "blue": 0, "none": 0}
    for p in db.scalars(stmt):
        tally[p.colour or "none"] += 1
        if p.lon is None or p.lat is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                "properties": {
                    "id": p.id, "code": p.code, "name": p.name,
                    "enterprise_code": p.enterprise_code, "colour": p.colour,
                    "level": rules.LEVELS.get(p.colour or "ungraded", ("", ""))[0],
                    "control_level": p.control_level,
                },
            }
        )  # fmt: skip
    return features, tally
