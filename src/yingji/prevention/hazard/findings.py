"""The seam every finder uses: an inspection record, a supervision visit, a grid worker's
patrol or a person by hand hands a :class:`Finding` to :func:`register_finding`, which
registers the hidden hazard (登记) in the finder's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import Actor
from yingji.enterprise import directory
from yingji.prevention.hazard.models import Hazard, HazardEvent

SOURCES = ("inspection", "supervision", "patrol", "manual")


@dataclass(frozen=True)
class Finding:
    enterprise_code: str
    source: str
    description: str
    found_by: Actor
    found_at: datetime
    source_ref: str = ""
    risk_point_id: int | None = None
    location: str = ""
    media_ids: tuple[int, ...] = field(default_factory=tuple)
    # 重大 when any criteria item is ticked; the grade rule is the hazard package's
    grade: str = "general"
    criteria: tuple[str, ...] = field(default_factory=tuple)
    rule_kind: str = ""
    rule_version: int = 1


def register_finding(db: Session, finding: Finding) -> Hazard:
    """Register the hazard and its first timeline step, audited (the caller commits)."""
    if finding.source not in SOURCES:
        raise ValueError(f"unknown finding source {finding.source!r}")
    ent = directory.require(db, finding.enterprise_code)
    hazard = Hazard(
        enterprise_code=ent.code, subdistrict_code=ent.subdistrict_code,
        industry_code=ent.industry_code, risk_point_id=finding.risk_point_id,
        source=finding.source, source_ref=finding.source_ref, grade=finding.grade,
        criteria=list(finding.criteria), rule_kind=finding.rule_kind,
        rule_version=finding.rule_version, description=finding.description,
        location=finding.location, media_ids=list(finding.media_ids),
        found_by=finding.found_by.name or finding.found_by.id, found_at=finding.found_at,
        state="registered",
    )  # fmt: skip
    db.add(hazard)
    db.flush()
    db.add(
        HazardEvent(
            hazard_id=hazard.id, kind="registered", at=finding.found_at,
            actor_type=finding.found_by.type, actor_id=finding.found_by.id,
            actor_name=finding.found_by.name,
            data={"source": finding.source, "source_ref": finding.source_ref,
                  "grade": finding.grade, "criteria": list(finding.criteria)},
        )
    )  # fmt: skip
    audit.record(
        db, actor=finding.found_by, action="create", object_type="hazard", object_id=hazard.id,
        after={"enterprise_code": ent.code, "grade": finding.grade, "source": finding.source,
               "source_ref": finding.source_ref},
    )  # fmt: skip
    return hazard
