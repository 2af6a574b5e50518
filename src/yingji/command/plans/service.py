"""Plans in the database: every version kept, an edit makes a new version, YAML in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources as package_files
from typing import Any

import yaml
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.command.models import Plan, PlanRevision, PlanVersion
from yingji.command.plans import document
from yingji.command.plans.document import INCIDENT_SUBDISTRICT, PlanDocument
from yingji.core.errors import ApiError, conflict, not_found
from yingji.org import service as org_service
from yingji.resources import service as resources_service


@dataclass(frozen=True)
class KnownCodes:
    """Codes a plan may name, from the organisation and the resources domains."""

    headquarters: set[str]
    departments: set[str]
    subdistricts: set[str]
    teams: set[str]
    experts: set[str]


def known_codes(db: Session) -> KnownCodes:
    return KnownCodes(
        headquarters={h.code for h in org_service.list_headquarters(db)},
        departments={d.code for d in org_service.list_departments(db)},
        subdistricts=set(org_service.subdistrict_names(db)),
        teams={t.code for t in resources_service.teams(db)},
        experts={e.code for e in resources_service.experts(db)},
    )


def check_references(doc: PlanDocument, known: KnownCodes, node: yaml.Node | None = None) -> None:
    """Every code the plan names must exist (422 listing each unknown one, with its line)."""
    errors: list[dict[str, Any]] = []

    def bad(loc: tuple[Any, ...], what_zh: str, what_en: str, code: str | None) -> None:
        errors.append(
            {
                "field": ".".join(str(p) for p in loc),
                "line": document._line_of(node, loc) if node is not None else None,
                "code": "unknown_reference",
                "message": f"未知的{what_zh}编码：{code}",
                "message_en": f"Unknown {what_en} code: {code}",
            }
        )

    if doc.headquarters and doc.headquarters not in known.headquarters:
        bad(("headquarters",), "指挥部", "headquarters", doc.headquarters)
    tables = {
        "headquarters": (known.headquarters, "指挥部", "headquarters"),
        "department": (known.departments, "部门", "department"),
        "subdistrict": (known.subdistricts | {INCIDENT_SUBDISTRICT}, "街道", "sub-district"),
        "team": (known.teams, "队伍", "team"),
        "expert": (known.experts, "专家", "expert"),
    }
    groups: list[tuple[tuple[Any, ...], list[document.Party]]] = [
        (("response_levels", i, "parties"), r.parties) for i, r in enumerate(doc.response_levels)
    ]
    groups.append((("aftermath",), doc.aftermath))
    for prefix, parties in groups:
        for j, party in enumerate(parties):
            if party.type == "committee" or party.code is None:
                continue
            valid, zh, en = tables[party.type]
            if party.code not in valid:
                bad((*prefix, j, "code"), zh, en, party.code)
    for i, r in enumerate(doc.response_levels):
        lead = r.lead
        if lead.type in ("headquarters", "office") and lead.code not in known.headquarters:
            bad(("response_levels", i, "lead", "code"), "指挥部", "headquarters", lead.code)
        if lead.type == "department" and lead.code not in known.departments:
            bad(("response_levels", i, "lead", "code"), "部门", "department", lead.code)
    if errors:
        first = errors[0]
        at = f"（第 {first['line']} 行）" if first.get("line") else ""
        raise ApiError(
            422,
            "invalid_plan",
            f"预案有 {len(errors)} 处错误；{first['field']}{at}：{first['message']}",
            f"The plan has {len(errors)} error(s); {first['field']}: {first['message_en']}",
            field=first["field"],
            errors=errors,
        )


# ------------------------------------------------------------------ reading
def get_plan(db: Session, plan_id: int) -> Plan:
    plan = db.get(Plan, plan_id)
    if plan is None:
        raise not_found("预案", "Plan", field="plan_id")
    return plan


def get_plan_by_code(db: Session, code: str) -> Plan | None:
    return db.scalar(select(Plan).where(Plan.code == code))


def get_version(db: Session, plan: Plan, version: int | None = None) -> PlanVersion:
    v = db.scalar(
        select(PlanVersion).where(
            PlanVersion.plan_id == plan.id,
            PlanVersion.version == (version if version is not None else plan.current_version),
        )
    )
    if v is None:
        raise not_found("预案版本", "Plan version", field="version")
    return v


def versions(db: Session, plan: Plan) -> list[PlanVersion]:
    return list(
        db.scalars(
            select(PlanVersion)
            .where(PlanVersion.plan_id == plan.id)
            .order_by(PlanVersion.version.desc())
        )
    )


def list_stmt(
    *, kind: str | None = None, headquarters: str | None = None, q: str | None = None
) -> Select[Any]:
    stmt = select(Plan).order_by(Plan.code)
    if kind:
        stmt = stmt.where(Plan.kind == kind)
    if headquarters:
        stmt = stmt.where(Plan.headquarters_code == headquarters)
    if q:
        stmt = stmt.where(Plan.name.contains(q) | Plan.code.contains(q))
    return stmt


def current_documents(db: Session) -> list[tuple[Plan, PlanVersion, PlanDocument]]:
    """Every plan's current version, parsed (for suggestions)."""
    rows = db.execute(
        select(Plan, PlanVersion)
        .join(PlanVersion, PlanVersion.plan_id == Plan.id)
        .where(PlanVersion.version == Plan.current_version)
        .order_by(Plan.code)
    ).all()
    return [(p, v, PlanDocument.model_validate(v.body)) for p, v in rows]


