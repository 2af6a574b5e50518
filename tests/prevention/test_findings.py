"""The one seam every finder uses to register a hidden hazard."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from yingji.audit.models import AuditEntry
from yingji.audit.service import Actor
from yingji.core.errors import ApiError
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE
from yingji.prevention.hazard.findings import Finding, register_finding
from yingji.prevention.hazard.models import HazardEvent

WORKER = Actor(type="user", id="7", name="网格员")
AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_a_finding_registers_the_hazard_with_its_first_step_and_audit(session):
    hazard = register_finding(
        session,
        Finding(
            enterprise_code=DEMO_ENTERPRISE_CODE, source="patrol", description="消防通道被占用",
            found_by=WORKER, found_at=AT, source_ref="patrol-visit:12", media_ids=(3, 4),
        ),
    )  # fmt: skip
    assert hazard.state == "registered" and hazard.grade == "general"
    assert hazard.subdistrict_code and hazard.industry_code and hazard.media_ids == [3, 4]
    events = session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).all()
    assert [e.kind for e in events] == ["registered"]
    assert events[0].data["source_ref"] == "patrol-visit:12"
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "hazard", AuditEntry.object_id == str(hazard.id)
        )
    ).all()
    assert len(audit) == 1 and audit[0].actor_name == "网格员"
    session.rollback()


def test_an_unknown_enterprise_is_a_404_naming_the_field(session):
    with pytest.raises(ApiError) as caught:
        register_finding(
            session,
            Finding(enterprise_code="91110000600037341L", source="manual", description="x",
                    found_by=WORKER, found_at=AT),
        )  # fmt: skip
    assert caught.value.status == 404 and caught.value.field == "enterprise_code"
    session.rollback()