# ------------------------------------------------------------------ writing
def save(
    db: Session,
    *,
    doc: PlanDocument,
    actor: audit.Actor,
    now: datetime,
    note: str = "",
    node: yaml.Node | None = None,
    known: KnownCodes | None = None,
    expect_version: int | None = None,
) -> tuple[Plan, PlanVersion]:
    """Create a plan, or add a new version of the plan with the same code.

    ``expect_version``: the version the editor started from; if the plan moved on since,
    409 (two editors never overwrite each other silently). An unchanged body is not a new
    version.
    """
    check_references(doc, known or known_codes(db), node)
    body = doc.model_dump(mode="json")
    plan = db.scalar(select(Plan).where(Plan.code == doc.code).with_for_update())
    if plan is None:
        plan = Plan(
            code=doc.code,
            name=doc.name,
            kind=doc.kind,
            headquarters_code=doc.headquarters,
            current_version=1,
            created_at=now,
            updated_at=now,
        )
        db.add(plan)
        db.flush()
        number = 1
    else:
        if expect_version is not None and expect_version != plan.current_version:
            raise conflict(
                "plan_version_moved",
                f"预案已被他人修改（当前第 {plan.current_version} 版，您编辑的是第 "
                f"{expect_version} 版），请刷新后再改",
                f"The plan moved on to version {plan.current_version} since your version "
                f"{expect_version}; reload and edit again",
                field="expect_version",
            )
        current = get_version(db, plan)
        if current.body == body:
            return plan, current
        number = plan.current_version + 1
        plan.name, plan.kind, plan.headquarters_code = doc.name, doc.kind, doc.headquarters
        plan.current_version = number
        plan.updated_at = now
    version = PlanVersion(
        plan_id=plan.id, version=number, body=body, note=note[:500], created_at=now,
        created_by=actor.name,
    )  # fmt: skip
    db.add(version)
    db.flush()
    _close_revisions(db, plan, number, now)
    audit.record(
        db,
        actor=actor,
        action="plan_version",
        object_type="plan",
        object_id=plan.id,
        after={"code": plan.code, "version": number, "note": note},
    )
    return plan, version


def _close_revisions(db: Session, plan: Plan, number: int, now: datetime) -> None:
    """Revisions opened from review lessons are tracked to the version that answers them."""
    for rev in db.scalars(
        select(PlanRevision).where(PlanRevision.plan_id == plan.id, PlanRevision.status == "open")
    ):
        rev.status = "done"
        rev.to_version = number
        rev.closed_at = now


def import_yaml(
    db: Session, *, text: str, actor: audit.Actor, now: datetime, note: str = "",
    expect_version: int | None = None,
) -> tuple[Plan, PlanVersion]:  # fmt: skip
    doc, node = document.from_yaml(text)
    return save(
        db, doc=doc, actor=actor, now=now, note=note, node=node, expect_version=expect_version
    )


def export_yaml(version: PlanVersion) -> str:
    return document.to_yaml(version.body)


def demo_texts() -> list[tuple[str, str]]:
    """The demo plans shipped in the package: (file name, YAML text)."""
    folder = package_files.files("yingji.command.plans") / "demo"
    return sorted(
        (p.name, p.read_text(encoding="utf-8"))
        for p in folder.iterdir()
        if p.name.endswith(".yaml")
    )


def load_demo_plans(db: Session, *, actor: audit.Actor, now: datetime) -> int:
    """Import the demo plans (idempotent: an unchanged plan gets no new version)."""
    known = known_codes(db)
    for _name, text in demo_texts():
        doc, node = document.from_yaml(text)
        save(db, doc=doc, actor=actor, now=now, note="示例预案", node=node, known=known)
    return len(demo_texts())
